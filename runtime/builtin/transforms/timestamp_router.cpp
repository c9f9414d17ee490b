// TimestampRouter: topic names from the record's topic and timestamp, for time-bucketed sinks.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "runtime/builtin/transforms/record_support.h"
#include "sluice/errors.h"
#include "sluice/plugin.h"

namespace sluice::builtin {

namespace {

// Owned by one task thread, like every transform.
class TimestampRouter final : public Transform {
 public:
  const ConfigDef& config_def() const override {
    static const ConfigDef def =
        ConfigDef{}
            .define("topic.format", ConfigType::kString, "${topic}-${timestamp}", Importance::kHigh,
                    "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as "
                    "placeholders for the topic and timestamp, respectively.")
            .define("timestamp.format", ConfigType::kString, "yyyyMMdd", Importance::kHigh,
                    "Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.");
    return def;
  }

  void configure(const ConfigMap& config) override {
    Config parsed = config_def().parse(config);
    format_ = date_format_for_config("timestamp.format", parsed.get_string("timestamp.format"),
                                     "Invalid SimpleDateFormat pattern: ");
    pieces_ = split_topic_format(parsed.get_string("topic.format"));
  }

  std::optional<Record> apply(Record record) override {
    if (!record.timestamp_ms) {
      throw DataError(fmt::format("Timestamp missing on record: topic={} partition={}", record.topic,
                                  record.kafka_partition ? std::to_string(*record.kafka_partition) : "null"));
    }
    std::string timestamp = format_->format(*record.timestamp_ms);
    std::string topic;
    for (const auto& piece : pieces_) {
      switch (piece.kind) {
        case Piece::kLiteral: topic += piece.literal; break;
        case Piece::kTopic: topic += record.topic; break;
        case Piece::kTimestamp: topic += timestamp; break;
      }
    }
    record.topic = std::move(topic);
    return record;
  }

 private:
  struct Piece {
    enum Kind { kLiteral, kTopic, kTimestamp } kind = kLiteral;
    std::string literal;
  };

  static std::vector<Piece> split_topic_format(const std::string& format) {
    static constexpr std::string_view kTopic = "${topic}";
    static constexpr std::string_view kTimestamp = "${timestamp}";
    std::vector<Piece> pieces;
    std::string_view rest = format;
    while (!rest.empty()) {
      if (rest.starts_with(kTopic)) {
        pieces.push_back(Piece{Piece::kTopic, {}});
        rest.remove_prefix(kTopic.size());
      } else if (rest.starts_with(kTimestamp)) {
        pieces.push_back(Piece{Piece::kTimestamp, {}});
        rest.remove_prefix(kTimestamp.size());
      } else {
        if (pieces.empty() || pieces.back().kind != Piece::kLiteral) pieces.push_back(Piece{});
        pieces.back().literal.push_back(rest.front());
        rest.remove_prefix(1);
      }
    }
    return pieces;
  }

  std::optional<DateFormat> format_;
  std::vector<Piece> pieces_;
};

}  // namespace

void add_timestamp_router(Registrar& registrar) {
  registrar.add_transform<TimestampRouter>(std::string(kTransformsPackage) + "TimestampRouter");
}

}  // namespace sluice::builtin
