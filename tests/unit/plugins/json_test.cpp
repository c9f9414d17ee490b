#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "sluice/errors.h"
#include "sluice/json.h"
#include "sluice/schema.h"

using namespace sluice;

namespace {

SchemaPtr price_decimal() {
  return logical::decimal(2).optional().parameter("connect.decimal.precision", "10").build();
}

// The Debezium value schema of the reference envelope example (section 6.2).
SchemaPtr reference_value_schema() {
  return SchemaBuilder::struct_()
      .name("dbserver1.public.t.Value")
      .field("id", schemas::int32())
      .field("price", price_decimal())
      .field("created",
             SchemaBuilder::int64().optional().name("io.debezium.time.MicroTimestamp").version(1).build())
      .build();
}

Value reference_value() {
  Struct s(reference_value_schema());
  s.put("id", std::int32_t{1});
  s.put("price", logical::decimal_from_unscaled(152));
  s.put("created", std::int64_t{1559033904863123});
  return Value(std::move(s));
}

std::string encode(const SchemaPtr& schema, const Value& value, bool numeric = false) {
  json::EncodeOptions options;
  options.decimal_numeric = numeric;
  return json::encode_value(schema, value, options);
}

}  // namespace

TEST_CASE("json encodes the reference envelope exactly as Kafka's JsonConverter", "[json]") {
  REQUIRE(json::encode_schema(reference_value_schema()) ==
          R"({"type":"struct","fields":[)"
          R"({"type":"int32","optional":false,"field":"id"},)"
          R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
          R"("parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"price"},)"
          R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"created"}],)"
          R"("optional":false,"name":"dbserver1.public.t.Value"})");
  REQUIRE(encode(reference_value_schema(), reference_value()) ==
          R"({"id":1,"price":"AJg=","created":1559033904863123})");
}

TEST_CASE("json writes every schema attribute in Kafka's key order", "[json]") {
  auto schema = SchemaBuilder::map(schemas::string(), SchemaBuilder::array(schemas::float32()).build())
                    .optional()
                    .name("m")
                    .version(3)
                    .doc("a \"doc\"")
                    .parameter("b", "2")
                    .parameter("a", "1")
                    .build();
  REQUIRE(json::encode_schema(schema) ==
          R"({"type":"map","keys":{"type":"string","optional":false},)"
          R"("values":{"type":"array","items":{"type":"float","optional":false},"optional":false},)"
          R"("optional":true,"name":"m","version":3,"doc":"a \"doc\"","parameters":{"a":"1","b":"2"}})");
  REQUIRE(json::encode_schema(SchemaBuilder::int32().default_value(std::int32_t{7}).build()) ==
          R"({"type":"int32","optional":false,"default":7})");
  REQUIRE(json::encode_schema(schemas::float64()) == R"({"type":"double","optional":false})");
  REQUIRE(json::encode_schema(nullptr) == "null");
}

TEST_CASE("json encodes primitives as Jackson writes them", "[json]") {
  REQUIRE(encode(schemas::int8(), std::int8_t{-128}) == "-128");
  REQUIRE(encode(schemas::int16(), std::int16_t{32767}) == "32767");
  REQUIRE(encode(schemas::int32(), std::int32_t{-5}) == "-5");
  REQUIRE(encode(schemas::int64(), std::int64_t{9223372036854775807}) == "9223372036854775807");
  REQUIRE(encode(schemas::boolean(), true) == "true");
  REQUIRE(encode(schemas::float32(), 12.34f) == "12.34");
  REQUIRE(encode(schemas::float64(), 12.34) == "12.34");
  REQUIRE(encode(schemas::float64(), 100.0) == "100.0");
  REQUIRE(encode(schemas::float64(), 0.001) == "0.001");
  REQUIRE(encode(schemas::float64(), 0.0001) == "1.0E-4");
  REQUIRE(encode(schemas::float64(), 1e7) == "1.0E7");
  REQUIRE(encode(schemas::float64(), 1234567.0) == "1234567.0");
  REQUIRE(encode(schemas::float64(), -1.5e300) == "-1.5E300");
  REQUIRE(encode(schemas::float64(), 0.1 + 0.2) == "0.30000000000000004");
  REQUIRE(encode(schemas::float64(), -0.0) == "-0.0");
  REQUIRE(encode(schemas::float32(), 0.1f) == "0.1");
  REQUIRE(encode(schemas::float64(), std::numeric_limits<double>::quiet_NaN()) == "\"NaN\"");
  REQUIRE(encode(schemas::float64(), -std::numeric_limits<double>::infinity()) == "\"-Infinity\"");
  REQUIRE(encode(schemas::bytes(), Bytes{'h', 'e', 'l', 'l', 'o'}) == "\"aGVsbG8=\"");
  REQUIRE(encode(schemas::bytes(), Bytes{}) == "\"\"");
}

TEST_CASE("json escapes control characters and passes UTF-8 through", "[json]") {
  std::string text = "q\"b\\n\n\t\r\b\f\x01\x1f/\x7f \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  REQUIRE(encode(schemas::string(), text) ==
          "\"q\\\"b\\\\n\\n\\t\\r\\b\\f\\u0001\\u001F/\x7f \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  REQUIRE(json::decode_value(schemas::string(), encode(schemas::string(), text)) == Value(text));
}

TEST_CASE("json escapes a special byte wherever it falls in a long string", "[json]") {
  // The writer and reader skip plain text eight bytes at a time; a quote, backslash, control
  // character or high byte at any offset of any word, or in the short tail, must still be seen.
  auto reference = [](const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c < 0x20) out += fmt::format("\\u{:04X}", c);
      else out += static_cast<char>(c);
    }
    return out + "\"";
  };
  for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\x20', '\x7f', '\x80', '\xff'}) {
    for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 23u, 33u}) {
      for (std::size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text[at] = special;
        text[length - 1 - (at * 5) % length] = special;  // often a second one, elsewhere
        std::string encoded = encode(schemas::string(), text);
        INFO("special " << int(static_cast<unsigned char>(special)) << " length " << length << " at " << at);
        REQUIRE(encoded == reference(text));
        REQUIRE(json::decode_value(schemas::string(), encoded) == Value(text));
        REQUIRE(json::decode_value(nullptr, encoded) == Value(text));
      }
    }
  }
  // A raw control character inside a string is refused wherever it is.
  for (std::size_t at = 0; at < 20; ++at) {
    std::string raw = "\"" + std::string(20, 'b') + "\"";
    raw[1 + at] = '\x02';
    REQUIRE_THROWS_AS(json::decode_value(schemas::string(), raw), DataError);
  }
}

TEST_CASE("json encodes Decimal as base64 of the unscaled value or as a plain number", "[json]") {
  auto scale4 = logical::decimal(4).build();
  // 101.2345 -> unscaled 1012345 = 0x0F7279
  REQUIRE(encode(scale4, logical::decimal_from_string("101.2345", 4)) == "\"D3J5\"");
  REQUIRE(encode(scale4, logical::decimal_from_string("10.2345", 4)) == "\"AY/J\"");
  REQUIRE(encode(scale4, logical::decimal_from_string("10.2345", 4), true) == "10.2345");
  REQUIRE(encode(scale4, logical::decimal_from_string("-0.0001", 4), true) == "-0.0001");
  REQUIRE(json::decode_value(scale4, "\"D3J5\"") == Value(logical::decimal_from_string("101.2345", 4)));
  REQUIRE(json::decode_value(scale4, "101.2345") == Value(logical::decimal_from_string("101.2345", 4)));
  SECTION("numbers are rescaled to the schema's scale, rounding half up") {
    REQUIRE(json::decode_value(scale4, "1.00005") == Value(logical::decimal_from_string("1.0001", 4)));
    REQUIRE(json::decode_value(scale4, "7") == Value(logical::decimal_from_string("7.0000", 4)));
    REQUIRE(json::decode_value(scale4, "1.5E-3") == Value(logical::decimal_from_string("0.0015", 4)));
    REQUIRE(json::decode_value(scale4, "-2e2") == Value(logical::decimal_from_string("-200", 4)));
  }
  SECTION("more digits than a double holds survive the numeric form") {
    auto wide = logical::decimal(10).build();
    auto big = logical::decimal_from_string("12345678901234567890.0123456789", 10);
    REQUIRE(encode(wide, big, true) == "12345678901234567890.0123456789");
    REQUIRE(json::decode_value(wide, encode(wide, big, true)) == Value(big));
  }
}

TEST_CASE("json encodes maps with string keys as objects and others as pairs", "[json]") {
  auto by_name = SchemaBuilder::map(schemas::string(), schemas::int32()).build();
  auto by_id = SchemaBuilder::map(schemas::int32(), schemas::string()).build();
  Map named{{Value("a"), Value(std::int32_t{1})}, {Value("b"), Value(std::int32_t{2})}};
  Map numbered{{Value(std::int32_t{1}), Value("x")}, {Value(std::int32_t{2}), Value("y")}};
  REQUIRE(encode(by_name, named) == R"({"a":1,"b":2})");
  REQUIRE(encode(by_id, numbered) == R"([[1,"x"],[2,"y"]])");
  REQUIRE(json::decode_value(by_name, R"({"a":1,"b":2})") == Value(named));
  REQUIRE(json::decode_value(by_id, R"([[1,"x"],[2,"y"]])") == Value(numbered));
  SECTION("schemaless maps use objects only when every key is a string") {
    REQUIRE(encode(nullptr, Value(string_map({{"k", "v"}}))) == R"({"k":"v"})");
    Map mixed{{Value("k"), Value(true)}, {Value(std::int64_t{3}), Value()}};
    REQUIRE(encode(nullptr, mixed) == R"([["k",true],[3,null]])");
  }
  SECTION("the wrong shape is a DataError") {
    REQUIRE_THROWS_WITH(json::decode_value(by_name, "[]"),
                        Catch::Contains("should be encoded as JSON objects"));
    REQUIRE_THROWS_WITH(json::decode_value(by_id, "{}"), Catch::Contains("JSON array of tuples"));
    REQUIRE_THROWS_WITH(json::decode_value(by_id, "[[1]]"), Catch::Contains("expected length 2"));
    REQUIRE_THROWS_WITH(json::decode_value(by_id, "[[1,\"a\",2]]"), Catch::Contains("expected length 2"));
  }
}

TEST_CASE("json writes null fields as null, as the default, or refuses them", "[json]") {
  auto schema = SchemaBuilder::struct_()
                    .field("opt", schemas::optional_string())
                    .field("def", SchemaBuilder::int32().default_value(std::int32_t{42}).build())
                    .field("req", schemas::int32())
                    .build();
  Struct s(schema);
  s.put_unchecked(2, Value(std::int32_t{1}));
  REQUIRE(encode(schema, s) == R"({"opt":null,"def":42,"req":1})");
  json::EncodeOptions keep_null;
  keep_null.replace_null_with_default = false;
  REQUIRE(json::encode_value(schema, s, keep_null) == R"({"opt":null,"def":null,"req":1})");
  Struct missing_required(schema);
  REQUIRE_THROWS_AS(encode(schema, missing_required), DataError);
  REQUIRE(encode(nullptr, Value()) == "null");
}

TEST_CASE("json refuses values that do not match their schema", "[json]") {
  REQUIRE_THROWS_WITH(encode(schemas::int32(), "1"), Catch::Contains("Invalid type for int32"));
  REQUIRE_THROWS_AS(encode(schemas::int64(), std::int32_t{1}), DataError);
  auto a = SchemaBuilder::struct_().name("a").field("x", schemas::int32()).build();
  auto b = SchemaBuilder::struct_().name("b").field("x", schemas::int32()).build();
  Struct sa(a);
  sa.put("x", std::int32_t{1});
  REQUIRE_THROWS_WITH(encode(b, sa), Catch::Contains("Mismatching schema"));
  REQUIRE(encode(nullptr, sa) == R"({"x":1})");
}

TEST_CASE("json schemas survive a round trip with every attribute", "[json]") {
  auto inner = SchemaBuilder::struct_()
                   .name("inner")
                   .optional()
                   .field("d", logical::date().build())
                   .field("t", logical::time().optional().build())
                   .field("ts", logical::timestamp().build())
                   .build();
  auto schema =
      SchemaBuilder::struct_()
          .name("outer")
          .version(2)
          .doc("every type")
          .parameter("origin", "test")
          .field("i8", schemas::int8())
          .field("i16", SchemaBuilder::int16().default_value(std::int16_t{-1}).build())
          .field("i32", schemas::optional_int32())
          .field("i64", schemas::int64())
          .field("f32", schemas::float32())
          .field("f64", SchemaBuilder::float64().default_value(2.5).build())
          .field("b", schemas::boolean())
          .field("s", SchemaBuilder::string().default_value("none").build())
          .field("by", schemas::optional_bytes())
          .field("dec", logical::decimal(3).default_value(logical::decimal_from_unscaled(1500)).build())
          .field("arr", SchemaBuilder::array(schemas::optional_string()).build())
          .field("map", SchemaBuilder::map(schemas::int64(), inner).build())
          .field("inner", inner)
          .build();
  auto text = json::encode_schema(schema);
  auto parsed = json::parse_schema(text);
  REQUIRE(*parsed == *schema);
  REQUIRE(json::encode_schema(parsed) == text);

  Struct in(inner);
  in.put("d", std::int32_t{19000}).put("t", std::int32_t{3600000}).put("ts", std::int64_t{1700000000123});
  Struct out(schema);
  out.put("i8", std::int8_t{-8})
      .put("i16", std::int16_t{1600})
      .put("i64", std::int64_t{-64})
      .put("f32", 3.25f)
      .put("f64", 6.02214076e23)
      .put("b", false)
      .put("s", "text")
      .put("by", Bytes{0, 1, 254, 255})
      .put("dec", logical::decimal_from_string("-3.141", 3))
      .put("arr", Array{Value("x"), Value()})
      .put("map", Map{{Value(std::int64_t{5}), Value(in)}, {Value(std::int64_t{6}), Value()}})
      .put("inner", in);
  for (bool numeric : {false, true}) {
    json::EncodeOptions options;
    options.decimal_numeric = numeric;
    auto payload = json::encode_value(schema, out, options);
    REQUIRE(json::decode_value(parsed, payload) == Value(out));
  }
}

TEST_CASE("json decodes struct members in any order and fills in what is missing", "[json]") {
  auto schema = SchemaBuilder::struct_()
                    .field("a", schemas::int32())
                    .field("b", schemas::optional_string())
                    .field("c", SchemaBuilder::string().default_value("dflt").build())
                    .build();
  Value v = json::decode_value(schema, R"( { "unknown": [1, {"x": null}], "a" : 7 } )");
  const auto& s = v.as<Struct>();
  REQUIRE(s.get("a") == Value(std::int32_t{7}));
  REQUIRE(s.get("b").is_null());
  REQUIRE(s.get("c") == Value("dflt"));
  json::DecodeOptions keep_null;
  keep_null.replace_null_with_default = false;
  REQUIRE(json::decode_value(schema, R"({"a":1,"c":null})", keep_null).as<Struct>().get("c").is_null());
  REQUIRE_THROWS_WITH(json::decode_value(schema, R"({"b":"x"})"),
                      Catch::Contains("required int32 field \"a\""));
  REQUIRE_THROWS_WITH(json::decode_value(schema, R"({"a":null})"), Catch::Contains("required int32"));
}

TEST_CASE("json decodes schemaless data into maps, int64, double, strings", "[json]") {
  Value v = json::decode_value(nullptr, R"({"n":1,"f":1.5,"e":1e2,"big":123456789012345678901,)"
                                        R"("s":"\u00e9\ud83d\ude00","l":[true,null],"o":{}})");
  const auto& m = v.as<Map>();
  REQUIRE(m.size() == 7);
  REQUIRE(m[0].first == Value("n"));
  REQUIRE(*map_find(m, "n") == Value(std::int64_t{1}));
  REQUIRE(*map_find(m, "f") == Value(1.5));
  REQUIRE(*map_find(m, "e") == Value(100.0));
  REQUIRE(*map_find(m, "big") == Value(123456789012345678901.0));
  REQUIRE(*map_find(m, "s") == Value("\xc3\xa9\xf0\x9f\x98\x80"));
  REQUIRE(*map_find(m, "l") == Value(Array{Value(true), Value()}));
  REQUIRE(*map_find(m, "o") == Value(Map{}));
}

TEST_CASE("json reads floats from numbers and from Jackson's NaN and Infinity strings", "[json]") {
  REQUIRE(json::decode_value(schemas::float64(), "3") == Value(3.0));
  REQUIRE(json::decode_value(schemas::float32(), "0.1") == Value(0.1f));
  REQUIRE(std::isnan(json::decode_value(schemas::float64(), "\"NaN\"").as<double>()));
  REQUIRE(json::decode_value(schemas::float32(), "\"-Infinity\"") ==
          Value(-std::numeric_limits<float>::infinity()));
  REQUIRE(json::decode_value(schemas::float64(), "1e999") == Value(std::numeric_limits<double>::infinity()));
  REQUIRE_THROWS_AS(json::decode_value(schemas::float64(), "\"1.5\""), DataError);
}

TEST_CASE("json refuses malformed text and values that do not fit the schema", "[json]") {
  auto bad = [](const SchemaPtr& schema, std::string_view text) {
    return json::decode_value(schema, text);
  };
  REQUIRE_THROWS_WITH(bad(nullptr, R"({"a":1)"), Catch::Contains("Invalid JSON at offset 6"));
  REQUIRE_THROWS_WITH(bad(nullptr, "[1] x"), Catch::Contains("after the JSON value"));
  REQUIRE_THROWS_WITH(bad(nullptr, ""), Catch::Contains("empty"));
  REQUIRE_THROWS_WITH(bad(nullptr, "\"a\\qb\""), Catch::Contains("invalid escape"));
  REQUIRE_THROWS_WITH(bad(nullptr, "\"a\nb\""), Catch::Contains("control character"));
  REQUIRE_THROWS_AS(bad(nullptr, "01"), DataError);
  REQUIRE_THROWS_AS(bad(nullptr, "1."), DataError);
  REQUIRE_THROWS_AS(bad(nullptr, "nul"), DataError);
  REQUIRE_THROWS_AS(bad(nullptr, "{'a':1}"), DataError);
  REQUIRE_THROWS_WITH(bad(nullptr, std::string(100000, '[')), Catch::Contains("nesting too deep"));
  REQUIRE_THROWS_WITH(bad(schemas::int8(), "128"), Catch::Contains("out of range for schema type int8"));
  REQUIRE_THROWS_AS(bad(schemas::int32(), "1.5"), DataError);
  REQUIRE_THROWS_AS(bad(schemas::int32(), "\"1\""), DataError);
  REQUIRE_THROWS_AS(bad(schemas::string(), "1"), DataError);
  REQUIRE_THROWS_AS(bad(schemas::boolean(), "0"), DataError);
  REQUIRE_THROWS_WITH(bad(schemas::bytes(), "\"a*==\""), Catch::Contains("Invalid base64"));
  REQUIRE_THROWS_AS(bad(schemas::bytes(), "12"), DataError);
  REQUIRE_THROWS_WITH(bad(SchemaBuilder::struct_().build(), "[]"),
                      Catch::Contains("Structs should be encoded as JSON objects"));
}

TEST_CASE("json parse_schema refuses schemas Kafka refuses", "[json]") {
  REQUIRE(json::parse_schema("null") == nullptr);
  REQUIRE_THROWS_WITH(json::parse_schema(R"({"optional":true})"), Catch::Contains("'type' field"));
  REQUIRE_THROWS_WITH(json::parse_schema(R"({"type":"float32"})"), Catch::Contains("Unknown schema type"));
  REQUIRE_THROWS_WITH(json::parse_schema(R"({"type":"array"})"), Catch::Contains("element type"));
  REQUIRE_THROWS_WITH(json::parse_schema(R"({"type":"map","keys":{"type":"string"}})"),
                      Catch::Contains("value type"));
  REQUIRE_THROWS_WITH(json::parse_schema(R"({"type":"struct","fields":{}})"), Catch::Contains("not an array"));
  REQUIRE_THROWS_WITH(json::parse_schema(R"({"type":"struct","fields":[{"type":"int8"}]})"),
                      Catch::Contains("field name"));
  REQUIRE_THROWS_WITH(json::parse_schema(R"({"type":"int8","parameters":{"a":1}})"),
                      Catch::Contains("string values"));
  REQUIRE_THROWS_AS(json::parse_schema(R"({"type":"int8","default":"x"})"), DataError);
  auto optional_int = json::parse_schema(R"({"type":"int8","optional":true})");
  REQUIRE(*optional_int == *schemas::optional_int8());
  REQUIRE(*json::parse_schema(R"({"type":"int8"})") == *schemas::int8());
}

TEST_CASE("json split_envelope finds schema and payload and nothing else", "[json]") {
  auto e = json::split_envelope(R"( {"payload": {"a": [1]} , "schema":null} )");
  REQUIRE(e.schema == "null");
  REQUIRE(e.payload == R"({"a": [1]})");
  for (const char* wrong : {R"({"schema":null})", R"({"schema":null,"payload":1,"x":2})",
                            R"({"schema":null,"schema":null})", "[1,2]", "5"}) {
    INFO(wrong);
    REQUIRE_THROWS_WITH(json::split_envelope(wrong), Catch::Contains("requires \"schema\" and \"payload\""));
  }
  REQUIRE_THROWS_WITH(json::split_envelope(R"({"schema":null,"payload":)"), Catch::Contains("Invalid JSON"));
}

TEST_CASE("json base64 accepts padded and unpadded input", "[json]") {
  REQUIRE(json::decode_base64("aGVsbG8=") == Bytes{'h', 'e', 'l', 'l', 'o'});
  REQUIRE(json::decode_base64("aGVsbG8") == Bytes{'h', 'e', 'l', 'l', 'o'});
  REQUIRE(json::decode_base64("") == Bytes{});
  std::string out;
  json::append_base64(out, Bytes{0xfb, 0xff});
  REQUIRE(out == "+/8=");
  REQUIRE(json::decode_base64(out) == Bytes{0xfb, 0xff});
}

TEST_CASE("json matches struct member names written with escapes, in any order", "[json]") {
  auto schema = SchemaBuilder::struct_()
                    .field("id", schemas::int32())
                    .field("a\"b", schemas::optional_string())
                    .field("long_member_name_past_eight", schemas::optional_string())
                    .build();
  Value v = json::decode_value(schema, R"({"long_member_name_past_\u0065ight":"x","a\"b":"q","\u0069d":7})");
  const Struct& s = v.as<Struct>();
  REQUIRE(s.get("id") == Value(std::int32_t{7}));
  REQUIRE(s.get("a\"b") == Value("q"));
  REQUIRE(s.get("long_member_name_past_eight") == Value("x"));
  REQUIRE_THROWS_WITH(json::decode_value(schema, "{\"i\nd\":7}"), Catch::Contains("control character"));
}
