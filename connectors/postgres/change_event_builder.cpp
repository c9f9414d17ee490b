// Stub: the implementation follows.
#include "change_event_builder.h"

#include "sluice/errors.h"

namespace sluice::postgres {

class TableSchema {};
struct ChangeEventBuilder::Compiled {};

EventOptions EventOptions::from_config(const ConfigMap&) { throw ConfigError("not implemented"); }
const ConfigDef& EventOptions::config_def() { static const ConfigDef def; return def; }

ChangeEventBuilder::ChangeEventBuilder(EventOptions options, const TypeRegistry& registry)
    : options_(std::move(options)), registry_(registry) {}
ChangeEventBuilder::~ChangeEventBuilder() = default;
void ChangeEventBuilder::set_table_metadata(const std::string&, const std::string&, TableMetadata) {}
void ChangeEventBuilder::read(const Relation&, TupleView, const SourceInfo&, const SourcePartition&, const SourceOffset&, std::vector<SourceRecord>&) {}
void ChangeEventBuilder::insert(const Relation&, TupleView, const SourceInfo&, const SourcePartition&, const SourceOffset&, std::vector<SourceRecord>&) {}
void ChangeEventBuilder::update(const Relation&, std::optional<TupleView>, bool, TupleView, const SourceInfo&, const SourcePartition&, const SourceOffset&, std::vector<SourceRecord>&) {}
void ChangeEventBuilder::remove(const Relation&, TupleView, bool, const SourceInfo&, const SourcePartition&, const SourceOffset&, std::vector<SourceRecord>&) {}
void ChangeEventBuilder::truncate(const Relation&, const SourceInfo&, const SourcePartition&, const SourceOffset&, std::vector<SourceRecord>&) {}
void ChangeEventBuilder::message(bool, std::string_view, std::string_view, const SourceInfo&, const SourcePartition&, const SourceOffset&, std::vector<SourceRecord>&) {}
void ChangeEventBuilder::begin_transaction(const SourceInfo&, const SourcePartition&, const SourceOffset&, std::vector<SourceRecord>&) {}
void ChangeEventBuilder::end_transaction(const SourceInfo&, const SourcePartition&, const SourceOffset&, std::vector<SourceRecord>&) {}
bool ChangeEventBuilder::included(const Relation&) { return true; }
std::string ChangeEventBuilder::topic(const Relation& rel) const { return options_.topic_prefix + "." + rel.schema + "." + rel.name; }
SchemaPtr ChangeEventBuilder::key_schema(const Relation&) { return nullptr; }
SchemaPtr ChangeEventBuilder::envelope_schema(const Relation&) { return nullptr; }

}  // namespace sluice::postgres
