#pragma once

// A throwaway MariaDB 10.11 server for integration tests: mariadb-install-db into a temp dir, then
// mariadbd as a child process listening on a free 127.0.0.1 port and on a unix socket in that
// dir, with durability relaxed (innodb_flush_log_at_trx_commit=2) and the binary log off unless
// Options::binlog asks for it (binlog_format=ROW, for MySQL/MariaDB source tests). Creates the
// database `app` and a user `sink` / `sink-pw` that may do anything; root logs in over the socket
// without a password.
//
// Owned by the test thread that creates it; not thread-safe (exec/query_value run the `mariadb`
// client per call, so other threads may call those while the owner does nothing else). The server
// gets SIGKILL when the thread that started it exits (PR_SET_PDEATHSIG), so a crashed test
// leaves no server behind: create it on a thread that outlives its use.
//
// Missing binaries or a server that does not start throw std::runtime_error with the command's
// output and the server log: tests that need MariaDB fail loudly, they never skip.
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace sluice::testing {

namespace mariadb_detail {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr interleaved
};

inline std::vector<char*> argv_of(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Runs argv (no shell), feeding `input` to its stdin, capturing stdout and stderr.
inline CommandResult run(const std::vector<std::string>& args, const std::string& input = "") {
  int out[2];
  int in[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    auto argv = argv_of(args);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  // SQL scripts here are small: they fit in the pipe buffer, so writing first cannot deadlock.
  if (!input.empty() && ::write(in[1], input.data(), input.size()) < 0) {
    // the child's exit code tells the rest
  }
  ::close(in[1]);
  CommandResult result;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (result.exit_code == 127) result.output += "\n(could not execute " + args[0] + ")";
  return result;
}

inline std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline std::string find_binary(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates) {
    for (const char* dir : {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"}) {
      std::filesystem::path p = std::filesystem::path(dir) / c;
      if (std::filesystem::exists(p)) return p.string();
    }
  }
  throw std::runtime_error("MariaDB binary not found (looked for " + candidates.front() +
                           " in /usr/sbin, /usr/bin, /usr/local); run scripts/setup "
                           "(packages mariadb-server mariadb-client)");
}

}  // namespace mariadb_detail

class MariadbServer {
 public:
  struct Options {
    bool binlog = false;  // log-bin with binlog_format=ROW, server_id=1
  };

  static constexpr const char* kDatabase = "app";
  static constexpr const char* kUser = "sink";
  static constexpr const char* kPassword = "sink-pw";

  MariadbServer() : MariadbServer(Options{}) {}
  explicit MariadbServer(Options options)
      : options_(options),
        mariadbd_(mariadb_detail::find_binary({"mariadbd", "mysqld"})),
        install_db_(mariadb_detail::find_binary({"mariadb-install-db", "mysql_install_db"})),
        client_(mariadb_detail::find_binary({"mariadb", "mysql"})) {
    std::filesystem::create_directories(data_dir());
    std::vector<std::string> init_args = {install_db_, "--no-defaults", "--datadir=" + data_dir().string(),
                                          "--auth-root-authentication-method=normal", "--skip-test-db",
                                          "--skip-name-resolve"};
    if (::geteuid() == 0) init_args.push_back("--user=root");
    auto init = mariadb_detail::run(init_args);
    if (init.exit_code != 0) throw std::runtime_error("mariadb-install-db failed:\n" + init.output);
    start_on_free_port();
    try {
      exec(std::string("CREATE DATABASE ") + kDatabase + "; CREATE USER '" + kUser + "'@'%' IDENTIFIED BY '" +
           kPassword + "'; GRANT ALL ON *.* TO '" + kUser + "'@'%' WITH GRANT OPTION;",
           "mysql");
    } catch (...) {
      kill9();  // the destructor does not run for a constructor that throws
      throw;
    }
  }

  ~MariadbServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      reap();
    }
  }
  MariadbServer(const MariadbServer&) = delete;
  MariadbServer& operator=(const MariadbServer&) = delete;

  int port() const { return port_; }
  std::filesystem::path socket_path() const { return dir_ / "mariadb.sock"; }
  std::filesystem::path data_dir() const { return dir_ / "data"; }

  // Runs `sql` (one or more statements separated by ';') as root in database `db`; throws with
  // the client's output when a statement fails.
  void exec(const std::string& sql, const std::string& db = kDatabase) const {
    auto out = client(sql, db);
    if (out.exit_code != 0) throw std::runtime_error("SQL failed: " + sql + ": " + out.output);
  }

  // First column of the first row of `sql` ("NULL" when NULL, tabs and newlines escaped as the
  // client prints them); throws if there is no row.
  std::string query_value(const std::string& sql, const std::string& db = kDatabase) const {
    auto rows = query_rows(sql, db);
    if (rows.empty()) throw std::runtime_error("SQL returned no rows: " + sql);
    return rows.front().substr(0, rows.front().find('\t'));
  }

  // Every row of `sql`, columns separated by tabs.
  std::vector<std::string> query_rows(const std::string& sql, const std::string& db = kDatabase) const {
    auto out = client(sql, db);
    if (out.exit_code != 0) throw std::runtime_error("SQL failed: " + sql + ": " + out.output);
    std::vector<std::string> rows;
    std::istringstream lines(out.output);
    for (std::string line; std::getline(lines, line);) rows.push_back(line);
    return rows;
  }

  // SIGTERM (a clean shutdown); waits until the process is gone.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    reap();
  }

  // SIGKILL: the server dies as in a crash; InnoDB recovers at the next start().
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    reap();
  }

  // Starts again on the same port and data dir; waits until it accepts connections.
  void start() {
    spawn();
    if (!wait_ready()) throw std::runtime_error("mariadbd did not start\n" + log());
  }

  void restart() {
    stop();
    start();
  }

  // The server's error log so far, for failure messages.
  std::string log() const {
    std::ifstream in(log_path());
    std::stringstream text;
    text << in.rdbuf();
    return "--- server log ---\n" + text.str();
  }

 private:
  std::filesystem::path log_path() const { return dir_ / "server.log"; }

  mariadb_detail::CommandResult client(const std::string& sql, const std::string& db) const {
    return mariadb_detail::run({client_, "--no-defaults", "--socket=" + socket_path().string(), "--user=root",
                                "--batch", "--skip-column-names", "--database=" + db},
                               sql);
  }

  std::vector<std::string> server_args() const {
    std::vector<std::string> args = {
        mariadbd_,
        "--no-defaults",
        "--datadir=" + data_dir().string(),
        "--socket=" + socket_path().string(),
        "--pid-file=" + (dir_ / "mariadb.pid").string(),
        "--log-error=" + log_path().string(),
        "--port=" + std::to_string(port_),
        "--bind-address=127.0.0.1",
        "--skip-name-resolve",
        "--innodb-flush-log-at-trx-commit=2",
        "--innodb-buffer-pool-size=64M",
        "--innodb-log-file-size=48M",
        "--max-connections=100",
        "--character-set-server=utf8mb4",
        "--lc-messages=en_US",
    };
    if (::geteuid() == 0) args.push_back("--user=root");
    if (options_.binlog) {
      args.insert(args.end(), {"--log-bin=" + (dir_ / "binlog").string(), "--binlog-format=ROW", "--server-id=1"});
    } else {
      args.push_back("--skip-log-bin");
    }
    return args;
  }

  void spawn() {
    auto args = server_args();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      // A test process that crashes must not leave its server running.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int null_fd = ::open("/dev/null", O_RDWR);
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
      auto argv = mariadb_detail::argv_of(args);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    pid_ = pid;
  }

  // Polls with the client until the server answers; false if the process exited first or it
  // took more than a minute.
  bool wait_ready() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      if (client("SELECT 1", "mysql").exit_code == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    reap();
    return false;
  }

  void reap() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

  // Another test process may take the port between our probe and the server's bind: retry.
  void start_on_free_port() {
    for (int attempt = 0;; ++attempt) {
      port_ = mariadb_detail::free_loopback_port();
      spawn();
      if (wait_ready()) return;
      bool bind_failed = log().find("Can't start server: Bind on TCP/IP port") != std::string::npos;
      if (attempt == 2 || !bind_failed) throw std::runtime_error("mariadbd did not start\n" + log());
    }
  }

  TempDir dir_;
  Options options_;
  std::string mariadbd_;
  std::string install_db_;
  std::string client_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace sluice::testing
