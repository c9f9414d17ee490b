#pragma once

// Runs the real `sluice` binary as a child process for system tests: start with a worker
// properties file and connector files, wait until its REST API answers, stop it with SIGTERM or
// kill it with SIGKILL, read its log.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"

namespace sluice::testing {

inline std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class WorkerProcess {
 public:
  WorkerProcess(std::filesystem::path worker_properties, std::vector<std::string> connector_files,
                std::filesystem::path log_file, std::uint16_t port)
      : properties_(std::move(worker_properties)),
        connectors_(std::move(connector_files)),
        log_(std::move(log_file)),
        port_(port) {}
  ~WorkerProcess() { kill_hard(); }

  static std::string binary() { return std::string(SLUICE_BUILD_DIR) + "/bin/sluice"; }

  void start() {
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 2);
      ::dup2(fd, 1);
      std::vector<std::string> args{binary(), "standalone", properties_.string()};
      args.insert(args.end(), connectors_.begin(), connectors_.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }

  // True once GET / answers 200 (or false after the timeout, or if the process died).
  bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!alive()) return false;
      try {
        if (http(port_, "GET", "/").status == 200) return true;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  bool alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = status;
      pid_ = -1;
      return false;
    }
    return true;
  }

  // SIGTERM and wait; returns the exit code (-1 if it had to be killed or died by a signal).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (pid_ <= 0) return WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : -1;
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!alive()) return WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill_hard();
    return -1;
  }

  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path properties_;
  std::vector<std::string> connectors_;
  std::filesystem::path log_;
  std::uint16_t port_;
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

}  // namespace sluice::testing
