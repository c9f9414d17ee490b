// Kafka's predicates (KIP-585): conditions under which a transform applies.
#include <regex>
#include <string>
#include <unordered_map>

#include "runtime/builtin/transforms/record_support.h"
#include "sluice/plugin.h"

namespace sluice::builtin {

namespace {

constexpr std::string_view kPredicatesPackage = "org.apache.kafka.connect.transforms.predicates.";

// True when the whole topic name matches `pattern`. Owned by one task thread.
class TopicNameMatches final : public Predicate {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def = ConfigDef{}.define(
        "pattern", ConfigType::kString, kRequired,
        validator("non-empty string, valid regex",
                  [](const std::string& name, const ConfigValueData& v) {
                    non_empty_string().check(name, v);
                    java_regex().check(name, v);
                  }),
        Importance::kMedium, "A Java regular expression for matching against the name of a topic.");
    return def;
  }

  void configure(const ConfigMap& config) override {
    pattern_ = compile_java_regex(config_def().parse(config).get_string("pattern"));
    matches_.clear();
  }

  bool test(const Record& record) override {
    auto it = matches_.find(record.topic);
    if (it != matches_.end()) return it->second;
    if (matches_.size() >= kMaxCachedTopics) matches_.clear();
    bool matched = std::regex_match(record.topic, pattern_);
    matches_.emplace(record.topic, matched);
    return matched;
  }

 private:
  static constexpr std::size_t kMaxCachedTopics = 10'000;
  std::regex pattern_;
  std::unordered_map<std::string, bool> matches_;  // topic -> result; topics are few
};

// True when the record has at least one header with key `name`.
class HasHeaderKey final : public Predicate {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def = ConfigDef{}.define("name", ConfigType::kString, kRequired, non_empty_string(),
                                                    Importance::kMedium, "The header name.");
    return def;
  }
  void configure(const ConfigMap& config) override { name_ = config_def().parse(config).get_string("name"); }
  bool test(const Record& record) override { return record.headers.last(name_) != nullptr; }

 private:
  std::string name_;
};

// True for tombstones: records whose value is null.
class RecordIsTombstone final : public Predicate {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def;
    return def;
  }
  void configure(const ConfigMap& config) override { config_def().parse(config); }
  bool test(const Record& record) override { return record.value.is_null(); }
};

}  // namespace

void add_predicates(Registrar& registrar) {
  std::string package(kPredicatesPackage);
  registrar.add_predicate<TopicNameMatches>(package + "TopicNameMatches");
  registrar.add_predicate<HasHeaderKey>(package + "HasHeaderKey");
  registrar.add_predicate<RecordIsTombstone>(package + "RecordIsTombstone");
}

}  // namespace sluice::builtin
