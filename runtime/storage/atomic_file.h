#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::runtime {

// Replaces `path` with `contents` so that a crash at any moment leaves either the old file or the
// new one, never half of either: write a temp file in the same directory, fsync it, rename it over
// the old one, fsync the directory. Throws std::runtime_error with the path and errno text.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// The whole file, or nullopt if it does not exist. Throws std::runtime_error on other errors.
std::optional<std::string> read_file(const std::filesystem::path& path);

}  // namespace sluice::runtime
