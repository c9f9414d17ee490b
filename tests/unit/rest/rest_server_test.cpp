#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "unit/rest/rest_fixture.h"

using namespace sluice::testing;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("Port 0 binds an ephemeral port and bound_ports() reports it", "[rest]") {
  RestFixture f;
  REQUIRE(f.port != 0);
  REQUIRE(f.request("GET", "/").status == 200);
}

TEST_CASE("Several listeners each serve; a taken port fails start() naming the listener", "[rest]") {
  FakeHerder herder;
  auto options = fast_options();
  options.listeners = {"http://127.0.0.1:0", "http://:0"};
  sluice::rest::RestServer server(herder, options);
  server.start();
  auto ports = server.bound_ports();
  REQUIRE(ports.size() == 2);
  REQUIRE(http(ports[0], "GET", "/").status == 200);
  REQUIRE(http(ports[1], "GET", "/").status == 200);

  auto taken = fast_options();
  std::string listener = "http://127.0.0.1:" + std::to_string(ports[0]);
  taken.listeners = {listener};
  sluice::rest::RestServer second(herder, taken);
  REQUIRE_THROWS_WITH(second.start(), Catch::Contains(listener));
  server.stop();
  server.stop();  // idempotent
}

TEST_CASE("An https listener is refused with a clear ConfigError", "[rest]") {
  FakeHerder herder;
  auto options = fast_options();
  options.listeners = {"https://127.0.0.1:0"};
  sluice::rest::RestServer server(herder, options);
  REQUIRE_THROWS_AS(server.start(), sluice::ConfigError);
}

TEST_CASE("An IPv6 loopback listener binds when the machine has IPv6", "[rest]") {
  FakeHerder herder;
  auto options = fast_options();
  options.listeners = {"http://[::1]:0"};
  sluice::rest::RestServer server(herder, options);
  try {
    server.start();
  } catch (const sluice::ConnectError& e) {
    WARN("no IPv6 loopback here: " << e.what());
    return;
  }
  REQUIRE(server.bound_ports().at(0) != 0);
}

TEST_CASE("A slow herder call does not block other requests", "[rest]") {
  RestFixture f;
  f.herder.hold_connectors = true;
  auto slow = std::async(std::launch::async, [&] { return f.request("GET", "/connectors"); });
  std::this_thread::sleep_for(100ms);
  auto started = std::chrono::steady_clock::now();
  // More requests than io threads, all answered while /connectors is still held.
  for (int i = 0; i < 5; ++i) REQUIRE(f.request("GET", "/").status == 200);
  REQUIRE(f.request("GET", "/health").status == 200);
  REQUIRE(std::chrono::steady_clock::now() - started < 2s);
  REQUIRE(slow.wait_for(0ms) == std::future_status::timeout);
  f.herder.release();
  REQUIRE(slow.get().status == 200);
}

TEST_CASE("Keep-alive: several requests on one connection", "[rest]") {
  RestFixture f;
  RawConnection c(f.port);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read_response();
    REQUIRE(r.status == 200);
    REQUIRE(json::parse(r.body)["version"] == "1.2.3");
  }
  // Two pipelined requests are answered in order.
  REQUIRE(c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(c.read_response().status == 200);
  REQUIRE(c.read_response().status == 404);
  // A body on a kept-alive connection is read exactly.
  std::string body = R"({"name":"k","config":{}})";
  REQUIRE(c.send("POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body));
  REQUIRE(c.read_response().status == 201);
  REQUIRE(c.send("GET /connectors HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(json::parse(c.read_response().body) == json::array({"k"}));
}

TEST_CASE("A body over the limit is answered with 413 and the connection closed", "[rest]") {
  RestFixture f;
  std::string big(100 * 1024, 'x');
  auto raw = raw_exchange(f.port, "POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                  "Content-Length: " + std::to_string(big.size()) + "\r\n\r\n" + big);
  auto r = parse_response(raw);
  REQUIRE(r.status == 413);
  REQUIRE(json::parse(r.body)["error_code"] == 413);
  // Chunked bodies are counted too.
  std::string chunked = "POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(4096, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  REQUIRE(parse_response(raw_exchange(f.port, chunked)).status == 413);
  REQUIRE(f.request("GET", "/").status == 200);
}

TEST_CASE("Oversized headers get 431, garbage and bad request lines 400, then close", "[rest]") {
  RestFixture f;
  auto huge = raw_exchange(f.port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'h') + "\r\n\r\n");
  REQUIRE(parse_response(huge).status == 431);
  auto garbage = raw_exchange(f.port, std::string("\x16\x03\x01\x00garbage that is not HTTP\r\n\r\n", 34));
  REQUIRE(parse_response(garbage).status == 400);
  REQUIRE(parse_response(raw_exchange(f.port, "GET / HTTP/9\r\n\r\n")).status == 400);
  REQUIRE(parse_response(raw_exchange(f.port, "G(T / HTTP/1.1\r\n\r\n")).status == 400);
  REQUIRE(parse_response(raw_exchange(f.port, "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n")).status == 400);
  REQUIRE(f.request("GET", "/").status == 200);
}

TEST_CASE("A half-open request header is closed after header_timeout, silence after idle_timeout", "[rest]") {
  RestFixture f;  // header_timeout 300 ms, idle_timeout 1500 ms
  RawConnection partial(f.port);
  REQUIRE(partial.send("GET / HTTP/1.1\r\nHost: x\r\n"));
  REQUIRE(partial.closed_within(1200ms));

  RawConnection silent(f.port);
  auto started = std::chrono::steady_clock::now();
  REQUIRE(silent.closed_within(4s));
  REQUIRE(std::chrono::steady_clock::now() - started >= 1000ms);

  // A connection idle after a response is closed as well.
  RawConnection kept(f.port);
  REQUIRE(kept.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(kept.read_response().status == 200);
  REQUIRE(kept.closed_within(4s));
  REQUIRE(f.request("GET", "/").status == 200);
}

TEST_CASE("A stalled body is closed after idle_timeout", "[rest]") {
  RestFixture f;
  RawConnection c(f.port);
  REQUIRE(c.send("POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"));
  REQUIRE(c.closed_within(4s));
  REQUIRE(f.herder.connectors_.empty());
}

TEST_CASE("Connections beyond max_connections are closed at once; the rest are served", "[rest]") {
  auto options = fast_options();
  options.max_connections = 2;
  options.idle_timeout = 5s;
  RestFixture f(options);
  RawConnection a(f.port), b(f.port);
  REQUIRE(a.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(a.read_response().status == 200);
  REQUIRE(b.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(b.read_response().status == 200);
  RawConnection third(f.port);
  REQUIRE(third.closed_within(2s));
  REQUIRE(third.pending().empty());
  REQUIRE(a.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(a.read_response().status == 200);
}

TEST_CASE("Expect: 100-continue is honoured", "[rest]") {
  RestFixture f;
  RawConnection c(f.port);
  std::string body = R"({"name":"e","config":{}})";
  REQUIRE(c.send("POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                 "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  auto cont = c.read_response();
  REQUIRE(cont.status == 100);
  REQUIRE(c.send(body));
  REQUIRE(c.read_response().status == 201);
}

TEST_CASE("HTTP/1.0 requests are answered and closed", "[rest]") {
  RestFixture f;
  auto raw = raw_exchange(f.port, "GET / HTTP/1.0\r\n\r\n");
  auto r = parse_response(raw);
  REQUIRE(r.status == 200);
  REQUIRE(raw.rfind("HTTP/1.0 200", 0) == 0);
}
