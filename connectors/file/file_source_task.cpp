#include "file_source_task.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include "file_source_connector.h"
#include "sluice/errors.h"
#include "sluice/log.h"

namespace sluice::file {
namespace {

const log::Logger kLog("sluice.connector.file");

constexpr int kWaitMs = 1000;

std::string errno_text() { return ::strerror(errno); }

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

FileStreamSourceTask::FileStreamSourceTask()
    : wakeup_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!wakeup_.valid()) throw ConnectError("FileStreamSourceTask: eventfd failed: " + errno_text());
}

void FileStreamSourceTask::start(const ConfigMap& config, SourceTaskContext& context) {
  Config parsed = file_source_config_def().parse(config);
  filename_ = parsed.get_string("file");
  topic_ = parsed.get_string("topic");
  batch_size_ = static_cast<std::size_t>(parsed.get_int("batch.size"));
  task_id_ = context.task_id();
  if (filename_.empty()) {
    // Kafka's shape for stdin: a null file name and a null position, never resumed.
    partition_ = SourcePartition{{"filename", Value()}};
    input_ = FileDescriptor(STDIN_FILENO, /*owned=*/false);
    kLog.info("[{}] reading from stdin", task_id_);
    return;
  }
  partition_ = SourcePartition{{"filename", Value(filename_)}};
  if (auto offset = context.offset(partition_)) {
    auto it = offset->find("position");
    if (it != offset->end() && !it->second.is_null()) {
      if (!it->second.is<std::int64_t>() && !it->second.is<std::int32_t>()) {
        throw ConnectError("Offset position is the incorrect type: " +
                           std::string(it->second.type_name()));
      }
      start_position_ = it->second.as_int64();
    }
  }
  // Watch the directory, not the file: that also sees a file that does not exist yet being
  // created, and a rotated file being replaced. Without inotify poll() just waits its second.
  inotify_ = FileDescriptor(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (inotify_.valid()) {
    auto dir = std::filesystem::path(filename_).parent_path();
    if (dir.empty()) dir = ".";
    if (::inotify_add_watch(inotify_.get(), dir.c_str(),
                            IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
      inotify_.reset();
    }
  }
  kLog.info("[{}] reading {} from position {}", task_id_, filename_, start_position_);
}

std::vector<SourceRecord> FileStreamSourceTask::poll() {
  std::vector<SourceRecord> batch;
  if (stopping_.load(std::memory_order_relaxed)) return batch;
  if (!input_.valid() && !open_input()) {
    wait_for_input();
    return batch;
  }
  read_lines(batch);
  if (batch.empty()) wait_for_input();
  return batch;
}

bool FileStreamSourceTask::open_input() {
  FileDescriptor fd(::open(filename_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno != ENOENT) throw ConnectError("cannot open " + filename_ + ": " + errno_text());
    if (!warned_missing_) {
      kLog.warn("[{}] couldn't find file {}, waiting for it to be created", task_id_, filename_);
      warned_missing_ = true;
    }
    return false;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw ConnectError("cannot stat " + filename_ + ": " + errno_text());
  std::int64_t position = start_position_;
  if (S_ISREG(st.st_mode) && st.st_size < position) {
    kLog.warn("[{}] {} has {} bytes, less than the committed position {}: reading it from the start",
              task_id_, filename_, st.st_size, position);
    position = 0;
  }
  if (position > 0 && ::lseek(fd.get(), position, SEEK_SET) < 0) {
    throw ConnectError("cannot seek " + filename_ + ": " + errno_text());
  }
  reader_.reset(position);
  input_ = std::move(fd);
  warned_missing_ = false;
  return true;
}

void FileStreamSourceTask::read_lines(std::vector<SourceRecord>& batch) {
  const bool from_file = !filename_.empty();
  const std::int64_t timestamp = now_ms();
  batch.reserve(batch_size_);
  while (batch.size() < batch_size_) {
    auto line = reader_.next_line();
    if (!line) {
      if (!from_file) {
        // Never block on stdin: read only what is there now.
        pollfd p{input_.get(), POLLIN, 0};
        if (stdin_closed_ || ::poll(&p, 1, 0) <= 0) break;
        if (reader_.fill(input_.get()) == 0) {
          stdin_closed_ = true;
          break;
        }
      } else if (reader_.fill(input_.get()) == 0 && !check_rotation()) {
        break;
      }
      continue;
    }
    SourceRecord& out = batch.emplace_back();
    out.source_partition = partition_;
    out.source_offset.emplace("position", from_file ? Value(reader_.position()) : Value());
    out.record.topic = topic_;
    out.record.value_schema = schemas::string();
    out.record.value = Value(*line);
    out.record.timestamp_ms = timestamp;
  }
  if (!batch.empty()) kLog.debug("[{}] read {} lines from {}", task_id_, batch.size(), filename_);
}

// Called at end of file. A file shorter than what was read was truncated; a different inode at
// the path means the file was rotated: this one is finished, the new one is read from its start.
bool FileStreamSourceTask::check_rotation() {
  struct stat open_st {};
  if (::fstat(input_.get(), &open_st) != 0) return false;
  if (S_ISREG(open_st.st_mode) && open_st.st_size < reader_.read_position()) {
    kLog.warn("[{}] {} was truncated to {} bytes: reading it from the start", task_id_, filename_,
              open_st.st_size);
    if (::lseek(input_.get(), 0, SEEK_SET) < 0) return false;
    reader_.reset(0);
    return true;
  }
  struct stat path_st {};
  if (::stat(filename_.c_str(), &path_st) != 0) return false;
  if (path_st.st_ino == open_st.st_ino && path_st.st_dev == open_st.st_dev) return false;
  kLog.info("[{}] {} was replaced: reading the new file from the start", task_id_, filename_);
  if (reader_.buffered() > 0) {
    kLog.warn("[{}] dropping {} bytes of an unterminated last line of the old {}", task_id_,
              reader_.buffered(), filename_);
  }
  input_.reset();
  start_position_ = 0;
  return open_input();
}

void FileStreamSourceTask::wait_for_input() {
  pollfd fds[2];
  nfds_t count = 0;
  fds[count++] = pollfd{wakeup_.get(), POLLIN, 0};
  if (filename_.empty()) {
    if (!stdin_closed_) fds[count++] = pollfd{input_.get(), POLLIN, 0};
  } else if (inotify_.valid()) {
    fds[count++] = pollfd{inotify_.get(), POLLIN, 0};
  }
  if (stopping_.load(std::memory_order_relaxed)) return;
  ::poll(fds, count, kWaitMs);
  if (inotify_.valid()) {
    // Drain the events: the next poll() reads whatever changed, and anything that changes from
    // now on queues a new event that wakes the next wait.
    alignas(inotify_event) char events[4096];
    while (::read(inotify_.get(), events, sizeof events) > 0) {
    }
  }
}

void FileStreamSourceTask::stop() {
  stopping_.store(true);
  std::uint64_t one = 1;
  // The eventfd stays readable from now on, so every later wait returns at once as well.
  [[maybe_unused]] ssize_t n = ::write(wakeup_.get(), &one, sizeof one);
}

}  // namespace sluice::file
