// CopyTextWriter: renders rows for `COPY ... FROM STDIN` in PostgreSQL's text format: columns
// separated by tabs, rows ended by newlines, NULL as \N, backslash, tab, newline and carriage
// return escaped with a backslash. Values take the text input form of their ColumnKind: t/f,
// shortest round-trip floats (NaN, Infinity, -Infinity), bytea as \x hex, array literals
// {"a","b",NULL}, dates, times and timestamps per value_text.h.
//
// Owned by the thread that fills it; the buffer is reused across batches.
#pragma once

#include <string>
#include <string_view>

#include "sluice/value.h"
#include "table_model.h"

namespace sluice::jdbc {

// The PostgreSQL text input form of a non-null value of a column (not COPY-escaped). Throws
// DataError naming `column` when the value does not fit the column kind or holds a NUL character.
std::string postgres_value_text(const Value& value, const ColumnSpec& column);

class CopyTextWriter {
 public:
  // One column of the current row: \N for a null value.
  void add(const Value& value, const ColumnSpec& column);
  void add_null() { separate(); out_ += "\\N"; }
  // Text that needs no escaping (numbers, one-letter codes).
  void add_plain(std::string_view text) { separate(); out_ += text; }
  void end_row() { out_ += '\n'; row_started_ = false; }

  const std::string& data() const { return out_; }
  std::size_t size() const { return out_.size(); }
  void clear() { out_.clear(); row_started_ = false; }

 private:
  void separate() {
    if (row_started_) out_ += '\t';
    row_started_ = true;
  }
  void append_escaped(std::string_view text);

  std::string out_;
  bool row_started_ = false;
};

}  // namespace sluice::jdbc
