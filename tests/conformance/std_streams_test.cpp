// The file connectors without `file`: FileStreamSource reads stdin, FileStreamSink writes stdout.
// The test process's own fd 0 / fd 1 are swapped for a pipe / a file for the duration.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "conformance/connector_conformance.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::conformance;
using sluice::testing::TempDir;

namespace {

// Puts `replacement` in place of `target_fd` until destroyed.
class RedirectedFd {
 public:
  RedirectedFd(int target_fd, int replacement) : target_(target_fd), saved_(::dup(target_fd)) {
    REQUIRE(saved_ >= 0);
    REQUIRE(::dup2(replacement, target_fd) == target_fd);
  }
  ~RedirectedFd() {
    ::dup2(saved_, target_);
    ::close(saved_);
  }

 private:
  int target_;
  int saved_;
};

}  // namespace

TEST_CASE("FileStreamSource without a file reads stdin without blocking and stops promptly",
          "[conformance][file]") {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  {
    RedirectedFd stdin_pipe(STDIN_FILENO, pipe_fds[0]);
    ::close(pipe_fds[0]);
    auto run = start_source("FileStreamSource", {{"topic", "in"}});
    REQUIRE(::write(pipe_fds[1], "one\ntw", 6) == 6);
    auto records = poll_records(*run->task, 1, std::chrono::seconds(5));
    REQUIRE(records.size() == 1);
    REQUIRE(records[0].record.value == Value("one"));
    // Kafka's shape for stdin: a null filename and a null position.
    REQUIRE(records[0].source_partition.map() == OffsetMap{{"filename", Value()}});
    REQUIRE(records[0].source_offset == SourceOffset{{"position", Value()}});
    REQUIRE(::write(pipe_fds[1], "o\n", 2) == 2);
    records = poll_records(*run->task, 1, std::chrono::seconds(5));
    REQUIRE(records.size() == 1);
    REQUIRE(records[0].record.value == Value("two"));
    // Closed stdin: polls return empty (after their wait), and stop() still ends a waiting poll.
    ::close(pipe_fds[1]);
    auto before = std::chrono::steady_clock::now();
    REQUIRE(run->task->poll().empty());
    REQUIRE(std::chrono::steady_clock::now() - before > std::chrono::milliseconds(500));
    run->task->stop();
    before = std::chrono::steady_clock::now();
    REQUIRE(run->task->poll().empty());
    REQUIRE(std::chrono::steady_clock::now() - before < std::chrono::milliseconds(500));
  }
}

TEST_CASE("FileStreamSink without a file writes stdout", "[conformance][file]") {
  TempDir dir;
  auto captured = dir / "stdout.txt";
  int fd = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  std::cout.flush();
  std::fflush(stdout);
  {
    RedirectedFd stdout_file(STDOUT_FILENO, fd);
    auto run = start_sink("FileStreamSink", {{"topics", "conformance"}});
    run->task->put(string_records(run->partition, {"to", "stdout"}));
    run->task->flush({{run->partition, 2}});
  }
  ::close(fd);
  std::ifstream in(captured);
  std::string text(std::istreambuf_iterator<char>(in), {});
  REQUIRE(text == "to\nstdout\n");
}
