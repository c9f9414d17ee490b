#include "jdbc_url.h"

#include <charconv>

#include "sluice/errors.h"

namespace sluice::jdbc {

namespace {

constexpr const char* kKey = "connection.url";

[[noreturn]] void fail(std::string_view url, const std::string& reason) {
  throw ConfigError(kKey, "'" + std::string(url) + "' is not a JDBC URL this sink can use: " + reason);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view url, std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) fail(url, "truncated % escape");
    int hi = hex_digit(text[i + 1]);
    int lo = hex_digit(text[i + 2]);
    if (hi < 0 || lo < 0) fail(url, "bad % escape in '" + std::string(text) + "'");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// host, [v6] or host:port, [v6]:port.
void parse_authority(std::string_view url, std::string_view authority, ConnectionSettings& out) {
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) fail(url, "unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') fail(url, "unexpected text after the IPv6 address");
      port_text = rest.substr(1);
      if (port_text.empty()) fail(url, "empty port");
    }
  } else {
    auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) fail(url, "empty port");
    }
  }
  if (out.host.empty()) fail(url, "no host");
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      fail(url, "port '" + std::string(port_text) + "' is not a number in 1..65535");
    }
    out.port = port;
  }
}

void parse_query(std::string_view url, std::string_view query, ConnectionSettings& out) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    std::string key = percent_decode(url, item.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percent_decode(url, item.substr(eq + 1));
    if (key.empty()) fail(url, "a query parameter without a name");
    if (key == "user") {
      out.user = value;
    } else if (key == "password") {
      out.password = value;
    } else {
      out.properties.emplace_back(std::move(key), std::move(value));
    }
  }
}

}  // namespace

JdbcUrl parse_jdbc_url(std::string_view url) {
  constexpr std::string_view kPrefix = "jdbc:";
  if (url.substr(0, kPrefix.size()) != kPrefix) fail(url, "it must start with 'jdbc:'");
  std::string_view rest = url.substr(kPrefix.size());
  auto sep = rest.find("://");
  if (sep == std::string_view::npos) fail(url, "expected jdbc:<database>://host[:port]/database");
  JdbcUrl out;
  out.scheme = std::string(rest.substr(0, sep));
  if (out.scheme != "postgresql" && out.scheme != "mysql" && out.scheme != "mariadb") {
    fail(url, "unknown database '" + out.scheme + "' (postgresql, mysql and mariadb are supported)");
  }
  rest = rest.substr(sep + 3);
  auto query_start = rest.find('?');
  std::string_view query =
      query_start == std::string_view::npos ? std::string_view{} : rest.substr(query_start + 1);
  rest = rest.substr(0, query_start);
  auto slash = rest.find('/');
  parse_authority(url, rest.substr(0, slash), out.connection);
  if (slash != std::string_view::npos) {
    out.connection.database = percent_decode(url, rest.substr(slash + 1));
    if (out.connection.database.find('/') != std::string::npos) {
      fail(url, "the database name contains '/'");
    }
  }
  parse_query(url, query, out.connection);
  return out;
}

}  // namespace sluice::jdbc
