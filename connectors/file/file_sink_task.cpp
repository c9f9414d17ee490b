#include "file_sink_task.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_sink_connector.h"
#include "sluice/errors.h"
#include "sluice/json.h"
#include "sluice/log.h"

namespace sluice::file {
namespace {

const log::Logger kLog("sluice.connector.file");

// put() writes once this much is buffered; flush() writes the rest.
constexpr std::size_t kWriteThreshold = std::size_t{1} << 20;

}  // namespace

FileStreamSinkTask::~FileStreamSinkTask() {
  try {
    write_buffer();
  } catch (const std::exception& e) {
    kLog.warn("[{}] lines not written to {} on close: {}", task_id_, filename_, e.what());
  }
}

void FileStreamSinkTask::start(const ConfigMap& config, SinkTaskContext& context) {
  Config parsed = file_sink_config_def().parse(config);
  filename_ = parsed.get_string("file");
  json_ = parsed.get_string("format") == "json";
  task_id_ = context.task_id();
  context_ = &context;
  if (filename_.empty()) {
    output_ = FileDescriptor(STDOUT_FILENO, /*owned=*/false);
  } else {
    // Read access too, to find a torn last line; a write-only file is still accepted.
    output_ = FileDescriptor(::open(filename_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!output_.valid() && errno == EACCES) {
      output_ = FileDescriptor(::open(filename_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    }
    if (!output_.valid()) {
      throw ConnectError("Couldn't find or create file '" + filename_ +
                         "' for FileStreamSinkTask: " + ::strerror(errno));
    }
  }
  struct stat st {};
  syncable_ = ::fstat(output_.get(), &st) == 0 && S_ISREG(st.st_mode);
  if (syncable_ && st.st_size > 0) drop_torn_line();
  buffer_.reserve(kWriteThreshold + 64 * 1024);
  kLog.info("[{}] writing {} lines to {}", task_id_, json_ ? "json" : "text",
            filename_.empty() ? "stdout" : filename_);
}

void FileStreamSinkTask::drop_torn_line() {
  // Scan back from the end for the last newline; everything after it is a torn write.
  off_t end = ::lseek(output_.get(), 0, SEEK_END);
  off_t keep = end;
  char block[4096];
  while (keep > 0) {
    off_t from = keep > static_cast<off_t>(sizeof block) ? keep - static_cast<off_t>(sizeof block) : 0;
    ssize_t n = ::pread(output_.get(), block, static_cast<std::size_t>(keep - from), from);
    if (n <= 0) return;  // unreadable (e.g. write-only permissions): leave the file alone
    const void* nl = ::memrchr(block, '\n', static_cast<std::size_t>(n));
    if (nl) {
      keep = from + (static_cast<const char*>(nl) - block) + 1;
      break;
    }
    keep = from;
  }
  if (keep == end) return;
  kLog.warn("[{}] {} ends with {} bytes of a torn line (a write cut short by a crash); removing them, "
            "the record will be written again", task_id_, filename_, end - keep);
  if (::ftruncate(output_.get(), keep) != 0) {
    throw ConnectError("cannot truncate the torn last line of " + filename_ + ": " + ::strerror(errno));
  }
}

void FileStreamSinkTask::put(const std::vector<SinkRecord>& records) {
  for (const auto& record : records) {
    append(record);
    if (buffer_.size() >= kWriteThreshold) write_buffer();
  }
}

void FileStreamSinkTask::append(const SinkRecord& record) {
  if (record.value.is_null()) {
    buffer_ += "null";  // a tombstone, whatever its schema says
  } else if (json_) {
    const std::size_t mark = buffer_.size();
    try {
      json::append_value(buffer_, record.value_schema, record.value);
    } catch (const DataError& e) {
      // Nothing half-written: drop the partial line and let errors.tolerance decide.
      buffer_.resize(mark);
      context_->report(record, e);
      return;
    }
  } else if (const auto* text = record.value.get_if<std::string>()) {
    buffer_ += *text;
  } else {
    buffer_ += record.value.to_string();  // Kafka's toString
  }
  buffer_ += '\n';
}

void FileStreamSinkTask::flush(const TopicOffsets& /*current*/) {
  write_buffer();
  if (!syncable_ || !unsynced_) return;
  if (::fdatasync(output_.get()) != 0) {
    throw ConnectError("fdatasync of " + filename_ + " failed: " + ::strerror(errno));
  }
  unsynced_ = false;
}

void FileStreamSinkTask::write_buffer() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(output_.get(), buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Keep what was not written, so a later flush() can still try it.
      buffer_.erase(0, done);
      throw ConnectError("write to " + (filename_.empty() ? std::string("stdout") : filename_) +
                         " failed: " + ::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
    unsynced_ = true;
  }
  buffer_.clear();
}

}  // namespace sluice::file
