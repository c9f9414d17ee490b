#pragma once

// A throwaway PostgreSQL 15 server for integration tests: initdb into a temp dir, listen on a free
// loopback port and on a unix socket in that dir, wal_level=logical, fsync off. Owned by the test
// thread that creates it; not thread-safe (exec/query_value open their own connection per call,
// so other threads may call those while the owner does nothing else with the object).
//
// When the test runs as root (as CI does), initdb refuses to run, so the temp dir is given to the
// `postgres` OS user and initdb/pg_ctl run through `runuser -u postgres --`.
//
// Missing binaries or a server that does not start throw std::runtime_error with the command's
// output and the server log: tests that need PostgreSQL fail loudly, they never skip.
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace sluice::testing {

namespace pg_detail {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr interleaved
};

// Runs argv (no shell) with cwd `dir`, capturing its output.
inline CommandResult run(const std::vector<std::string>& args, const std::filesystem::path& dir) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  CommandResult result;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
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

inline std::filesystem::path postgres_bindir() {
  auto out = run({"pg_config", "--bindir"}, "/");
  std::string dir = out.output.substr(0, out.output.find('\n'));
  if (out.exit_code == 0 && std::filesystem::exists(std::filesystem::path(dir) / "initdb")) return dir;
  std::filesystem::path fallback = "/usr/lib/postgresql/15/bin";
  if (std::filesystem::exists(fallback / "initdb")) return fallback;
  throw std::runtime_error(
      "PostgreSQL server binaries not found (no initdb via `pg_config --bindir` or in "
      "/usr/lib/postgresql/15/bin); run scripts/setup");
}

}  // namespace pg_detail

class PostgresServer {
 public:
  using Settings = std::map<std::string, std::string>;

  // Starts the server; `settings` are extra postgresql.conf lines (name -> value, written as is,
  // so quote strings: {"wal_sender_timeout", "'5s'"}).
  explicit PostgresServer(const Settings& settings = {}) : bindir_(pg_detail::postgres_bindir()) {
    as_postgres_ = ::geteuid() == 0;
    if (as_postgres_) {
      passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr) throw std::runtime_error("running as root but there is no `postgres` OS user");
      if (::chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        throw std::runtime_error("cannot chown " + dir_.path().string() + " to postgres");
      }
    }
    auto init = run_pg({(bindir_ / "initdb").string(), "-D", data_dir().string(), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"});
    if (init.exit_code != 0) throw std::runtime_error("initdb failed:\n" + init.output);
    Settings base{{"listen_addresses", "'127.0.0.1'"},
                  {"unix_socket_directories", "'" + dir_.path().string() + "'"},
                  {"wal_level", "logical"},
                  {"max_wal_senders", "10"},
                  {"max_replication_slots", "10"},
                  {"fsync", "off"},
                  {"synchronous_commit", "off"},
                  {"full_page_writes", "off"},
                  {"lc_messages", "'C'"},
                  {"shared_buffers", "32MB"}};
    for (const auto& [k, v] : settings) base[k] = v;
    append_config(base);
    start_on_free_port();
    exec("CREATE DATABASE app", "postgres");
  }

  ~PostgresServer() {
    if (running_) pg_ctl({"stop", "-m", "immediate", "-t", "30"});
  }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& socket_dir() const { return dir_.path(); }
  std::filesystem::path data_dir() const { return dir_ / "data"; }

  // libpq conninfo for database `db`, over the unix socket or TCP 127.0.0.1.
  std::string conninfo(const std::string& db = "app", bool unix_socket = true) const {
    std::string host = unix_socket ? dir_.path().string() : "127.0.0.1";
    return "host=" + host + " port=" + std::to_string(port_) + " user=postgres dbname=" + db;
  }

  // Runs `sql` (one or more statements) as the superuser; throws with the server's message.
  void exec(const std::string& sql, const std::string& db = "app") const {
    auto conn = connect(db);
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
    auto status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw std::runtime_error("SQL failed: " + sql + ": " + PQresultErrorMessage(res.get()));
    }
  }

  // First column of the first row of `sql` ("" when NULL); throws if there is no row.
  std::string query_value(const std::string& sql, const std::string& db = "app") const {
    auto conn = connect(db);
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
      throw std::runtime_error("SQL failed: " + sql + ": " + PQresultErrorMessage(res.get()));
    }
    if (PQntuples(res.get()) < 1) throw std::runtime_error("SQL returned no rows: " + sql);
    return PQgetisnull(res.get(), 0, 0) ? "" : PQgetvalue(res.get(), 0, 0);
  }

  // Fast shutdown; waits until the server is down.
  void stop(const std::string& mode = "fast") {
    auto out = pg_ctl({"stop", "-m", mode, "-t", "60"});
    if (out.exit_code != 0) throw std::runtime_error("pg_ctl stop failed:\n" + out.output + log());
    running_ = false;
  }

  void start() {
    auto out = pg_ctl({"start", "-w", "-t", "60", "-l", log_path().string()});
    if (out.exit_code != 0) throw std::runtime_error("pg_ctl start failed:\n" + out.output + log());
    running_ = true;
  }

  void restart(const std::string& mode = "fast") {
    stop(mode);
    start();
  }

  // Appends settings to postgresql.conf (later lines win) and restarts.
  void set(const Settings& settings) {
    append_config(settings);
    restart();
  }

  // The server log so far, for failure messages.
  std::string log() const {
    std::ifstream in(log_path());
    std::stringstream text;
    text << in.rdbuf();
    return "--- server log ---\n" + text.str();
  }

 private:
  using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;

  PgConn connect(const std::string& db) const {
    PgConn conn(PQconnectdb(conninfo(db).c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
      throw std::runtime_error("cannot connect to the test server: " +
                               std::string(PQerrorMessage(conn.get())));
    }
    return conn;
  }

  std::filesystem::path log_path() const { return dir_ / "server.log"; }

  pg_detail::CommandResult run_pg(std::vector<std::string> args) const {
    if (as_postgres_) args.insert(args.begin(), {"runuser", "-u", "postgres", "--"});
    return pg_detail::run(args, dir_.path());
  }

  pg_detail::CommandResult pg_ctl(std::vector<std::string> args) const {
    args.insert(args.begin(), {(bindir_ / "pg_ctl").string(), "-D", data_dir().string()});
    return run_pg(std::move(args));
  }

  void append_config(const Settings& settings) {
    std::ofstream conf(data_dir() / "postgresql.conf", std::ios::app);
    conf << "\n# sluice test harness\n";
    for (const auto& [k, v] : settings) conf << k << " = " << v << "\n";
    if (!conf) throw std::runtime_error("cannot write postgresql.conf");
  }

  // Another test process may take the port between our probe and the server's bind: retry.
  void start_on_free_port() {
    for (int attempt = 0;; ++attempt) {
      port_ = pg_detail::free_loopback_port();
      append_config({{"port", std::to_string(port_)}});
      auto out = pg_ctl({"start", "-w", "-t", "60", "-l", log_path().string()});
      if (out.exit_code == 0) {
        running_ = true;
        return;
      }
      if (attempt == 2 || log().find("could not bind") == std::string::npos) {
        throw std::runtime_error("pg_ctl start failed:\n" + out.output + log());
      }
    }
  }

  TempDir dir_;
  std::filesystem::path bindir_;
  bool as_postgres_ = false;
  bool running_ = false;
  int port_ = 0;
};

}  // namespace sluice::testing
