// The only file that compiles Boost.Beast: everything else in rest/ sees HttpRequest/HttpResponse.
#include "rest/rest_server.h"

#include <array>
#include <atomic>
#include <optional>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "rest/error_mapping.h"
#include "rest/listener_address.h"
#include "rest/routes.h"
#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::rest {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

const log::Logger kLog("sluice.rest");

// What every connection shares. Connections hold it by shared_ptr because the last of them may
// be destroyed while the Transport tears down its io_context; options and router outlive both.
struct Shared {
  Shared(const RestServerOptions& o, const Router& r, net::thread_pool& h) : options(o), router(r), handlers(h) {}
  const RestServerOptions& options;
  const Router& router;
  net::thread_pool& handlers;
  std::atomic<std::size_t> connections{0};
};

bool is_parse_error(const error_code& ec) {
  static const auto& http_category = http::make_error_code(http::error::bad_method).category();
  return ec.category() == http_category;
}

// One client connection. Its handlers run on its strand (io threads); the route runs on a
// handler thread and posts the response back to the strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_ref_(std::move(shared)), shared_(*shared_ref_) {
    ++shared_.connections;
  }
  ~Session() { --shared_.connections; }

  void start() { await_request(); }

 private:
  // Between requests only the idle timeout applies; once a byte arrives the header must be
  // complete within header_timeout (a slow-loris client cannot hold the connection forever).
  void await_request() {
    if (buffer_.size() > 0) return read_header();
    stream_.expires_after(shared_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](error_code ec, std::size_t n) {
      if (ec) return self->close();
      self->buffer_.commit(n);
      self->read_header();
    });
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.max_header_bytes));
    parser_->body_limit(shared_.options.max_body_bytes);
    stream_.expires_after(shared_.options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->fail(ec);
      self->on_header();
    });
  }

  void on_header() {
    auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(shared_.options.idle_timeout);
      net::async_write(stream_, net::buffer(kContinue), [self = shared_from_this()](error_code ec, std::size_t) {
        if (ec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(shared_.options.idle_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->fail(ec);
      self->handle();
    });
  }

  void handle() {
    stream_.expires_never();  // a herder call may take seconds; no I/O is pending meanwhile
    auto& message = parser_->get();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    HttpRequest request{std::string(message.method_string()), std::string(message.target()),
                        std::string(message[http::field::content_type]), std::move(message.body())};
    parser_.reset();
    net::post(shared_.handlers, [self = shared_from_this(), request = std::move(request)]() {
      HttpResponse response = self->shared_.router.dispatch(request);
      kLog.debug("{} {} {}", request.method, request.target, response.status);
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->write(std::move(response), false);
      });
    });
  }

  void fail(const error_code& ec) {
    if (ec == http::error::body_limit) {
      return write(error_body(413, fmt::format("Request body is larger than {} bytes", shared_.options.max_body_bytes)),
                   true);
    }
    if (ec == http::error::header_limit) return write(error_body(431, "Request header fields too large"), true);
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return close();
    if (is_parse_error(ec)) return write(error_body(400, fmt::format("Bad request: {}", ec.message())), true);
    close();  // timeout, reset, shutdown
  }

  void write(HttpResponse response, bool close_after) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), close_after ? 11 : version_);
    res->set(http::field::server, "sluice");
    if (!response.body.empty()) res->set(http::field::content_type, "application/json");
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive_ && !close_after);
    res->prepare_payload();
    stream_.expires_after(shared_.options.idle_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!res->keep_alive()) return self->finish();
      self->await_request();
    });
  }

  // Half-close, then read (and drop) what the client still sends until it closes: closing with
  // unread bytes would reset the connection and could destroy the response before it is read.
  void finish() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    drain(0);
  }

  void drain(std::size_t drained) {
    stream_.expires_after(std::min<std::chrono::milliseconds>(shared_.options.idle_timeout, std::chrono::seconds(2)));
    stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this(), drained](error_code ec, std::size_t n) {
      if (ec || drained + n > 4 * self->shared_.options.max_body_bytes) return self->close();
      self->drain(drained + n);
    });
  }

  void close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_ref_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  std::array<char, 4096> scratch_{};
};

// Accepts on one bound socket; each connection gets its own strand.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, tcp::acceptor acceptor, std::shared_ptr<Shared> shared)
      : io_(io), acceptor_(std::move(acceptor)), backoff_(io), shared_(std::move(shared)) {}

  void accept() {
    acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        // Out of file descriptors, usually: wait a little rather than spin.
        kLog.warn("accept failed: {}", ec.message());
        self->backoff_.expires_after(std::chrono::milliseconds(100));
        self->backoff_.async_wait([self](error_code e) {
          if (!e) self->accept();
        });
        return;
      }
      if (self->shared_->connections.load() >= self->shared_->options.max_connections) {
        kLog.debug("refusing a connection: {} already open", self->shared_->connections.load());
        error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), self->shared_)->start();
      }
      self->accept();
    });
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void close() {
    error_code ignored;
    acceptor_.close(ignored);
    backoff_.cancel();
  }

 private:
  net::io_context& io_;
  tcp::acceptor acceptor_;
  net::steady_timer backoff_;
  std::shared_ptr<Shared> shared_;
};

tcp::acceptor bind_listener(net::io_context& io, const std::string& listener) {
  ListenerAddress address = parse_listener(listener);
  try {
    tcp::resolver resolver(io);
    std::string host = address.host.empty() ? "0.0.0.0" : address.host;
    auto results = resolver.resolve(host, std::to_string(address.port), tcp::resolver::passive | tcp::resolver::numeric_service);
    tcp::endpoint endpoint = results.begin()->endpoint();
    tcp::acceptor acceptor(io);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    return acceptor;
  } catch (const boost::system::system_error& e) {
    throw ConnectError(fmt::format("Cannot listen on {}: {}", listener, e.code().message()));
  }
}

}  // namespace

class RestServer::Transport {
 public:
  Transport(runtime::Herder& herder, RestServerOptions options)
      : options_(std::move(options)), router_(build_router(herder)) {
    if (options_.listeners.empty()) options_.listeners.push_back("http://:8083");
    if (options_.io_threads < 1) options_.io_threads = 1;
    if (options_.handler_threads < 1) options_.handler_threads = 1;
  }

  ~Transport() { stop(); }

  void start() {
    if (started_) throw ConnectError("RestServer already started");
    std::vector<tcp::acceptor> acceptors;
    for (const auto& listener : options_.listeners) acceptors.push_back(bind_listener(io_, listener));
    started_ = true;
    handlers_.emplace(static_cast<std::size_t>(options_.handler_threads));
    shared_ = std::make_shared<Shared>(options_, router_, *handlers_);
    for (auto& acceptor : acceptors) {
      auto listener = std::make_shared<Listener>(io_, std::move(acceptor), shared_);
      ports_.push_back(listener->port());
      listeners_.push_back(listener);
      listener->accept();
    }
    for (int i = 0; i < options_.io_threads; ++i) {
      io_threads_.emplace_back([this] { run_io(); });
    }
  }

  std::vector<std::uint16_t> bound_ports() const { return ports_; }

  void stop() {
    if (!started_ || stopped_) return;
    stopped_ = true;
    work_.reset();
    io_.stop();
    for (auto& t : io_threads_) t.join();
    io_threads_.clear();
    // Requests being handled finish (the herder bounds them); queued ones are dropped.
    handlers_->stop();
    handlers_->join();
    for (auto& listener : listeners_) listener->close();
    listeners_.clear();
  }

 private:
  void run_io() {
    while (true) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        kLog.error("REST I/O thread: {}", e.what());
      }
    }
  }

  RestServerOptions options_;
  Router router_;
  // Destroyed in reverse order: the handler pool first (a request it dropped holds a connection,
  // whose socket needs the io_context), then the io_context with the connections queued in it.
  net::io_context io_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_{io_.get_executor()};
  std::shared_ptr<Shared> shared_;
  std::optional<net::thread_pool> handlers_;
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::thread> io_threads_;
  bool started_ = false;
  bool stopped_ = false;
};

RestServer::RestServer(runtime::Herder& herder, RestServerOptions options)
    : transport_(std::make_unique<Transport>(herder, std::move(options))) {}

RestServer::~RestServer() = default;

void RestServer::start() { transport_->start(); }

std::vector<std::uint16_t> RestServer::bound_ports() const { return transport_->bound_ports(); }

void RestServer::stop() { transport_->stop(); }

}  // namespace sluice::rest
