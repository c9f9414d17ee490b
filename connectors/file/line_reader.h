// LineReader: splits the bytes of a file descriptor into lines and knows the byte position after
// each line, which is what FileStreamSource stores as its offset.
//
// Reads in large chunks (1 MiB by default) and scans them with memchr, so reading a big file costs
// one read(2) per chunk, not one per line. A line ends at "\n"; a "\r" right before it is dropped,
// so "\r\n" files read like "\n" files. A last line without its newline stays buffered until the
// newline arrives (the file is being appended to), so a record is never cut in two.
//
// Not thread-safe: owned by one task thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sluice::file {

class LineReader {
 public:
  // `position` is the byte offset in the file where the next read starts.
  explicit LineReader(std::int64_t position = 0, std::size_t chunk_size = std::size_t{1} << 20);

  // Reads once from `fd` (non-blocking descriptors and regular files; a blocking pipe blocks
  // here). Returns the number of bytes read, 0 at end of file or when nothing is available now.
  // Throws ConnectError on a read error.
  std::size_t fill(int fd);

  // The next complete line without its terminator, or nullopt when only a partial line (or
  // nothing) is buffered. The view is valid until the next fill() or reset().
  std::optional<std::string_view> next_line();

  // Byte offset just after the last line returned by next_line().
  std::int64_t position() const { return position_; }
  // Byte offset of the descriptor: position() plus what is buffered but not yet returned.
  std::int64_t read_position() const {
    return position_ + static_cast<std::int64_t>(end_ - begin_);
  }
  // Bytes buffered that do not form a complete line yet (after next_line() returned nullopt).
  std::size_t buffered() const { return end_ - begin_; }

  // Drops everything buffered; reading continues at `position` (the caller seeks the descriptor).
  void reset(std::int64_t position);

 private:
  void make_room();

  std::vector<char> buffer_;
  std::size_t chunk_size_;
  std::size_t begin_ = 0;  // first byte not yet returned as part of a line
  std::size_t scan_ = 0;   // bytes before this (from begin_) are known to hold no '\n'
  std::size_t end_ = 0;    // one past the last byte read
  std::int64_t position_;
};

}  // namespace sluice::file
