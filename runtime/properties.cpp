#include "runtime/properties.h"

#include <fstream>
#include <sstream>

#include "sluice/errors.h"

namespace sluice::runtime {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Joins continuation lines into logical lines (a line ending in an odd number of backslashes
// continues; leading blanks of the continuation are dropped).
std::vector<std::string> logical_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::string current;
  bool continuing = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (continuing) {
      std::size_t b = 0;
      while (b < line.size() && is_blank(line[b])) ++b;
      line.remove_prefix(b);
    }
    std::size_t slashes = 0;
    while (slashes < line.size() && line[line.size() - 1 - slashes] == '\\') ++slashes;
    bool continues = slashes % 2 == 1;
    if (continues) line.remove_suffix(1);
    current += line;
    continuing = continues;
    if (!continuing) {
      lines.push_back(std::move(current));
      current.clear();
    }
    if (end < text.size() && text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ++end;
    pos = end + 1;
  }
  if (!current.empty()) lines.push_back(std::move(current));
  return lines;
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 == s.size()) {
      out += c;
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        unsigned cp = 0;
        bool ok = i + 4 < s.size();
        for (std::size_t k = 1; ok && k <= 4; ++k) {
          char h = s[i + k];
          cp <<= 4;
          if (h >= '0' && h <= '9') cp |= static_cast<unsigned>(h - '0');
          else if (h >= 'a' && h <= 'f') cp |= static_cast<unsigned>(h - 'a' + 10);
          else if (h >= 'A' && h <= 'F') cp |= static_cast<unsigned>(h - 'A' + 10);
          else ok = false;
        }
        if (ok) {
          append_utf8(out, cp);
          i += 4;
        } else {
          out += 'u';
        }
        break;
      }
      default: out += e; break;
    }
  }
  return out;
}

}  // namespace

ConfigMap parse_properties(std::string_view text) {
  ConfigMap props;
  for (const std::string& raw : logical_lines(text)) {
    std::size_t b = 0;
    while (b < raw.size() && is_blank(raw[b])) ++b;
    if (b == raw.size() || raw[b] == '#' || raw[b] == '!') continue;
    // The key ends at the first unescaped '=', ':' or blank.
    std::size_t k = b;
    while (k < raw.size()) {
      if (raw[k] == '\\') {
        k += 2;
        continue;
      }
      if (raw[k] == '=' || raw[k] == ':' || is_blank(raw[k])) break;
      ++k;
    }
    std::string key = unescape(std::string_view(raw).substr(b, std::min(k, raw.size()) - b));
    std::size_t v = std::min(k, raw.size());
    while (v < raw.size() && is_blank(raw[v])) ++v;
    if (v < raw.size() && (raw[v] == '=' || raw[v] == ':')) ++v;
    while (v < raw.size() && is_blank(raw[v])) ++v;
    props[key] = unescape(std::string_view(raw).substr(v));
  }
  return props;
}

ConfigMap read_properties_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("Could not read properties file " + path.string());
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_properties(buf.str());
}

}  // namespace sluice::runtime
