#include "line_reader.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "sluice/errors.h"

namespace sluice::file {

LineReader::LineReader(std::int64_t position, std::size_t chunk_size)
    : chunk_size_(chunk_size), position_(position) {}

// Keeps at least one chunk of free space after end_: slide the unread bytes to the front when
// that frees enough, grow only when a single partial line is longer than the buffer.
void LineReader::make_room() {
  if (begin_ == end_) begin_ = scan_ = end_ = 0;
  if (buffer_.size() - end_ >= chunk_size_) return;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() - end_ < chunk_size_) buffer_.resize(end_ + chunk_size_);
}

std::size_t LineReader::fill(int fd) {
  make_room();
  while (true) {
    ssize_t n = ::read(fd, buffer_.data() + end_, buffer_.size() - end_);
    if (n >= 0) {
      end_ += static_cast<std::size_t>(n);
      return static_cast<std::size_t>(n);
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    throw ConnectError(std::string("read failed: ") + ::strerror(errno));
  }
}

std::optional<std::string_view> LineReader::next_line() {
  std::size_t from = begin_ + scan_;
  const char* start = buffer_.data();
  const void* newline = from < end_ ? std::memchr(start + from, '\n', end_ - from) : nullptr;
  if (newline == nullptr) {
    scan_ = end_ - begin_;
    return std::nullopt;
  }
  std::size_t eol = static_cast<std::size_t>(static_cast<const char*>(newline) - start);
  std::size_t length = eol - begin_;
  std::string_view line(start + begin_, length);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  position_ += static_cast<std::int64_t>(length + 1);
  begin_ = eol + 1;
  scan_ = 0;
  return line;
}

void LineReader::reset(std::int64_t position) {
  begin_ = scan_ = end_ = 0;
  position_ = position;
}

}  // namespace sluice::file
