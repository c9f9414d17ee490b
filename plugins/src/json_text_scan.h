#pragma once
// Word-at-a-time scanning of JSON string contents, shared by the writer and the reader: most
// strings (hashes, names, text columns) hold no character that needs an escape, and checking
// eight bytes per step instead of one is most of the cost of a long string.

#include <cstdint>
#include <cstring>

namespace sluice::json::detail {

// True when one of the eight bytes of `word` is below 0x20, a '"' or a '\\' (the bytes that end
// a plain run inside a JSON string). Exact as an existence test: the "some byte is less than n"
// identity (n <= 128) and the zero-byte identity after xor with the quote and the backslash.
inline bool word_has_special(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  auto has_zero_byte = [](std::uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighs;
  return (below_space | has_zero_byte(word ^ (kOnes * '"')) | has_zero_byte(word ^ (kOnes * '\\'))) != 0;
}

// The first position in [p, end) whose eight-byte word may hold a special byte, or where fewer
// than eight bytes remain; the caller goes on byte by byte from there.
inline const char* skip_plain_words(const char* p, const char* end) {
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if (word_has_special(word)) break;
    p += 8;
  }
  return p;
}

}  // namespace sluice::json::detail
