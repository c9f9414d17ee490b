// Router: (method, path pattern) -> handler, the way Kafka's JAX-RS resources are declared.
//
// Patterns are literal segments and `{name}` parameters: "/connectors/{connector}/tasks/{task}/status".
// Each path segment is percent-decoded after the path is split, so a connector named "a/b" is
// addressed as "/connectors/a%2Fb". A path that matches no pattern is 404; one that matches a
// pattern under another method is 405. A route declared with Body::kJson refuses a request whose
// Content-Type is not application/json with 415. Handlers throw; dispatch() maps every exception
// through error_response() and never throws.
//
// Built once before the server starts and read-only afterwards: dispatch() may run on many
// threads at once.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rest/http_message.h"

namespace sluice::rest {

// What a handler receives: the path parameters, the decoded query and the raw body.
class RouteRequest {
 public:
  RouteRequest(std::map<std::string, std::string> params, std::multimap<std::string, std::string> query,
               const std::string& body)
      : params_(std::move(params)), query_(std::move(query)), body_(body) {}

  // The decoded value of a `{name}` of the pattern.
  const std::string& param(const std::string& name) const { return params_.at(name); }
  // The first value of a query parameter, if present.
  std::optional<std::string> query(const std::string& name) const;
  // Every value of a repeated query parameter ("expand=status&expand=info").
  std::vector<std::string> query_all(const std::string& name) const;
  // Kafka's boolean query parameters: "true" in any case is true; absent or anything else false.
  bool query_flag(const std::string& name) const;
  const std::string& body() const { return body_; }

 private:
  std::map<std::string, std::string> params_;
  std::multimap<std::string, std::string> query_;
  const std::string& body_;
};

using RouteHandler = std::function<HttpResponse(const RouteRequest&)>;

enum class Body { kNone, kJson };

class Router {
 public:
  void add(std::string method, std::string_view pattern, RouteHandler handler, Body body = Body::kNone);

  HttpResponse dispatch(const HttpRequest& request) const noexcept;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" for a parameter
    RouteHandler handler;
    Body body;
  };
  std::vector<Route> routes_;
};

// Percent-decodes one path segment or query component; '+' means space only in a query.
// Throws RestError(400) on a malformed escape.
std::string percent_decode(std::string_view text, bool plus_is_space);

// True for "application/json", with or without parameters (charset=utf-8), any case.
bool is_json_media_type(std::string_view content_type);

}  // namespace sluice::rest
