#include "runtime/bus/record_passing.h"

namespace sluice::runtime {

std::shared_ptr<const RecordFormat> RecordFormat::make(std::string fingerprint, std::unique_ptr<Converter> key,
                                                       std::unique_ptr<Converter> value) {
  auto* k = dynamic_cast<const PassingConverter*>(key.get());
  auto* v = dynamic_cast<const PassingConverter*>(value.get());
  if (!k || !v || !k->passes_records() || !v->passes_records()) return nullptr;
  return std::shared_ptr<const RecordFormat>(new RecordFormat(std::move(fingerprint), std::move(key), std::move(value)));
}

RecordFormat::RecordFormat(std::string fingerprint, std::unique_ptr<Converter> key, std::unique_ptr<Converter> value)
    : fingerprint_(std::move(fingerprint)),
      key_(std::move(key)),
      value_(std::move(value)),
      key_passing_(dynamic_cast<const PassingConverter*>(key_.get())),
      value_passing_(dynamic_cast<const PassingConverter*>(value_.get())) {}

std::optional<PassedRecord> RecordFormat::pass(Record& record) const {
  // Both checks run before anything moves; pass() only ever replaces a null by the default the
  // conversion would write anyway, so a record that fails here converts as it would have.
  if (!key_passing_->pass(record.key_schema, record.key) || !value_passing_->pass(record.value_schema, record.value)) {
    return std::nullopt;
  }
  PassedRecord p;
  p.bytes = approx_bytes(record.key) + approx_bytes(record.value);
  p.key_schema = std::move(record.key_schema);
  p.key = std::move(record.key);
  p.value_schema = std::move(record.value_schema);
  p.value = std::move(record.value);
  return p;
}

std::pair<std::optional<Bytes>, std::optional<Bytes>> RecordFormat::serialize(const std::string& topic,
                                                                              const PassedRecord& record) const {
  std::lock_guard lock(mu_);
  const Headers none;
  return {key_->from_connect_data(topic, none, record.key_schema, record.key),
          value_->from_connect_data(topic, none, record.value_schema, record.value)};
}

std::size_t approx_bytes(const Value& value) {
  std::size_t n = sizeof(Value);
  if (const auto* s = value.get_if<std::string>()) {
    if (s->size() > 15) n += s->size();  // longer than the small-string buffer
  } else if (const auto* b = value.get_if<Bytes>()) {
    n += b->size();
  } else if (const auto* a = value.get_if<Array>()) {
    for (const auto& item : *a) n += approx_bytes(item);
  } else if (const auto* m = value.get_if<Map>()) {
    for (const auto& [k, v] : *m) n += approx_bytes(k) + approx_bytes(v);
  } else if (const auto* st = value.get_if<Struct>()) {
    for (const auto& field : st->values()) n += approx_bytes(field);
  }
  return n;
}

}  // namespace sluice::runtime
