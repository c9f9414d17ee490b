// RegexRouter: renames the topic when the whole name matches `regex`, with Java's replacement
// syntax ($1 group references, \ escapes the next character).
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "runtime/builtin/transforms/record_support.h"
#include "sluice/errors.h"
#include "sluice/plugin.h"

namespace sluice::builtin {

namespace {

// Owned by one task thread, like every transform.
class RegexRouter final : public Transform {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def =
        ConfigDef{}
            .define("regex", ConfigType::kString, kRequired, java_regex(), Importance::kHigh,
                    "Regular expression to use for matching.")
            .define("replacement", ConfigType::kString, kRequired, Importance::kHigh, "Replacement string.");
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    regex_ = compile_java_regex(parsed.get_string("regex"));
    replacement_ = parse_replacement(parsed.get_string("replacement"), regex_.mark_count());
    routes_.clear();
  }

  std::optional<Record> apply(Record record) override {
    auto cached = routes_.find(record.topic);
    if (cached == routes_.end()) {
      // Topics are few and std::regex is slow: match each name once.
      if (routes_.size() >= kMaxCachedTopics) routes_.clear();
      cached = routes_.emplace(record.topic, route(record.topic)).first;
    }
    record.topic = cached->second;
    return record;
  }

 private:
  // A literal run, or a group reference when group >= 0.
  struct Piece {
    std::string literal;
    int group = -1;
  };
  static constexpr std::size_t kMaxCachedTopics = 10'000;

  std::string route(const std::string& topic) const {
    std::smatch match;
    if (!std::regex_match(topic, match, regex_)) return topic;
    std::string out;
    for (const auto& piece : replacement_) {
      if (piece.group < 0) {
        out += piece.literal;
      } else if (match[piece.group].matched) {
        out += match[piece.group].str();
      }
    }
    return out;
  }

  // Java's Matcher.appendReplacement rules, checked once here instead of failing per record.
  static std::vector<Piece> parse_replacement(const std::string& text, std::size_t group_count) {
    std::vector<Piece> pieces;
    auto literal = [&]() -> std::string& {
      if (pieces.empty() || pieces.back().group >= 0) pieces.push_back(Piece{});
      return pieces.back().literal;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c == '\\') {
        if (++i == text.size()) throw ConfigError("replacement", "character to be escaped is missing");
        literal().push_back(text[i]);
      } else if (c == '$') {
        if (++i == text.size()) throw ConfigError("replacement", "Illegal group reference: group index is missing");
        if (text[i] == '{') {
          throw ConfigError("replacement", "Named group references (${name}) are not supported; use $n");
        }
        if (text[i] < '0' || text[i] > '9') throw ConfigError("replacement", "Illegal group reference");
        std::size_t group = text[i] - '0';
        if (group > group_count) throw ConfigError("replacement", fmt::format("No group {}", group));
        // Like Java, take further digits only while they still name an existing group.
        while (i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9' &&
               group * 10 + (text[i + 1] - '0') <= group_count) {
          group = group * 10 + (text[++i] - '0');
        }
        pieces.push_back(Piece{{}, static_cast<int>(group)});
      } else {
        literal().push_back(c);
      }
    }
    return pieces;
  }

  std::regex regex_;
  std::vector<Piece> replacement_;
  std::unordered_map<std::string, std::string> routes_;  // topic -> routed topic
};

}  // namespace

void add_regex_router(Registrar& registrar) {
  registrar.add_transform<RegexRouter>(std::string(kTransformsPackage) + "RegexRouter");
}

}  // namespace sluice::builtin
