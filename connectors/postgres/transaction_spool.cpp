#include "transaction_spool.h"

#include <cerrno>
#include <cstring>
#include <system_error>

#include "sluice/errors.h"

namespace sluice::postgres {
namespace {

constexpr std::size_t kFileBuffer = 256 * 1024;
constexpr std::size_t kHeader = 4 + 4 + 8;

void put_u32(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
void put_u64(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
std::uint32_t get_u32(const unsigned char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}
std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

[[noreturn]] void fail(const char* what, const std::filesystem::path& path) {
  throw ConnectError(std::string("streamed-transaction spool: cannot ") + what + " " + path.string() + ": " +
                     std::strerror(errno));
}

// Data messages of an aborted subtransaction are dropped; Relation and Type messages are kept.
bool is_data_message(char type) {
  return type == 'I' || type == 'U' || type == 'D' || type == 'T' || type == 'M';
}

}  // namespace

// --- SpoolReplay -----------------------------------------------------------------------------

SpoolReplay::SpoolReplay(std::filesystem::path path, std::set<std::uint32_t> aborted_subxids)
    : path_(std::move(path)), aborted_(std::move(aborted_subxids)) {
  if (path_.empty()) return;
  file_ = std::fopen(path_.c_str(), "rb");
  if (file_ == nullptr) fail("open", path_);
  std::setvbuf(file_, nullptr, _IOFBF, kFileBuffer);
}

SpoolReplay::~SpoolReplay() {
  if (file_ != nullptr) std::fclose(file_);
  if (!path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
}

bool SpoolReplay::next(SpooledMessage& into) {
  if (file_ == nullptr) return false;
  for (;;) {
    unsigned char header[kHeader];
    std::size_t got = std::fread(header, 1, kHeader, file_);
    if (got == 0 && std::feof(file_)) return false;
    if (got != kHeader) fail("read (truncated entry header)", path_);
    std::uint32_t length = get_u32(header);
    into.subxid = get_u32(header + 4);
    into.wal_start = Lsn{get_u64(header + 8)};
    into.payload.resize(length);
    if (length > 0 && std::fread(into.payload.data(), 1, length, file_) != length) {
      fail("read (truncated entry)", path_);
    }
    if (length > 0 && is_data_message(into.payload[0]) && aborted_.count(into.subxid) != 0) continue;
    return true;
  }
}

// --- TransactionSpool ------------------------------------------------------------------------

TransactionSpool::TransactionSpool(std::filesystem::path directory) : directory_(std::move(directory)) {
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) {
    throw ConnectError("streamed-transaction spool: cannot create directory " + directory_.string() + ": " +
                       ec.message());
  }
  // Left by a process that died: the server streams those transactions again.
  for (const auto& entry : std::filesystem::directory_iterator(directory_, ec)) {
    if (entry.path().extension() == ".spool") std::filesystem::remove(entry.path(), ec);
  }
}

TransactionSpool::~TransactionSpool() { clear(); }

TransactionSpool::Open& TransactionSpool::open(std::uint32_t xid) {
  auto it = open_.find(xid);
  if (it != open_.end()) return it->second;
  Open t;
  t.path = directory_ / ("xid-" + std::to_string(xid) + ".spool");
  t.file = std::fopen(t.path.c_str(), "wb");
  if (t.file == nullptr) fail("create", t.path);
  std::setvbuf(t.file, nullptr, _IOFBF, kFileBuffer);
  return open_.emplace(xid, std::move(t)).first->second;
}

void TransactionSpool::close(Open& t, bool remove) {
  if (t.file != nullptr) std::fclose(t.file);
  t.file = nullptr;
  if (remove) {
    std::error_code ignored;
    std::filesystem::remove(t.path, ignored);
  }
  bytes_ -= t.bytes;
  t.bytes = 0;
}

void TransactionSpool::append(std::uint32_t xid, std::uint32_t subxid, Lsn wal_start, std::string_view payload) {
  Open& t = open(xid);
  unsigned char header[kHeader];
  put_u32(header, static_cast<std::uint32_t>(payload.size()));
  put_u32(header + 4, subxid);
  put_u64(header + 8, wal_start.value);
  if (std::fwrite(header, 1, kHeader, t.file) != kHeader ||
      std::fwrite(payload.data(), 1, payload.size(), t.file) != payload.size()) {
    fail("write", t.path);
  }
  t.bytes += kHeader + payload.size();
  bytes_ += kHeader + payload.size();
}

void TransactionSpool::abort(std::uint32_t xid, std::uint32_t subxid) {
  auto it = open_.find(xid);
  if (it == open_.end()) return;
  if (subxid != xid) {
    it->second.aborted_subxids.insert(subxid);
    return;
  }
  close(it->second, /*remove=*/true);
  open_.erase(it);
}

std::unique_ptr<SpoolReplay> TransactionSpool::commit(std::uint32_t xid) {
  auto it = open_.find(xid);
  if (it == open_.end()) return std::make_unique<SpoolReplay>(std::filesystem::path(), std::set<std::uint32_t>{});
  Open t = std::move(it->second);
  open_.erase(it);
  if (std::fflush(t.file) != 0) fail("write", t.path);
  close(t, /*remove=*/false);
  return std::make_unique<SpoolReplay>(t.path, std::move(t.aborted_subxids));
}

void TransactionSpool::clear() {
  for (auto& [xid, t] : open_) close(t, /*remove=*/true);
  open_.clear();
}

}  // namespace sluice::postgres
