#include "sluice/json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "sluice/errors.h"
#include "json_text_scan.h"

namespace sluice::json {

// ---------------------------------------------------------------------------------------------
// Decoding. A recursive-descent reader over the raw text: payloads are decoded straight into
// Values under their schema (no intermediate tree), so a sink pays for the data only. Schemas,
// which are parsed once and cached by the converter, go through a small tree (Node) because their
// members may come in any order.

namespace {

// Deeper nesting than this is refused rather than risking the stack on hostile input.
constexpr int kMaxDepth = 500;

bool is_decimal(const Schema& schema) {
  return schema.type() == Type::kBytes && schema.name() == logical::kDecimalName;
}

struct Node {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  std::string_view raw;  // the node's text in the input
  bool boolean = false;
  std::string text;               // kString
  std::vector<std::string> keys;  // kObject, parallel to items
  std::vector<Node> items;        // kArray, kObject

  const Node* get(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &items[i];
    }
    return nullptr;
  }
};

const char* kind_name(Node::Kind kind) {
  constexpr const char* kNames[] = {"null", "boolean", "number", "string", "array", "object"};
  return kNames[static_cast<int>(kind)];
}

struct NumberToken {
  std::string_view text;
  bool integral = true;
};

class Reader {
 public:
  Reader(std::string_view text, const DecodeOptions& options)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), options_(options) {}

  void expect_end() {
    skip_ws();
    if (p_ != end_) fail("unexpected characters after the JSON value");
  }

  bool at_end() {
    skip_ws();
    return p_ == end_;
  }

  // ----- payload under a schema -----

  Value value(const SchemaPtr& schema) {
    DepthGuard guard(*this);
    skip_ws();
    if (peek() == 'n') {
      literal("null");
      return null_for(schema.get());
    }
    if (!schema) return schemaless();
    const Schema& s = *schema;
    switch (s.type()) {
      case Type::kInt8: return Value(integer<std::int8_t>(s));
      case Type::kInt16: return Value(integer<std::int16_t>(s));
      case Type::kInt32: return Value(integer<std::int32_t>(s));
      case Type::kInt64: return Value(integer<std::int64_t>(s));
      case Type::kFloat32: return Value(floating<float>(s));
      case Type::kFloat64: return Value(floating<double>(s));
      case Type::kBoolean: return Value(boolean(s));
      case Type::kString:
        if (peek() != '"') mismatch(s);
        return Value(string());
      case Type::kBytes: return bytes(s);
      case Type::kArray: return array(s);
      case Type::kMap: return map(s);
      case Type::kStruct: return struct_(schema);
    }
    return Value();
  }

  Value null_for(const Schema* schema) const {
    if (!schema) return Value();
    if (schema->has_default() && options_.replace_null_with_default) return schema->default_value();
    if (schema->optional() || schema->has_default()) return Value();
    throw DataError(fmt::format("Invalid null value for required {} field", type_name(schema->type())));
  }

  Value schemaless() {
    DepthGuard guard(*this);
    skip_ws();
    switch (peek()) {
      case '{': {
        ++p_;
        Map m;
        if (consume('}')) return Value(std::move(m));
        do {
          std::string key = string_at_key();
          m.emplace_back(Value(std::move(key)), schemaless());
        } while (consume(','));
        expect('}');
        return Value(std::move(m));
      }
      case '[': {
        ++p_;
        Array a;
        if (consume(']')) return Value(std::move(a));
        do a.push_back(schemaless());
        while (consume(','));
        expect(']');
        return Value(std::move(a));
      }
      case '"': return Value(string());
      case 't': literal("true"); return Value(true);
      case 'f': literal("false"); return Value(false);
      case 'n': literal("null"); return Value();
      default: {
        NumberToken n = number();
        if (n.integral) {
          std::int64_t v = 0;
          auto [ptr, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), v);
          if (ec == std::errc()) return Value(v);
        }
        return Value(to_floating<double>(n.text));
      }
    }
  }

  // ----- raw structure -----

  // Skips one value, checking its syntax; returns its text.
  std::string_view skip() {
    DepthGuard guard(*this);
    skip_ws();
    const char* start = p_;
    switch (peek()) {
      case '{':
        ++p_;
        if (!consume('}')) {
          do {
            skip_ws();
            skip_string();
            expect(':');
            skip();
          } while (consume(','));
          expect('}');
        }
        break;
      case '[':
        ++p_;
        if (!consume(']')) {
          do skip();
          while (consume(','));
          expect(']');
        }
        break;
      case '"': skip_string(); break;
      case 't': literal("true"); break;
      case 'f': literal("false"); break;
      case 'n': literal("null"); break;
      default: number(); break;
    }
    return {start, static_cast<std::size_t>(p_ - start)};
  }

  Node node() {
    DepthGuard guard(*this);
    skip_ws();
    Node n;
    const char* start = p_;
    switch (peek()) {
      case '{':
        n.kind = Node::Kind::kObject;
        ++p_;
        if (!consume('}')) {
          do {
            n.keys.push_back(string_at_key());
            n.items.push_back(node());
          } while (consume(','));
          expect('}');
        }
        break;
      case '[':
        n.kind = Node::Kind::kArray;
        ++p_;
        if (!consume(']')) {
          do n.items.push_back(node());
          while (consume(','));
          expect(']');
        }
        break;
      case '"':
        n.kind = Node::Kind::kString;
        n.text = string();
        break;
      case 't': literal("true"); n.kind = Node::Kind::kBool; n.boolean = true; break;
      case 'f': literal("false"); n.kind = Node::Kind::kBool; break;
      case 'n': literal("null"); break;
      default:
        n.kind = Node::Kind::kNumber;
        number();
        break;
    }
    n.raw = {start, static_cast<std::size_t>(p_ - start)};
    return n;
  }

  Envelope envelope() {
    static constexpr const char* kShape =
        "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "
        "contain additional fields. If you are trying to deserialize plain JSON data, set "
        "schemas.enable=false in your converter configuration.";
    skip_ws();
    if (peek() != '{') {
      skip();
      expect_end();
      throw DataError(kShape);
    }
    ++p_;
    Envelope e;
    bool has_schema = false, has_payload = false, extra = false;
    if (!consume('}')) {
      do {
        skip_ws();
        std::string key = string_at_key();
        std::string_view text = skip();
        if (key == "schema" && !has_schema) {
          e.schema = text;
          has_schema = true;
        } else if (key == "payload" && !has_payload) {
          e.payload = text;
          has_payload = true;
        } else {
          extra = true;
        }
      } while (consume(','));
      expect('}');
    }
    expect_end();
    if (!has_schema || !has_payload || extra) throw DataError(kShape);
    return e;
  }

 private:
  struct DepthGuard {
    explicit DepthGuard(Reader& r) : r_(r) {
      if (++r_.depth_ > kMaxDepth) r_.fail("nesting too deep");
    }
    ~DepthGuard() { --r_.depth_; }
    Reader& r_;
  };

  [[noreturn]] void fail(std::string_view what) const {
    throw DataError(fmt::format("Invalid JSON at offset {}: {}", p_ - begin_, what));
  }

  [[noreturn]] void mismatch(const Schema& schema) {
    const char* start = p_;
    std::string_view text = skip();
    p_ = start;
    if (text.size() > 40) text = text.substr(0, 40);
    throw DataError(fmt::format("Invalid JSON value for schema type {}: {} at offset {}",
                                type_name(schema.type()), text, p_ - begin_));
  }

  char peek() const { return p_ == end_ ? '\0' : *p_; }

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool consume(char c) {
    skip_ws();
    if (peek() != c) return false;
    ++p_;
    return true;
  }

  void expect(char c) {
    if (!consume(c)) {
      if (p_ == end_) fail(fmt::format("expected '{}' but the input ended", c));
      fail(fmt::format("expected '{}' but found '{}'", c, *p_));
    }
  }

  void literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      fail(p_ == end_ ? "unexpected end of input" : "unexpected character");
    }
    p_ += word.size();
  }

  // A member name and the ':' after it.
  std::string string_at_key() {
    skip_ws();
    if (peek() != '"') fail("expected a member name");
    std::string key = string();
    expect(':');
    return key;
  }

  // A member name as a view: of the input when it has no escapes (the usual case), else of its
  // decoded copy in key_scratch_ (valid until the next call).
  std::string_view key_at() {
    skip_ws();
    if (peek() != '"') fail("expected a member name");
    const char* start = p_ + 1;
    const char* q = detail::skip_plain_words(start, end_);
    while (q != end_ && *q != '"' && *q != '\\' && static_cast<unsigned char>(*q) >= 0x20) ++q;
    std::string_view key;
    if (q != end_ && *q == '"') {
      key = std::string_view(start, static_cast<std::size_t>(q - start));
      p_ = q + 1;
    } else {
      key_scratch_ = string();
      key = key_scratch_;
    }
    expect(':');
    return key;
  }

  // A string that may use every JSON escape, including surrogate pairs, decoded to UTF-8.
  std::string string() {
    ++p_;  // the opening quote
    std::string out;
    const char* run = p_;
    p_ = detail::skip_plain_words(p_, end_);
    while (true) {
      if (p_ == end_) fail("unterminated string");
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c < 0x20) fail("control character in string");
      if (c != '\\') {
        ++p_;
        continue;
      }
      out.append(run, p_);
      ++p_;
      if (p_ == end_) fail("unterminated string");
      switch (*p_++) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': append_utf8(out, code_point()); break;
        default: fail("invalid escape");
      }
      run = p_;
      p_ = detail::skip_plain_words(p_, end_);
    }
    out.append(run, p_);
    ++p_;
    return out;
  }

  void skip_string() {
    if (peek() != '"') fail("expected a string");
    p_ = detail::skip_plain_words(p_ + 1, end_);
    while (true) {
      if (p_ == end_) fail("unterminated string");
      auto c = static_cast<unsigned char>(*p_++);
      if (c == '"') return;
      if (c < 0x20) fail("control character in string");
      if (c == '\\') {
        if (p_ == end_) fail("unterminated string");
        char e = *p_++;
        if (e == 'u') {
          hex4();
        } else if (!std::strchr("\"\\/bfnrt", e) || e == '\0') {
          fail("invalid escape");
        }
        p_ = detail::skip_plain_words(p_, end_);
      }
    }
  }

  unsigned hex4() {
    if (end_ - p_ < 4) fail("truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        fail("bad hex digit in \\u escape");
      }
    }
    return v;
  }

  // After "\u": one code unit, or a surrogate pair. A lone surrogate becomes U+FFFD.
  unsigned code_point() {
    unsigned cu = hex4();
    if (cu >= 0xD800 && cu <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
      const char* save = p_;
      p_ += 2;
      unsigned low = hex4();
      if (low >= 0xDC00 && low <= 0xDFFF) return 0x10000 + ((cu - 0xD800) << 10) + (low - 0xDC00);
      p_ = save;
    }
    if (cu >= 0xD800 && cu <= 0xDFFF) return 0xFFFD;
    return cu;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  NumberToken number() {
    const char* start = p_;
    NumberToken n;
    auto digits = [&] {
      const char* d = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      return p_ != d;
    };
    if (peek() == '-') ++p_;
    if (peek() == '0') {
      ++p_;
    } else if (!digits()) {
      fail(p_ == end_ ? "unexpected end of input" : "unexpected character");
    }
    if (peek() == '.') {
      ++p_;
      n.integral = false;
      if (!digits()) fail("expected digits after the decimal point");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++p_;
      n.integral = false;
      if (peek() == '+' || peek() == '-') ++p_;
      if (!digits()) fail("expected digits in the exponent");
    }
    n.text = {start, static_cast<std::size_t>(p_ - start)};
    return n;
  }

  template <class Int>
  Int integer(const Schema& s) {
    char c = peek();
    if (c != '-' && !(c >= '0' && c <= '9')) mismatch(s);
    const char* start = p_;
    NumberToken n = number();
    if (!n.integral) {
      p_ = start;
      mismatch(s);
    }
    Int v = 0;
    auto [ptr, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), v);
    if (ec != std::errc()) {
      throw DataError(fmt::format("Value {} is out of range for schema type {}", n.text,
                                  type_name(s.type())));
    }
    return v;
  }

  template <class Float>
  static Float to_floating(std::string_view text) {
    Float v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc::result_out_of_range) {
      // Overflow to infinity, underflow to zero, as Java's parsers do; strto* knows which.
      std::string copy(text);
      if constexpr (std::is_same_v<Float, float>) return std::strtof(copy.c_str(), nullptr);
      return std::strtod(copy.c_str(), nullptr);
    }
    return v;
  }

  template <class Float>
  Float floating(const Schema& s) {
    char c = peek();
    if (c == '"') {
      const char* start = p_;
      std::string text = string();
      if (text == "NaN") return std::numeric_limits<Float>::quiet_NaN();
      if (text == "Infinity") return std::numeric_limits<Float>::infinity();
      if (text == "-Infinity") return -std::numeric_limits<Float>::infinity();
      p_ = start;
      mismatch(s);
    }
    if (c != '-' && !(c >= '0' && c <= '9')) mismatch(s);
    return to_floating<Float>(number().text);
  }

  bool boolean(const Schema& s) {
    if (peek() == 't') {
      literal("true");
      return true;
    }
    if (peek() == 'f') {
      literal("false");
      return false;
    }
    mismatch(s);
  }

  Value bytes(const Schema& s) {
    char c = peek();
    if (c == '"') return Value(decode_base64(string()));
    if (is_decimal(s) && (c == '-' || (c >= '0' && c <= '9'))) {
      NumberToken n = number();
      return Value(logical::decimal_from_string(plain_decimal(n.text), logical::decimal_scale(s)));
    }
    mismatch(s);
  }

  // "1.5E-3" -> "0.0015": decimal_from_string takes plain notation only.
  static std::string plain_decimal(std::string_view text) {
    std::size_t e = text.find_first_of("eE");
    if (e == std::string_view::npos) return std::string(text);
    std::string_view mantissa = text.substr(0, e);
    int exp = 0;
    std::string_view exp_text = text.substr(e + 1);
    if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
    if (ec != std::errc() || exp > 10000 || exp < -10000) {
      throw DataError(fmt::format("Decimal exponent out of range: {}", text));
    }
    std::string sign;
    if (mantissa[0] == '-') {
      sign = "-";
      mantissa.remove_prefix(1);
    }
    std::size_t dot = mantissa.find('.');
    std::string digits(mantissa.substr(0, dot));
    if (dot != std::string_view::npos) digits += mantissa.substr(dot + 1);
    long point = static_cast<long>(dot == std::string_view::npos ? mantissa.size() : dot) + exp;
    if (point <= 0) return sign + "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    if (static_cast<std::size_t>(point) >= digits.size()) {
      return sign + digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
    }
    return sign + digits.substr(0, static_cast<std::size_t>(point)) + "." +
           digits.substr(static_cast<std::size_t>(point));
  }

  Value array(const Schema& s) {
    if (peek() != '[') mismatch(s);
    ++p_;
    Array a;
    if (consume(']')) return Value(std::move(a));
    do a.push_back(value(s.value_schema()));
    while (consume(','));
    expect(']');
    return Value(std::move(a));
  }

  // String keys: a JSON object. Other keys: an array of [key, value] pairs.
  Value map(const Schema& s) {
    Map m;
    if (s.key_schema()->type() == Type::kString) {
      if (peek() != '{') {
        throw DataError(fmt::format(
            "Maps with string fields should be encoded as JSON objects, but found {}", found()));
      }
      ++p_;
      if (consume('}')) return Value(std::move(m));
      do {
        std::string key = string_at_key();
        m.emplace_back(Value(std::move(key)), value(s.value_schema()));
      } while (consume(','));
      expect('}');
      return Value(std::move(m));
    }
    if (peek() != '[') {
      throw DataError(fmt::format(
          "Maps with non-string fields should be encoded as JSON array of tuples, but found {}",
          found()));
    }
    ++p_;
    if (consume(']')) return Value(std::move(m));
    do {
      skip_ws();
      if (peek() != '[') {
        throw DataError(fmt::format("Found invalid map entry instead of array tuple: {}", found()));
      }
      ++p_;
      Value k = value(s.key_schema());
      if (!consume(',')) throw DataError("Found invalid map entry, expected length 2 but found 1");
      Value v = value(s.value_schema());
      if (!consume(']')) throw DataError("Found invalid map entry, expected length 2 but found more");
      m.emplace_back(std::move(k), std::move(v));
    } while (consume(','));
    expect(']');
    return Value(std::move(m));
  }

  Value struct_(const SchemaPtr& schema) {
    if (peek() != '{') {
      throw DataError(fmt::format("Structs should be encoded as JSON objects, but found {}", found()));
    }
    ++p_;
    const auto& fields = schema->fields();
    Struct st(schema);
    if (!consume('}')) {
      std::size_t next = 0;  // members usually come in field order: try that one first
      do {
        std::string_view key = key_at();
        std::size_t index = fields.size();
        if (next < fields.size() && fields[next].name == key) {
          index = next;
        } else {
          for (std::size_t i = 0; i < fields.size(); ++i) {
            if (fields[i].name == key) index = i;
          }
        }
        if (index == fields.size()) {
          skip();
        } else {
          st.put_unchecked(index, value(fields[index].schema));
          next = index + 1;
        }
      } while (consume(','));
      expect('}');
    }
    // Missing members are nulls: defaults where the schema has one, an error for required fields.
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (!st.at(i).is_null()) continue;
      const Schema& fs = *fields[i].schema;
      if (!fs.optional() && !fs.has_default()) {
        throw DataError(fmt::format("Invalid null value for required {} field \"{}\"",
                                    type_name(fs.type()), fields[i].name));
      }
      st.put_unchecked(i, null_for(&fs));
    }
    return Value(std::move(st));
  }

  // The JSON kind at the cursor, for error messages.
  std::string_view found() {
    skip_ws();
    switch (peek()) {
      case '{': return "OBJECT";
      case '[': return "ARRAY";
      case '"': return "STRING";
      case 't': case 'f': return "BOOLEAN";
      case 'n': return "NULL";
      case '\0': return "end of input";
      default: return "NUMBER";
    }
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  std::string key_scratch_;  // key_at(): a member name that had escapes
  const DecodeOptions& options_;
  int depth_ = 0;
};

const Node* member(const Node& n, std::string_view key, Node::Kind kind) {
  const Node* m = n.get(key);
  return m && m->kind == kind ? m : nullptr;
}

SchemaPtr schema_from_node(const Node& n);

SchemaPtr required_schema(const Node* n, const char* what) {
  if (!n || n->kind == Node::Kind::kNull) throw DataError(what);
  return schema_from_node(*n);
}

SchemaBuilder builder_for(const Node& n) {
  const Node* type = member(n, "type", Node::Kind::kString);
  if (!type) throw DataError("Schema must contain 'type' field");
  const std::string& t = type->text;
  if (t == "float") return SchemaBuilder::float32();
  if (t == "double") return SchemaBuilder::float64();
  if (t == "array") {
    return SchemaBuilder::array(
        required_schema(n.get("items"), "Array schema did not specify the element type"));
  }
  if (t == "map") {
    auto keys = required_schema(n.get("keys"), "Map schema did not specify the key type");
    auto values = required_schema(n.get("values"), "Map schema did not specify the value type");
    return SchemaBuilder::map(std::move(keys), std::move(values));
  }
  if (t == "struct") {
    const Node* fields = member(n, "fields", Node::Kind::kArray);
    if (!fields) throw DataError("Struct schema's \"fields\" argument is not an array.");
    SchemaBuilder b = SchemaBuilder::struct_();
    for (const Node& f : fields->items) {
      const Node* name = f.kind == Node::Kind::kObject ? member(f, "field", Node::Kind::kString) : nullptr;
      if (!name) throw DataError("Struct schema's field name not specified properly");
      b.field(name->text, schema_from_node(f));
    }
    return b;
  }
  std::optional<Type> parsed = parse_type(t);
  if (!parsed || !is_primitive(*parsed) || *parsed == Type::kFloat32 || *parsed == Type::kFloat64) {
    throw DataError(fmt::format("Unknown schema type: {}", t));
  }
  return SchemaBuilder(*parsed);
}

SchemaPtr schema_from_node(const Node& n) {
  if (n.kind != Node::Kind::kObject) {
    throw DataError(fmt::format("Schema must be a JSON object, found {}", kind_name(n.kind)));
  }
  SchemaBuilder b = builder_for(n);
  if (const Node* opt = member(n, "optional", Node::Kind::kBool); opt && opt->boolean) b.optional();
  if (const Node* name = member(n, "name", Node::Kind::kString)) b.name(name->text);
  if (const Node* version = member(n, "version", Node::Kind::kNumber)) {
    std::int32_t v = 0;
    auto [ptr, ec] = std::from_chars(version->raw.data(), version->raw.data() + version->raw.size(), v);
    if (ec == std::errc() && ptr == version->raw.data() + version->raw.size()) b.version(v);
  }
  if (const Node* doc = member(n, "doc", Node::Kind::kString)) b.doc(doc->text);
  if (const Node* params = member(n, "parameters", Node::Kind::kObject)) {
    for (std::size_t i = 0; i < params->keys.size(); ++i) {
      if (params->items[i].kind != Node::Kind::kString) {
        throw DataError("Schema parameters must have string values.");
      }
      b.parameter(params->keys[i], params->items[i].text);
    }
  }
  if (const Node* def = n.get("default"); def && def->kind != Node::Kind::kNull) {
    // Decode the default under the schema as built so far, as Kafka does.
    DecodeOptions options;
    Reader reader(def->raw, options);
    b.default_value(reader.value(b.build()));
  }
  return b.build();
}

}  // namespace

SchemaPtr parse_schema(std::string_view text) {
  DecodeOptions options;
  Reader reader(text, options);
  if (reader.at_end()) throw DataError("Invalid JSON: empty schema text");
  Node n = reader.node();
  reader.expect_end();
  if (n.kind == Node::Kind::kNull) return nullptr;
  return schema_from_node(n);
}

Value decode_value(const SchemaPtr& schema, std::string_view text, const DecodeOptions& options) {
  Reader reader(text, options);
  if (reader.at_end()) throw DataError("Invalid JSON: empty input");
  Value v = reader.value(schema);
  reader.expect_end();
  return v;
}

Envelope split_envelope(std::string_view text) {
  DecodeOptions options;
  Reader reader(text, options);
  if (reader.at_end()) throw DataError("Invalid JSON: empty input");
  return reader.envelope();
}

}  // namespace sluice::json
