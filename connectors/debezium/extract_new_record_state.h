// io.debezium.transforms.ExtractNewRecordState, Debezium's "New Record State Extraction" (event
// flattening) SMT: replaces a change event's envelope {before, after, source, op, ts_ms, ...} with
// its row state, so sinks see plain rows.
//
// What it does to each record, in order:
//   * Not a change event -> unchanged. A change event has a Struct value whose schema name ends in
//     ".Envelope" and which has `op`, `before` and `after` fields; heartbeats, schema change and
//     transaction metadata records pass through, as in Debezium. Schemaless (Map) envelopes are
//     recognised by a string `op` entry and a `before` or `after` entry (Debezium passes those
//     through unflattened; sluice flattens them the same way it flattens Structs).
//   * Tombstone (null value) -> kept only with delete.tombstone.handling.mode=rewrite-with-tombstone
//     (or legacy drop.tombstones=false); `add.headers` containing "op" adds the header "d".
//   * `add.headers` -> headers copied from the envelope (before anything is dropped or reshaped).
//   * Truncate (op "t") -> dropped.
//   * Create, update, read (after != null) -> the `after` struct, value schema the envelope's
//     `after` schema; rewrite modes append `__deleted: "false"`.
//   * Delete (after == null), by mode: drop -> dropped; tombstone -> null value under the `after`
//     schema (Debezium's choice, which its JDBC sink reads as a flattened delete); rewrite,
//     rewrite-with-tombstone -> the `before` struct plus `__deleted: "true"`; delete-to-tombstone ->
//     a real tombstone (null value, null value schema).
//   * `route.by.field` -> topic from that string field of `after` (of `before` for deletes); a
//     null or blank value keeps the topic. A missing or non-string field is a DataError.
//   * `add.fields` -> metadata fields appended after the row's fields (and after `__deleted`), for
//     records that still have a value. Fields the envelope does not have are not added.
//   * `drop.fields.header.name` -> see FieldDropper.
//   * `replace.null.with.default` -> in rewrite modes, null columns with a default take the default
//     (Debezium does this only where it rewrites the row).
//
// Rewritten values get a struct schema with the row schema's name, version, doc and parameters,
// non-optional (Kafka's SchemaUtil.copySchemaBasics), cached per (row schema, envelope schema).
//
// Legacy options (Debezium <= 2.7, gone from Debezium 3): when delete.tombstone.handling.mode is not
// set but drop.tombstones or delete.handling.mode is, they decide, as Debezium 2.x decided:
// drop.tombstones (default true) drops tombstones; delete.handling.mode drop (default) drops
// deletes, none keeps them as null values, rewrite rewrites them and adds `__deleted`.
//
// Lifecycle and threading as any Transform: configure() once, then apply() per record on the task's
// thread. configure() throws ConfigError with every problem; apply() throws DataError.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "change_event_metadata.h"
#include "field_dropper.h"
#include "schema_cache.h"
#include "sluice/transform.h"

namespace sluice::debezium {

class ExtractNewRecordState final : public Transform {
 public:
  static constexpr std::string_view kClassName = "io.debezium.transforms.ExtractNewRecordState";
  static constexpr std::string_view kDeletedField = "__deleted";

  // What happens to tombstones and delete events; delete.tombstone.handling.mode (or the legacy
  // pair) maps onto these two.
  enum class TombstoneAction { kDrop, kKeep };
  enum class DeleteAction { kDrop, kNullValue, kRewrite, kToTombstone };

  static const ConfigDef& definition();

  const ConfigDef& config_def() const override { return definition(); }
  void configure(const ConfigMap& config) override;
  std::optional<Record> apply(Record record) override;

  TombstoneAction tombstone_action() const { return tombstone_action_; }
  DeleteAction delete_action() const { return delete_action_; }

 private:
  // Where the envelope's parts are and which metadata fields it has, per envelope schema.
  struct EnvelopePlan {
    const Field* before = nullptr;
    const Field* after = nullptr;
    const Field* op = nullptr;
    std::vector<ResolvedMetadataField> fields;
    std::vector<ResolvedMetadataField> headers;
  };

  const EnvelopePlan& envelope_plan(const SchemaPtr& envelope_schema);
  std::optional<Record> apply_struct(Record record);
  std::optional<Record> apply_map(Record record);
  std::optional<Record> handle_tombstone(Record record);
  // The row struct with `__deleted` and the metadata fields appended.
  Value rewrite_row(Struct row, const Struct& envelope, const SchemaPtr& envelope_schema,
                    const EnvelopePlan& plan, bool deleted, SchemaPtr& out_schema);
  void rewrite_map(Map& row, const Map& envelope, bool deleted) const;
  void route(Record& record, const Value& row) const;
  bool rewrites() const { return delete_action_ == DeleteAction::kRewrite; }

  TombstoneAction tombstone_action_ = TombstoneAction::kDrop;
  DeleteAction delete_action_ = DeleteAction::kNullValue;
  std::vector<MetadataFieldSpec> add_fields_;
  std::vector<MetadataFieldSpec> add_headers_;
  std::vector<std::string> op_headers_;  // add.headers entries for "op": tombstones get "d"
  std::string route_by_field_;
  bool replace_null_with_default_ = true;
  std::optional<FieldDropper> dropper_;

  SchemaCache<SchemaPtr, EnvelopePlan> envelopes_;
  SchemaCache<std::pair<SchemaPtr, SchemaPtr>, SchemaPtr> rows_;  // (row, envelope) -> output
};

}  // namespace sluice::debezium
