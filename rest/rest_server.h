// RestServer: Kafka Connect's REST API over HTTP/1.1, a thin adapter over a Herder.
//
// Threads. start() binds every listener and starts two fixed pools, both owned by this object
// and joined by stop():
//   * `io_threads` threads run the network: accept, read, parse, write and every timeout. They
//     never call the Herder, so a herder call that blocks for seconds cannot stall another
//     connection, a timeout, or GET /.
//   * `handler_threads` threads run the routes (one Herder call each): that many herder calls
//     run at once, and a request arriving while all of them are busy waits in the queue. A
//     connection has at most one request being handled at a time (pipelined requests are answered
//     in order), so the queue is bounded by `max_connections`.
// Only start() and stop() may be called from outside; both from one controlling thread.
//
// Protection against clients that misbehave (none of it touches running tasks):
//   a request body over `max_body_bytes` -> 413 and close; a header over `max_header_bytes` -> 431
//   and close; an unparsable request -> 400 and close; no request within `idle_timeout` of the
//   connection opening or of the last response -> close; a request header not complete within
//   `header_timeout` of its first byte -> close; a body or a response write stalled for
//   `idle_timeout` -> close; beyond `max_connections` open connections a new one is closed at once.
//   Keep-alive is supported (HTTP/1.1 default).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sluice::runtime {
class Herder;
}

namespace sluice::rest {

struct RestServerOptions {
  std::vector<std::string> listeners;  // Kafka's form, see listener_address.h; empty = "http://:8083"
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  std::size_t max_connections = 256;
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds header_timeout{10'000};
  int io_threads = 2;
  int handler_threads = 4;
};

class RestServer {
 public:
  // Borrows `herder`, which must outlive this server.
  RestServer(runtime::Herder& herder, RestServerOptions options);
  ~RestServer();  // stop()s
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  // Binds every listener and starts serving. Throws ConfigError for a malformed listener and
  // ConnectError naming the listener when it cannot be bound.
  void start();
  // The bound ports, in listener order (the real one for port 0). Empty before start().
  std::vector<std::uint16_t> bound_ports() const;
  // Stops accepting, closes every connection, waits for requests being handled. Idempotent.
  void stop();

 private:
  class Transport;  // the Boost.Beast side, in rest_server.cpp
  std::unique_ptr<Transport> transport_;
};

}  // namespace sluice::rest
