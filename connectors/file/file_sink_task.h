// FileStreamSinkTask: appends records to the sink's file, one line per record.
//
// put() formats into a memory buffer and writes it out in large chunks; flush() writes what is
// left and fdatasync()s the file, so when flush() returns (and the runtime commits the offsets)
// the lines are on disk and survive a kill -9 or a power cut. Lines put() but not yet flushed may
// be written again after a crash: delivery is at-least-once, as with Kafka's FileStreamSink.
// A kill in the middle of a write can leave a torn last line; it was never flushed (so its record
// will be delivered again), and start() cuts it off so it cannot merge with the next line.
//
// A record the json format cannot encode (its value does not match its schema) is handed to
// context.report(): errors.tolerance and the dead-letter queue decide, the line is not written.
//
// Threads: start(), put() and flush() run on the task thread. stop() may come from another thread;
// put() never blocks for long (local writes), so stop() has nothing to do. What is still buffered
// is written out when the task is destroyed, as Kafka's sink does on close.
#pragma once

#include <string>

#include "file_descriptor.h"
#include "sluice/sink_task.h"

namespace sluice::file {

class FileStreamSinkTask : public SinkTask {
 public:
  ~FileStreamSinkTask() override;

  void start(const ConfigMap& config, SinkTaskContext& context) override;
  void put(const std::vector<SinkRecord>& records) override;
  void flush(const TopicOffsets& current) override;
  // Nothing to interrupt: put() only formats and writes locally.
  void stop() override {}

 private:
  void append(const SinkRecord& record);
  void write_buffer();
  void drop_torn_line();

  std::string filename_;  // empty = stdout
  bool json_ = false;
  std::string task_id_;
  SinkTaskContext* context_ = nullptr;  // borrowed; outlives the task
  FileDescriptor output_;
  bool syncable_ = false;  // a regular file: fdatasync() applies
  bool unsynced_ = false;   // written since the last fdatasync()
  std::string buffer_;     // formatted lines not yet written
};

}  // namespace sluice::file
