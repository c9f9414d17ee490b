#include "rest/listener_address.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "sluice/errors.h"

namespace sluice::rest {

namespace {
[[noreturn]] void invalid(const std::string& listener, const std::string& why) {
  throw ConfigError("listeners", fmt::format("Invalid listener '{}': {}", listener, why));
}
}  // namespace

ListenerAddress parse_listener(const std::string& listener) {
  auto sep = listener.find("://");
  if (sep == std::string::npos) invalid(listener, "expected http://host:port");
  std::string scheme = listener.substr(0, sep);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme == "https") {
    invalid(listener, "HTTPS listeners are not supported by this worker; use http:// (behind a TLS proxy if needed)");
  }
  if (scheme != "http") invalid(listener, fmt::format("unknown protocol '{}'; expected http", scheme));

  std::string rest = listener.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  ListenerAddress address;
  std::string port_text;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      invalid(listener, "expected http://[ipv6]:port");
    }
    address.host = rest.substr(1, close - 1);
    port_text = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) invalid(listener, "a port is required (http://host:port)");
    address.host = rest.substr(0, colon);
    if (address.host.find(':') != std::string::npos) invalid(listener, "IPv6 addresses must be in brackets");
    port_text = rest.substr(colon + 1);
  }
  bool digits = !port_text.empty() && port_text.size() <= 5 &&
                std::all_of(port_text.begin(), port_text.end(), [](unsigned char c) { return std::isdigit(c); });
  if (!digits || std::stoi(port_text) > 65535) invalid(listener, fmt::format("invalid port '{}'", port_text));
  address.port = static_cast<std::uint16_t>(std::stoi(port_text));
  return address;
}

}  // namespace sluice::rest
