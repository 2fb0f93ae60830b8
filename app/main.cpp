// memory-mcp-server: load the configuration, prepare storage, start the actor graph under the supervisor, and
// turn signals into messages. Exit status: 0 clean shutdown; 1 fatal runtime failure (crash loop);
// 2 invalid configuration; 3 storage could not be opened at startup.
#include <caf/all.hpp>
#include <csignal>
#include <malloc.h>
#include <httplib.h>
#include <iostream>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

#include "actors/supervisor.hpp"
#include "adapters/backup.hpp"
#include "adapters/security_scan.hpp"
#include "adapters/sqlite_db.hpp"
#include <fstream>
#include "messages/interfaces.hpp"

using namespace memory_mcp;

namespace {

int run_health_check(const config& cfg) {
  if (cfg.http_addr == "off") {
    std::cerr << "health-check: the HTTP endpoint is disabled (MEMORY_MCP_HTTP_ADDR=off)\n";
    return 1;
  }
  auto hp = parse_host_port(cfg.http_addr);
  std::string host = hp->host == "0.0.0.0" ? "127.0.0.1" : hp->host == "::" ? "::1" : hp->host;
  std::string url = std::string(cfg.tls_cert_path.empty() ? "http" : "https") + "://" +
                    (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(hp->port);
  auto cli = std::make_unique<httplib::Client>(url);
  // A liveness probe of our own port: the certificate's identity is not the question here.
  cli->enable_server_certificate_verification(false);
  cli->set_connection_timeout(0, 500000);
  cli->set_read_timeout(0, 500000);
  auto res = cli->Get("/health");
  if (!res) {
    std::cerr << "health-check: no answer from " << cfg.http_addr << " (" << httplib::to_string(res.error()) << ")\n";
    return 1;
  }
  if (res->status != 200) {
    std::cerr << "health-check: " << cfg.http_addr << " answered " << res->status << "\n";
    return 1;
  }
  std::cout << "healthy\n";
  return 0;
}

// `export [FILE|-]` and `import FILE|-`: JSON Lines backup, safe while servers run on the same database.
int run_backup(const invocation& inv) {
  ::umask(0077);
  const auto& cfg = inv.cfg;
  std::string path = inv.args.empty() ? "-" : inv.args[0];
  bool exporting = inv.cmd == command::export_jsonl;
  if (!exporting && inv.args.empty()) {
    std::cerr << "import: give the file to read (or - for stdin)\n";
    return 2;
  }
  if (auto st = ensure_data_dir(cfg.data_dir); !st) {
    std::cerr << st.err().message << "\n";
    return 3;
  }
  auto db = open_database(cfg.db_path);
  if (!db) {
    std::cerr << db.err().message << "\n";
    return 3;
  }
  if (exporting) {
    std::ofstream file;
    if (path != "-") {
      file.open(path, std::ios::binary | std::ios::trunc);
      if (!file) {
        std::cerr << "export: cannot write " << path << "\n";
        return 1;
      }
    }
    auto r = export_jsonl(*db.value(), path == "-" ? std::cout : file);
    if (!r) {
      std::cerr << r.err().message << "\n";
      return 1;
    }
    std::cerr << "exported " << r.value().episodes << " episodes and " << r.value().relationships << " relationships\n";
    return 0;
  }
  std::ifstream file;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      std::cerr << "import: cannot read " << path << "\n";
      return 1;
    }
  }
  auto r = import_jsonl(*db.value(), path == "-" ? std::cin : file, inv.cfg.learning_min_quality);
  if (!r) {
    std::cerr << r.err().message << "\n";
    return 1;
  }
  auto& s = r.value();
  for (auto& p : s.problems) std::cerr << "import: skipped " << p << "\n";
  std::cerr << "imported " << s.episodes_added << " episodes (" << s.episodes_skipped << " already present) and "
            << s.relationships_added << " relationships (" << s.relationships_skipped << " skipped) from " << s.lines
            << " lines\n";
  return s.problems.empty() ? 0 : 1;
}

struct actor_config : caf::actor_system_config {
  actor_config() {
    add_message_types<caf::id_block::memory_mcp>();
    set("scheduler.max-threads", 2);
    // Work sharing (one queue, workers sleep on a condition variable) instead of CAF's default work stealing,
    // whose idle workers poll: measured with tools/bench, stealing burned 9% of a core at 10 pings/s and
    // 24% at 50/s, sharing 0-1%, and sharing answered faster at one request in flight (ping 0.116 -> 0.078
    // ms) with the same throughput with 8 and 32 in flight.
    set("scheduler.policy", caf::atom("sharing"));
  }
};

int serve(const config& cfg, int argc, const char* const* argv, const env_map& environment) {
  ::umask(0077);  // every file we create (database, WAL, audit log) is owner-only
  // Two malloc arenas, not eight per core: the actors' threads take turns on few cores, and every extra arena
  // keeps its own freed memory (measured at 100k episodes: the peak resident size is what the targets count).
  ::mallopt(M_ARENA_MAX, 2);
  auto log = std::make_shared<logger>(cfg.stderr_log_level);
  if (auto st = ensure_data_dir(cfg.data_dir); !st) {
    log->log(log_level::critical, "main", st.err().message);
    return 3;
  }
  {
    auto db = open_database(cfg.db_path);  // fail fast, with a clear message, before any client talks to us
    if (!db) {
      log->log(log_level::critical, "main", db.err().message);
      return 3;
    }
  }
  auto rt = std::make_shared<runtime>();
  rt->cfg = cfg;
  rt->log = log;
  rt->started_wall_us = wall_clock_us();
  rt->started_mono_us = monotonic_us();

  // Block the signals we handle in every thread; this thread takes them with sigtimedwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto exit_code = std::make_shared<std::atomic<int>>(0);
  actor_config acfg;
  caf::actor_system sys{acfg};
  {
    auto sup = spawn_supervisor(sys, rt, stdio_fds{0, 1}, exit_code);
    caf::scoped_actor self{sys};
    self->monitor(sup);
    bool done = false;
    int stop_signals = 0;
    while (!done) {
      timespec tick{0, 50 * 1000 * 1000};
      int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig == SIGTERM || sig == SIGINT) {
        if (++stop_signals == 1) {
          log->log(log_level::info, "main", std::string(sig == SIGTERM ? "SIGTERM" : "SIGINT") + ": draining");
          self->send(sup, shutdown_atom::value, int32_t{0});
        } else {
          log->log(log_level::warning, "main", "second stop signal: exiting immediately");
          std::_Exit(1);
        }
      } else if (sig == SIGHUP) {
        // Re-read the env file and *_FILE secrets over the environment the process started with.
        auto next = reload_config(argc, argv, environment);
        if (next) {
          log->set_level(next.value().stderr_log_level);
          self->send(sup, reload_atom::value, config_update{std::make_shared<const config>(next.value()), ""});
        } else {
          log->log(log_level::error, "main", "SIGHUP: new configuration rejected, keeping the current one: " +
                                                 next.err().message);
          self->send(sup, reload_atom::value, config_update{nullptr, next.err().message});
        }
      }
      self->receive([&](caf::down_msg&) { done = true; }, caf::after(std::chrono::seconds(0)) >> [] {});
    }
  }
  // Every actor was told to stop; one blocked in a system call could still hold the actor system open. Bound it.
  std::thread([log, exit_code] {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    log->log(log_level::error, "main", "actor system did not stop within 2 s of the supervisor; exiting");
    std::_Exit(exit_code->load() == 0 ? 1 : exit_code->load());
  }).detach();
  sys.await_all_actors_done();
  return exit_code->load();
}

}  // namespace

int main(int argc, char** argv) {
  const auto environment = current_environment();
  auto inv = load_invocation(argc, argv, environment);
  if (!inv) {
    std::cerr << "memory-mcp-server: invalid configuration:\n";
    std::string msg = inv.err().message;
    size_t pos = 0;
    while (pos <= msg.size()) {
      auto nl = msg.find('\n', pos);
      std::cerr << "  - " << msg.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos) << "\n";
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    return 2;
  }
  auto& v = inv.value();
  switch (v.cmd) {
    case command::help: std::cout << help_text(); return 0;
    case command::version: std::cout << "memory-mcp-server " << MEMORY_MCP_VERSION << "\n"; return 0;
    case command::health_check: return run_health_check(v.cfg);
    case command::serve: return serve(v.cfg, argc, argv, environment);
    case command::security_scan: {
      bool failed = false;
      for (auto& c : run_security_scan(v.cfg, ::geteuid())) {
        std::cout << format_check(c) << "\n";
        failed = failed || c.verdict == scan_verdict::fail;
      }
      return failed ? 1 : 0;
    }
    case command::export_jsonl:
    case command::import_jsonl: return run_backup(v);
    default: std::cerr << "memory-mcp-server: this command is not implemented yet\n"; return 2;
  }
}
