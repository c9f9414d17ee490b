// The few pieces of PostgreSQL's frontend/backend protocol (version 3) that ReplicationStream
// speaks itself on a plain socket while streaming: message framing, ErrorResponse fields, the
// Query and CopyData messages, and complete writes on a non-blocking socket.
//
// Why not libpq: PQgetCopyData allocates and copies every message (a million mallocs and frees
// per million changes) after libpq has already copied it once into its input buffer; framing the
// messages where they were received costs one copy from the socket and nothing per message.
// libpq stays in charge of connecting, authentication, encryption and every command but
// START_REPLICATION; an encrypted connection (SSL, GSS) is streamed through libpq instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pg_connection.h"

namespace sluice::postgres::wire {

constexpr std::size_t kHeaderSize = 5;  // type byte + int32 length (the length counts itself)
constexpr std::size_t kMaxMessage = 1u << 30;  // the server never sends more (MaxAllocSize)

// The whole size (header included) of the message that starts at `p`, once its header is among
// the `available` bytes; nullopt before. A length the protocol cannot have throws ConnectError.
std::optional<std::size_t> message_size(const char* p, std::size_t available);

inline std::string_view message_body(const char* p, std::size_t size) {
  return std::string_view(p + kHeaderSize, size - kHeaderSize);
}

// The fields of an ErrorResponse (or NoticeResponse) body.
ServerError parse_error(std::string_view body);

// A simple-protocol Query message for `sql`.
std::string query_message(std::string_view sql);

// A CopyData message around `payload`.
std::string copy_data_message(std::string_view payload);

// Writes all `size` bytes to the socket, waiting (poll) while it is full. A closed or broken
// connection throws RetriableError ("<context>: connection to PostgreSQL lost: ...").
void write_all(int fd, const char* data, std::size_t size, std::string_view context);

// Reads what the socket holds into `out` (at most `room` bytes) without waiting: the count, 0 when
// nothing is there yet. End of stream or a socket error throws RetriableError.
std::size_t read_some(int fd, char* out, std::size_t room, std::string_view context);

// Waits until the socket is readable.
void wait_readable(int fd, std::string_view context);

}  // namespace sluice::postgres::wire
