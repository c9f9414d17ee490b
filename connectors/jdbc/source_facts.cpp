#include "source_facts.h"

#include <charconv>

#include "sluice/errors.h"

namespace sluice::jdbc {

namespace {

// A field of `s` by name, or nullptr when the struct lacks it or it is null.
const Value* field_value(const Struct* s, std::string_view name) {
  if (s == nullptr) return nullptr;
  const Field* f = s->schema()->field(name);
  if (f == nullptr) return nullptr;
  const Value& v = s->get(*f);
  return v.is_null() ? nullptr : &v;
}

// First non-null of: each name as a field of `primary`, then as a header.
const Value* lookup(const SinkRecord& record, const Struct* primary,
                    std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (const Value* v = field_value(primary, name)) return v;
  }
  for (auto name : names) {
    const Header* h = record.headers.last(name);
    if (h != nullptr && !h->value.is_null()) return &h->value;
  }
  return nullptr;
}

std::int64_t to_int64(const Value& v, std::string_view what) {
  if (const auto* s = v.get_if<std::string>()) {
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec != std::errc() || end != s->data() + s->size()) {
      throw DataError(std::string(what) + " '" + *s + "' is not a number");
    }
    return out;
  }
  return v.as_int64();
}

std::string to_text(const Value* v) {
  if (v == nullptr) return "";
  if (const auto* s = v->get_if<std::string>()) return *s;
  return v->to_string();
}

bool is_snapshot(const Value* v) {
  if (v == nullptr) return false;
  if (const auto* b = v->get_if<bool>()) return *b;
  if (const auto* s = v->get_if<std::string>()) return !s->empty() && *s != "false";
  return false;
}

std::string trim_quotes(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
  return std::string(s);
}

std::int64_t sequence_part(const std::string& text, std::string_view part) {
  std::string p = trim_quotes(part);
  if (p.empty() || p == "null") return 0;
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), out);
  if (ec != std::errc() || end != p.data() + p.size()) {
    throw DataError("source sequence '" + text + "' is not [\"<lsn>\",\"<lsn>\"]");
  }
  return out;
}

}  // namespace

SourcePosition parse_sequence(const std::string& text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') {
    throw DataError("source sequence '" + text + "' is not [\"<lsn>\",\"<lsn>\"]");
  }
  s = s.substr(1, s.size() - 2);
  auto comma = s.find(',');
  if (comma == std::string_view::npos) {
    throw DataError("source sequence '" + text + "' is not [\"<lsn>\",\"<lsn>\"]");
  }
  return SourcePosition{sequence_part(text, s.substr(0, comma)), sequence_part(text, s.substr(comma + 1))};
}

std::int64_t binlog_file_sequence(const std::string& file) {
  auto dot = file.rfind('.');
  std::string digits = dot == std::string::npos ? file : file.substr(dot + 1);
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    throw DataError("binlog file name '" + file + "' does not end in a sequence number");
  }
  return out;
}

SourceFacts read_source_facts(const SinkRecord& record, const Struct* source, const Struct* flattened) {
  SourceFacts f;
  // Source block fields go by their plain names; flattened records prefix them.
  const Struct* where = source != nullptr ? source : flattened;
  auto get = [&](std::string_view plain, std::initializer_list<std::string_view> flat) {
    if (source != nullptr) return lookup(record, source, {plain});
    return lookup(record, where, flat);
  };
  f.snapshot = is_snapshot(get("snapshot", {"__source_snapshot", "__snapshot"}));
  const Value* ts = get("ts_ms", {"__source_ts_ms"});
  f.ts_ms = ts != nullptr ? to_int64(*ts, "ts_ms") : record.timestamp_ms.value_or(0);
  f.db = to_text(get("db", {"__source_db", "__db"}));
  f.schema = to_text(get("schema", {"__source_schema", "__schema"}));
  f.table = to_text(get("table", {"__source_table", "__table"}));

  const Value* lsn = get("lsn", {"__source_lsn", "__lsn"});
  const Value* file = get("file", {"__source_file", "__file"});
  const Value* pos = get("pos", {"__source_pos", "__pos"});
  std::optional<SourcePosition> position;
  if (lsn != nullptr) {
    f.guarded = true;
    f.guard = to_int64(*lsn, "lsn");
    if (const Value* seq = get("sequence", {"__source_sequence", "__sequence"})) {
      position = parse_sequence(to_text(seq));
    }
  } else if (file != nullptr && pos != nullptr) {
    f.guarded = true;
    f.guard = (binlog_file_sequence(to_text(file)) << 40) | to_int64(*pos, "pos");
    const Value* row = get("row", {"__source_row", "__row"});
    position = SourcePosition{f.guard, row != nullptr ? to_int64(*row, "row") : 0};
  } else {
    f.guard = record.kafka_offset.value_or(0);
  }
  if (f.snapshot) {
    f.guarded = true;
    f.guard = 0;
  } else {
    f.position = position;
  }
  return f;
}

}  // namespace sluice::jdbc
