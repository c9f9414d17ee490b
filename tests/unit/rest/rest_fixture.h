#pragma once

// A real RestServer on an ephemeral loopback port over a FakeHerder, plus a raw connection for
// the tests that need to misbehave (partial headers, keep-alive, silence).
#include <poll.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "rest/rest_server.h"
#include "support/http_client.h"
#include "unit/rest/fake_herder.h"

namespace sluice::testing {

inline rest::RestServerOptions fast_options() {
  rest::RestServerOptions options;
  options.listeners = {"http://127.0.0.1:0"};
  options.idle_timeout = std::chrono::milliseconds(1500);
  options.header_timeout = std::chrono::milliseconds(300);
  options.max_body_bytes = 64 * 1024;
  options.max_header_bytes = 8 * 1024;
  return options;
}

struct RestFixture {
  explicit RestFixture(rest::RestServerOptions options = fast_options()) : server(herder, std::move(options)) {
    server.start();
    port = server.bound_ports().at(0);
  }

  HttpResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                       const std::string& content_type = "application/json") {
    return http(port, method, target, body, content_type);
  }
  nlohmann::json get_json(const std::string& target) {
    auto r = request("GET", target);
    if (r.status != 200) throw std::runtime_error("GET " + target + " -> " + std::to_string(r.status) + " " + r.body);
    return nlohmann::json::parse(r.body);
  }
  void add_connector(const std::string& name, ConfigMap config = {{"connector.class", "FileStreamSource"}}) {
    config["name"] = name;
    herder.put_connector_config(name, config, true, std::nullopt);
  }

  FakeHerder herder;
  rest::RestServer server;
  std::uint16_t port = 0;
};

// One client connection that stays open between requests.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : fd_(connect_loopback(port)) {
    if (fd_ < 0) throw std::runtime_error("cannot connect");
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }

  // Reads one response delimited by Content-Length (the server always sends one).
  HttpResponse read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    while (true) {
      auto head_end = pending_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        auto head = parse_response(pending_.substr(0, head_end + 4));
        std::size_t length = head.headers.count("content-length") ? std::stoul(head.headers["content-length"]) : 0;
        if (pending_.size() >= head_end + 4 + length) {
          head.body = pending_.substr(head_end + 4, length);
          pending_.erase(0, head_end + 4 + length);
          return head;
        }
      }
      if (!read_some(timeout)) throw std::runtime_error("connection closed or timed out: " + pending_);
    }
  }

  // True when the server closes the connection (EOF or reset) within `timeout`; bytes read on the
  // way are kept in pending().
  bool closed_within(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count()) + 1) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
      pending_.append(buf, static_cast<std::size_t>(n));
    }
    return false;
  }

  const std::string& pending() const { return pending_; }

 private:
  bool read_some(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  std::string pending_;
};

}  // namespace sluice::testing
