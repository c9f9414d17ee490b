// One entry of the worker's `listeners`, in Kafka's form: "http://127.0.0.1:8083",
// "http://:8083" (every interface), "http://[::1]:8083", "http://0.0.0.0:0" (ephemeral port).
#pragma once

#include <cstdint>
#include <string>

namespace sluice::rest {

struct ListenerAddress {
  std::string host;  // empty = every interface; IPv6 literals without brackets
  std::uint16_t port = 0;
};

// Throws sluice::ConfigError("listeners", ...) for anything but a well-formed http:// listener
// (https is refused with a message saying so).
ListenerAddress parse_listener(const std::string& listener);

}  // namespace sluice::rest
