// TransactionSpool: keeps the messages of in-progress transactions that pgoutput streams
// (protocol 2, `streaming 'on'`) on disk until their Stream Commit, so a transaction of any size
// costs the client a write buffer, not its rows in memory.
//
// The server sends a large transaction in Stream Start..Stop blocks interleaved with other
// transactions, then Stream Commit (replay it now, in commit order) or Stream Abort (forget it, or
// only one subtransaction's changes). Each top-level xid gets one append-only file of entries
//
//     u32 payload length | u32 subxid | u64 WAL start | payload (the pgoutput message as received)
//
// in `directory`. Nothing in a spool file outlives the replication session: after a reconnect the
// server streams every open transaction again from its start, so clear() forgets all of them.
//
// Subtransactions: a Stream Abort naming a subxid marks that subxid aborted; replay then skips its
// data messages (Insert, Update, Delete, Truncate, Message) but keeps its Relation and Type
// messages, which the server will not send again for this transaction.
//
// Errors: a file that cannot be created, written or read throws ConnectError naming the path.
//
// Threading: owned by the task thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "lsn.h"

namespace sluice::postgres {

struct SpooledMessage {
  std::uint32_t subxid = 0;  // the (sub)transaction the message carried
  Lsn wal_start;
  std::string payload;       // reused between next() calls
};

// Reads one committed transaction back, in the order it was spooled, skipping the data messages
// of aborted subtransactions. Deletes the file when destroyed.
class SpoolReplay {
 public:
  SpoolReplay(std::filesystem::path path, std::set<std::uint32_t> aborted_subxids);
  ~SpoolReplay();
  SpoolReplay(const SpoolReplay&) = delete;
  SpoolReplay& operator=(const SpoolReplay&) = delete;

  // The next message, or false at the end.
  bool next(SpooledMessage& into);

 private:
  std::filesystem::path path_;
  std::set<std::uint32_t> aborted_;
  std::FILE* file_ = nullptr;
};

class TransactionSpool {
 public:
  // Creates `directory` if needed and removes files a previous process left there.
  explicit TransactionSpool(std::filesystem::path directory);
  ~TransactionSpool();
  TransactionSpool(const TransactionSpool&) = delete;
  TransactionSpool& operator=(const TransactionSpool&) = delete;

  void append(std::uint32_t xid, std::uint32_t subxid, Lsn wal_start, std::string_view payload);
  // Stream Abort: the whole transaction (subxid == xid) or one subtransaction.
  void abort(std::uint32_t xid, std::uint32_t subxid);
  // Stream Commit: hands the transaction's messages over for replay and forgets it here. A
  // transaction with nothing spooled replays as empty.
  std::unique_ptr<SpoolReplay> commit(std::uint32_t xid);
  // Forgets every open transaction (a new replication session).
  void clear();

  std::size_t open_transactions() const { return open_.size(); }
  std::uint64_t bytes_spooled() const { return bytes_; }  // held now, over all open transactions

 private:
  struct Open {
    std::filesystem::path path;
    std::FILE* file = nullptr;
    std::uint64_t bytes = 0;
    std::set<std::uint32_t> aborted_subxids;
  };
  Open& open(std::uint32_t xid);
  void close(Open& t, bool remove);

  std::filesystem::path directory_;
  std::map<std::uint32_t, Open> open_;
  std::uint64_t bytes_ = 0;
};

}  // namespace sluice::postgres
