// The request and response as the router sees them: plain values, no Boost.Beast, so that only
// rest_server.cpp compiles Beast and the routes can be tested without a socket.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sluice::rest {

struct HttpRequest {
  std::string method;        // "GET", "POST", ...
  std::string target;        // as sent: "/connectors/my%20conn/status?x=1"
  std::string content_type;  // empty when absent
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string body;  // JSON text (unless a Content-Type header says otherwise); empty for 202/204
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type/Length
};

}  // namespace sluice::rest
