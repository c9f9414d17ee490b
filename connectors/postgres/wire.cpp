#include "wire.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <sluice/errors.h>

#include <fmt/format.h>

namespace sluice::postgres::wire {
namespace {

std::uint32_t read_be32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap32(v);
}

void append_be32(std::string& out, std::uint32_t v) {
  v = __builtin_bswap32(v);
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

[[noreturn]] void throw_lost(std::string_view context, std::string_view why) {
  throw RetriableError(fmt::format("{}: connection to PostgreSQL lost: {}", context, why));
}

void wait_for(int fd, short events, std::string_view context) {
  pollfd p{fd, events, 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) throw_lost(context, std::strerror(errno));
  }
}

}  // namespace

std::optional<std::size_t> message_size(const char* p, std::size_t available) {
  if (available < kHeaderSize) return std::nullopt;
  std::uint32_t length = read_be32(p + 1);
  if (length < 4 || length > kMaxMessage) {
    throw ConnectError(fmt::format("malformed message from the server: type '{}' with length {}", p[0], length));
  }
  return std::size_t{length} + 1;
}

ServerError parse_error(std::string_view body) {
  ServerError e;
  // Fields: a code byte, then a NUL-terminated string; a lone NUL ends the list.
  while (!body.empty() && body.front() != '\0') {
    char code = body.front();
    body.remove_prefix(1);
    auto end = body.find('\0');
    std::string_view value = body.substr(0, end);
    switch (code) {
      case 'C': e.sqlstate = value; break;
      case 'M': e.primary = value; break;
      case 'D': e.detail = value; break;
      case 'H': e.hint = value; break;
      default: break;
    }
    if (end == std::string_view::npos) break;
    body.remove_prefix(end + 1);
  }
  if (e.sqlstate.empty()) e.sqlstate = "XX000";
  if (e.primary.empty()) e.primary = "(the server sent no message)";
  return e;
}

std::string query_message(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 6);
  out += 'Q';
  append_be32(out, static_cast<std::uint32_t>(sql.size() + 5));
  out.append(sql);
  out += '\0';
  return out;
}

std::string copy_data_message(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + kHeaderSize);
  out += 'd';
  append_be32(out, static_cast<std::uint32_t>(payload.size() + 4));
  out.append(payload);
  return out;
}

void write_all(int fd, const char* data, std::size_t size, std::string_view context) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_for(fd, POLLOUT, context);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      throw_lost(context, n == 0 ? "the socket accepts no data" : std::strerror(errno));
    }
  }
}

std::size_t read_some(int fd, char* out, std::size_t room, std::string_view context) {
  for (;;) {
    ssize_t n = ::recv(fd, out, room, MSG_DONTWAIT);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) throw_lost(context, "the server closed the connection");
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno != EINTR) throw_lost(context, std::strerror(errno));
  }
}

void wait_readable(int fd, std::string_view context) { wait_for(fd, POLLIN, context); }

}  // namespace sluice::postgres::wire
