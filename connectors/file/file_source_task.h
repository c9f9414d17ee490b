// FileStreamSourceTask: the one task of FileStreamSourceConnector.
//
// start() reads the committed offset of {"filename": <file>} and continues at that byte position,
// so a restart neither repeats nor skips lines. poll() returns up to batch.size complete lines,
// each with the position just after it as its offset. At the end of the file it waits (up to a
// second) for the file to grow, woken early by inotify on the file's directory, and returns an
// empty batch; a file that does not exist yet is waited for the same way. A file truncated below
// the position read so far, or replaced by another file at the same path (log rotation), is read
// again from its start. With no `file`, stdin is read; stdin has no position to resume from.
//
// Threads: start() and poll() run on the task thread; stop() is called from another thread and
// wakes a waiting poll() through an eventfd.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "file_descriptor.h"
#include "line_reader.h"
#include "sluice/source_task.h"

namespace sluice::file {

class FileStreamSourceTask : public SourceTask {
 public:
  FileStreamSourceTask();

  void start(const ConfigMap& config, SourceTaskContext& context) override;
  std::vector<SourceRecord> poll() override;
  void stop() override;

 private:
  bool open_input();
  void read_lines(std::vector<SourceRecord>& batch);
  // At end of file: true when reading should go on from a truncated or replaced file.
  bool check_rotation();
  void wait_for_input();

  // Configuration, set in start().
  std::string filename_;  // empty = stdin
  std::string topic_;
  std::size_t batch_size_ = 2000;
  SourcePartition partition_;
  std::string task_id_;

  // Task thread only.
  FileDescriptor input_;
  FileDescriptor inotify_;
  LineReader reader_;
  std::int64_t start_position_ = 0;
  bool warned_missing_ = false;
  bool stdin_closed_ = false;

  // Shared with stop().
  FileDescriptor wakeup_;  // eventfd; stop() writes to it
  std::atomic<bool> stopping_{false};
};

}  // namespace sluice::file
