// ParameterBinder: binds Connect values to the parameters of one prepared statement execution,
// in order, in the form the column's type wants:
//   booleans and integers as integers, floats as doubles (NaN and infinities are a DataError:
//   MySQL has no such values), strings and UUIDs as strings, bytes as a blob stream, decimals,
//   dates, times and timestamps as text (value_text.h), zoned timestamps and zoned times
//   converted to UTC text, JSON as its text (structs, maps and arrays through json_text).
// A value of the wrong Connect type for its column is a DataError naming the column.
//
// The blob streams live in the binder: keep it alive until the statement has executed.
// Owned by the thread that executes the statement.
#pragma once

#include <cppconn/prepared_statement.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sluice/value.h"
#include "table_model.h"

namespace sluice::jdbc::mysql {

class ParameterBinder {
 public:
  explicit ParameterBinder(sql::PreparedStatement& statement) : statement_(statement) {}

  void bind(const Value& value, const ColumnType& type, const std::string& column);
  void bind_int64(std::int64_t value);
  void bind_string(const std::string& value);
  void bind_bool(bool value);

 private:
  void bind_text_kind(const Value& value, const ColumnType& type);

  sql::PreparedStatement& statement_;
  unsigned next_ = 1;
  std::vector<std::unique_ptr<std::istringstream>> blobs_;
};

// About how many bytes `value` adds to a statement (to keep statements under max_allowed_packet).
std::size_t estimated_size(const Value& value);

// "2024-01-31 11:04:05.5" for "2024-01-31T13:04:05.5+02:00" (ISO-8601 with Z or an offset;
// a missing offset is taken as UTC). DataError when it is not such a text.
std::string zoned_timestamp_to_utc(const std::string& text);
// "11:04:05.5" for "13:04:05.5+02:00" or "11:04:05.5Z" (wrapping around midnight).
std::string zoned_time_to_utc(const std::string& text);

}  // namespace sluice::jdbc::mysql
