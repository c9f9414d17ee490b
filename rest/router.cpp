#include "rest/router.h"

#include <algorithm>
#include <cctype>

#include "rest/error_mapping.h"

namespace sluice::rest {

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "/connectors/x/" and "/connectors/x" are the same resource, as in Jersey.
std::vector<std::string> path_segments(std::string_view path) {
  std::vector<std::string> segments;
  for (auto part : split(path, '/')) {
    if (!part.empty()) segments.push_back(percent_decode(part, false));
  }
  return segments;
}

std::multimap<std::string, std::string> parse_query(std::string_view query) {
  std::multimap<std::string, std::string> out;
  if (query.empty()) return out;
  for (auto pair : split(query, '&')) {
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
    out.emplace(std::move(key), std::move(value));
  }
  return out;
}

bool is_param(const std::string& segment) { return segment.size() >= 2 && segment.front() == '{'; }

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) throw RestError(400, "Malformed percent-encoding in request URI");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool is_json_media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  std::string_view type = content_type.substr(0, semi);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) type.remove_suffix(1);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front()))) type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  return type.size() == kJson.size() && std::equal(type.begin(), type.end(), kJson.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

std::optional<std::string> RouteRequest::query(const std::string& name) const {
  auto it = query_.find(name);
  if (it == query_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> RouteRequest::query_all(const std::string& name) const {
  std::vector<std::string> values;
  auto [begin, end] = query_.equal_range(name);
  for (auto it = begin; it != end; ++it) values.push_back(it->second);
  return values;
}

bool RouteRequest::query_flag(const std::string& name) const {
  auto value = query(name);
  if (!value) return false;
  std::string lower = *value;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "true";
}

void Router::add(std::string method, std::string_view pattern, RouteHandler handler, Body body) {
  Route route{std::move(method), {}, std::move(handler), body};
  for (auto part : split(pattern, '/')) {
    if (!part.empty()) route.segments.emplace_back(part);
  }
  routes_.push_back(std::move(route));
}

HttpResponse Router::dispatch(const HttpRequest& request) const noexcept {
  try {
    std::string_view target = request.target;
    auto question = target.find('?');
    std::string_view path = target.substr(0, question);
    std::string_view query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    if (path.empty() || path.front() != '/') throw RestError(400, "Request target must be an absolute path");
    auto segments = path_segments(path);

    bool path_known = false;
    for (const auto& route : routes_) {
      if (route.segments.size() != segments.size()) continue;
      std::map<std::string, std::string> params;
      bool matches = true;
      for (std::size_t i = 0; i < segments.size() && matches; ++i) {
        const auto& want = route.segments[i];
        if (is_param(want)) {
          params[want.substr(1, want.size() - 2)] = segments[i];
        } else {
          matches = want == segments[i];
        }
      }
      if (!matches) continue;
      path_known = true;
      if (route.method != request.method) continue;
      if (route.body == Body::kJson && !is_json_media_type(request.content_type)) {
        throw RestError(415, "HTTP 415 Unsupported Media Type");
      }
      RouteRequest route_request(std::move(params), parse_query(query), request.body);
      return route.handler(route_request);
    }
    if (path_known) throw RestError(405, "HTTP 405 Method Not Allowed");
    throw RestError(404, "HTTP 404 Not Found");
  } catch (...) {
    return error_response(std::current_exception());
  }
}

}  // namespace sluice::rest
