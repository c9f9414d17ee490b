// SqlNames: how the PostgreSQL sink spells table and column names in SQL.
//
// Every name is quoted. With quote_identifiers it is quoted as given; without, it is first folded
// to lower case, which is what PostgreSQL would do to the same name unquoted, while reserved words
// (`user`, `order`) and odd characters still work. Plain value type.
#pragma once

#include <string>
#include <string_view>

#include "pg_connection.h"
#include "table_model.h"

namespace sluice::jdbc {

class SqlNames {
 public:
  explicit SqlNames(bool quote_as_given) : quote_as_given_(quote_as_given) {}

  // The name as PostgreSQL stores it (folded unless quoting as given).
  std::string stored(std::string_view name) const {
    std::string out(name);
    if (!quote_as_given_) {
      for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
    }
    return out;
  }

  std::string column(std::string_view name) const { return postgres::quote_identifier(stored(name)); }

  // "schema"."table", or "table" when the schema is empty (resolved by search_path).
  std::string table(const TableId& id) const {
    std::string name = column(id.name);
    return id.schema.empty() ? name : column(id.schema) + "." + name;
  }

  // A table name that may carry a schema ("audit.__sluice_sink_checkpoints").
  std::string dotted_table(std::string_view name) const {
    auto dot = name.find('.');
    if (dot == std::string_view::npos) return table(TableId{"", std::string(name)});
    return table(TableId{std::string(name.substr(0, dot)), std::string(name.substr(dot + 1))});
  }

 private:
  bool quote_as_given_;
};

}  // namespace sluice::jdbc
