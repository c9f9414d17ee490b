#include <catch2/catch.hpp>

#include <stdexcept>

#include "runtime/builtin/transforms/record_support.h"
#include "sluice/errors.h"

using sluice::DataError;
using sluice::builtin::DateFormat;

namespace {
// 2021-03-04T05:06:07.089Z, a Thursday.
constexpr std::int64_t kInstant = 1614834367089;
}  // namespace

TEST_CASE("DateFormat formats SimpleDateFormat patterns in UTC", "[transforms][date_format]") {
  CHECK(DateFormat("yyyyMMdd").format(kInstant) == "20210304");
  CHECK(DateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSX").format(kInstant) == "2021-03-04T05:06:07.089Z");
  CHECK(DateFormat("yyyy-MM-dd HH:mm:ss.SSS Z").format(kInstant) == "2021-03-04 05:06:07.089 +0000");
  CHECK(DateFormat("EEE, d MMM yy h:mm a z").format(kInstant) == "Thu, 4 Mar 21 5:06 AM UTC");
  CHECK(DateFormat("EEEE MMMM dd G").format(kInstant) == "Thursday March 04 AD");
  CHECK(DateFormat("D u k K").format(kInstant) == "63 4 5 5");
  CHECK(DateFormat("'o''clock' ''H''").format(kInstant) == "o'clock '5'");
}

TEST_CASE("DateFormat formats instants before the epoch and at noon and midnight", "[transforms][date_format]") {
  CHECK(DateFormat("yyyy-MM-dd HH:mm:ss.SSS").format(-1) == "1969-12-31 23:59:59.999");
  CHECK(DateFormat("hh a").format(0) == "12 AM");
  CHECK(DateFormat("hh a k").format(12 * 3600 * 1000) == "12 PM 12");
  CHECK(DateFormat("k").format(0) == "24");
}

TEST_CASE("DateFormat parses what it formats", "[transforms][date_format]") {
  for (const char* pattern : {"yyyy-MM-dd'T'HH:mm:ss.SSSX", "yyyyMMddHHmmssSSS", "EEE, d MMM yyyy hh:mm:ss.SSS a z",
                              "dd MMMM yyyy HH:mm:ss.SSS Z", "D yyyy HH mm ss SSS"}) {
    DateFormat f(pattern);
    INFO(pattern);
    CHECK(f.parse(f.format(kInstant)) == kInstant);
    CHECK(f.parse(f.format(-86'400'001)) == -86'400'001);
  }
}

TEST_CASE("DateFormat parsing is lenient and zone-aware like Java's", "[transforms][date_format]") {
  DateFormat iso("yyyy-MM-dd'T'HH:mm:ssXXX");
  CHECK(iso.parse("2021-03-04T07:06:07+02:00") == kInstant - 89);
  CHECK(iso.parse("2021-03-04T05:06:07Z") == kInstant - 89);
  CHECK(DateFormat("yyyy-MM-dd HH:mm Z").parse("2021-03-04 00:06 -0500") == kInstant - 7089);
  CHECK(DateFormat("yyyy-MM-dd").parse("2021-01-32") == DateFormat("yyyy-MM-dd").parse("2021-02-01"));
  CHECK(DateFormat("yyyy-MM-dd").parse("2020-13-04") == DateFormat("yyyy-MM-dd").parse("2021-01-04"));
  CHECK(DateFormat("MMM d yyyy").parse("march 4 2021") == DateFormat("yyyyMMdd").parse("20210304"));
  // Like DateFormat.parse(String), text after the pattern is ignored.
  CHECK(DateFormat("yyyy-MM-dd").parse("2021-03-04T05:06:07") == 18690LL * 86'400'000);
}

TEST_CASE("DateFormat puts two-digit years within 80 years before and 20 after now", "[transforms][date_format]") {
  DateFormat f("yy-MM-dd");
  CHECK(DateFormat("yyyy").format(f.parse("21-03-04")) == "2021");
  CHECK(DateFormat("yyyy").format(f.parse("99-01-01")) == "1999");
}

TEST_CASE("DateFormat rejects text that does not match", "[transforms][date_format]") {
  DateFormat f("yyyy-MM-dd HH:mm");
  CHECK_THROWS_AS(f.parse("2021/03/04 05:06"), DataError);
  CHECK_THROWS_AS(f.parse("2021-03-04"), DataError);
  CHECK_THROWS_AS(f.parse(""), DataError);
  CHECK_THROWS_AS(DateFormat("MMM").parse("Foo"), DataError);
  CHECK_THROWS_AS(DateFormat("HH Z").parse("05 CEST"), DataError);
}

TEST_CASE("DateFormat rejects unsupported letters and unterminated quotes", "[transforms][date_format]") {
  CHECK_THROWS_AS(DateFormat("YYYY-ww"), std::invalid_argument);
  CHECK_THROWS_AS(DateFormat("yyyy-MM-dd 'T"), std::invalid_argument);
  CHECK_THROWS_AS(DateFormat("q"), std::invalid_argument);
  CHECK_THROWS_AS(DateFormat("XXXX"), std::invalid_argument);
}

TEST_CASE("DateFormat refuses instants far outside the calendar it handles", "[transforms][date_format]") {
  CHECK_THROWS_AS(DateFormat("yyyy").format(INT64_MAX), DataError);
  CHECK_THROWS_AS(DateFormat("yyyy").format(INT64_MIN), DataError);
  CHECK(DateFormat("yyyy").format(253402300799999) == "9999");
}
