#include "config/config.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <unistd.h>
#include <functional>
#include <sstream>

extern char** environ;

namespace memory_mcp {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<bool> parse_bool(const std::string& raw) {
  auto v = lower(trim(raw));
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return std::nullopt;
}

std::optional<double> parse_positive_number(const std::string& raw) {
  auto v = trim(raw);
  if (v.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(v.c_str(), &end);
  if (errno != 0 || end != v.c_str() + v.size() || !std::isfinite(d) || d <= 0) return std::nullopt;
  return d;
}

std::optional<int64_t> parse_positive_int(const std::string& raw) {
  auto v = trim(raw);
  if (v.empty() || v.size() > 18) return std::nullopt;
  int64_t out = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    out = out * 10 + (c - '0');
  }
  if (out <= 0) return std::nullopt;
  return out;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// One known setting: its environment variable, an optional flag, and how to apply a raw value.
struct setting {
  const char* env;
  const char* flag;  // without leading dashes; nullptr if env-only
  const char* expect;  // what a valid value looks like, for error messages
  std::function<bool(config&, const std::string&)> apply;
};

std::vector<setting> settings() {
  auto number = [](auto member) {
    return [member](config& c, const std::string& v) {
      auto d = parse_positive_number(v);
      if (!d) return false;
      c.rate_limit.*member = *d;
      return true;
    };
  };
  auto positive_size = [](size_t config::*member) {
    return [member](config& c, const std::string& v) {
      auto n = parse_positive_int(v);
      if (!n) return false;
      c.*member = static_cast<size_t>(*n);
      return true;
    };
  };
  auto positive_ms = [](int64_t config::*member) {
    return [member](config& c, const std::string& v) {
      auto n = parse_positive_int(v);
      if (!n) return false;
      c.*member = *n;
      return true;
    };
  };
  auto text = [](std::string config::*member) {
    return [member](config& c, const std::string& v) {
      c.*member = v;
      return true;
    };
  };
  return {
      {"MEMORY_DATA_DIR", "data-dir", "a directory path", text(&config::data_dir)},
      {"MEMORY_DB_PATH", "db-path", "a file path", text(&config::db_path)},
      {"MEMORY_MCP_MAX_MESSAGE_BYTES", "max-message-bytes", "a positive integer (bytes)",
       positive_size(&config::max_message_bytes)},
      {"MEMORY_MCP_MAX_JSON_DEPTH", nullptr, "a positive integer", positive_size(&config::max_json_depth)},
      {"MEMORY_MCP_TOOLS_PAGE_SIZE", nullptr, "a positive integer", positive_size(&config::tools_page_size)},
      {"MEMORY_MCP_LOG_LEVEL", "log-level", "one of debug, info, notice, warning, error, critical, alert, emergency",
       [](config& c, const std::string& v) {
         auto l = parse_log_level(lower(trim(v)));
         if (!l) return false;
         c.stderr_log_level = *l;
         return true;
       }},
      {"MEMORY_MCP_HTTP_ADDR", "http-addr", "host:port or off", text(&config::http_addr)},
      {"MEMORY_MCP_TLS_CERT_PATH", nullptr, "a file path", text(&config::tls_cert_path)},
      {"MEMORY_MCP_TLS_KEY_PATH", nullptr, "a file path", text(&config::tls_key_path)},
      {"MCP_RATE_LIMIT_ENABLED", nullptr, "true/false/1/0/yes/no",
       [](config& c, const std::string& v) {
         auto b = parse_bool(v);
         if (!b) return false;
         c.rate_limit.enabled = *b;
         return true;
       }},
      {"MCP_RATE_LIMIT_READ_RPS", nullptr, "a positive number", number(&rate_limit_config::read_rps)},
      {"MCP_RATE_LIMIT_READ_BURST", nullptr, "a positive number", number(&rate_limit_config::read_burst)},
      {"MCP_RATE_LIMIT_WRITE_RPS", nullptr, "a positive number", number(&rate_limit_config::write_rps)},
      {"MCP_RATE_LIMIT_WRITE_BURST", nullptr, "a positive number", number(&rate_limit_config::write_burst)},
      {"AUDIT_LOG_ENABLED", nullptr, "true/false/1/0/yes/no",
       [](config& c, const std::string& v) {
         auto b = parse_bool(v);
         if (!b) return false;
         c.audit.enabled = *b;
         return true;
       }},
      {"AUDIT_LOG_DESTINATION", nullptr, "file, stderr or syslog (stdout carries MCP and is refused)",
       [](config& c, const std::string& v) {
         auto d = lower(trim(v));
         if (d == "file") c.audit.destination = audit_destination::file;
         else if (d == "stderr") c.audit.destination = audit_destination::stderr_stream;
         else if (d == "syslog") c.audit.destination = audit_destination::syslog;
         else return false;
         return true;
       }},
      {"AUDIT_LOG_FILE_PATH", nullptr, "a file path", [](config& c, const std::string& v) {
         c.audit.file_path = v;
         return !v.empty();
       }},
      {"AUDIT_LOG_FAIL_CLOSED", nullptr, "true/false/1/0/yes/no",
       [](config& c, const std::string& v) {
         auto b = parse_bool(v);
         if (!b) return false;
         c.audit.fail_closed = *b;
         return true;
       }},
      {"MEMORY_MCP_LEARNING_MIN_QUALITY", nullptr, "a number from 0 to 1", [](config& c, const std::string& v) {
         auto t = trim(v);
         char* end = nullptr;
         errno = 0;
         double d = t.empty() ? -1 : std::strtod(t.c_str(), &end);
         if (errno != 0 || end != t.c_str() + t.size() || !std::isfinite(d) || d < 0 || d > 1) return false;
         c.learning_min_quality = d;
         return true;
       }},
      {"MEMORY_MCP_FEEDBACK_HALF_LIFE_DAYS", nullptr, "a positive number (days)", [](config& c, const std::string& v) {
         auto d = parse_positive_number(v);
         if (!d) return false;
         c.feedback_half_life_days = *d;
         return true;
       }},
      {"TURSO_DATABASE_URL", nullptr, "libsql://host[:port]", text(&config::turso_url)},
      {"TURSO_CA_CERT_PATH", nullptr, "a file path", text(&config::turso_ca_cert_path)},
      {"TURSO_TLS_CERT_PATH", nullptr, "a file path", text(&config::turso_tls_cert_path)},
      {"TURSO_TLS_KEY_PATH", nullptr, "a file path", text(&config::turso_tls_key_path)},
      {"MEMORY_MCP_SYNC_INTERVAL_MS", nullptr, "a positive integer (ms)", positive_ms(&config::sync_interval_ms)},
      {"MEMORY_MCP_SYNC_BATCH_ROWS", nullptr, "a positive integer", positive_size(&config::sync_batch_rows)},
      {"MEMORY_MCP_MAX_RESTARTS", nullptr, "a positive integer", [](config& c, const std::string& v) {
         auto n = parse_positive_int(v);
         if (!n || *n > 1000) return false;
         c.max_restarts = static_cast<int>(*n);
         return true;
       }},
      {"MEMORY_MCP_RESTART_WINDOW_MS", nullptr, "a positive integer (ms)", positive_ms(&config::restart_window_ms)},
      {"MEMORY_MCP_RESTART_BACKOFF_MS", nullptr, "a positive integer (ms)",
       positive_ms(&config::restart_backoff_ms)},
      {"MEMORY_MCP_SHUTDOWN_TIMEOUT_MS", nullptr, "a positive integer (ms)",
       positive_ms(&config::shutdown_timeout_ms)},
  };
}

struct parsed_args {
  command cmd = command::serve;
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  std::vector<std::string> problems;
};

parsed_args parse_args(int argc, const char* const* argv) {
  parsed_args out;
  std::map<std::string, bool> takes_value;
  for (auto& s : settings())
    if (s.flag) takes_value[s.flag] = true;
  takes_value["env-file"] = true;
  bool have_command = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      out.cmd = command::help;
      continue;
    }
    if (arg == "--version" || arg == "-V") {
      if (out.cmd != command::help) out.cmd = command::version;
      continue;
    }
    if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2), value;
      auto eq = name.find('=');
      bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (!takes_value.count(name)) {
        out.problems.push_back("unknown flag --" + name + " (see --help)");
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= argc) {
          out.problems.push_back("flag --" + name + " needs a value");
          continue;
        }
        value = argv[++i];
      }
      out.flags[name] = value;
      continue;
    }
    if (!have_command) {
      have_command = true;
      command c;
      if (arg == "serve") c = command::serve;
      else if (arg == "health-check") c = command::health_check;
      else if (arg == "security-scan") c = command::security_scan;
      else if (arg == "export") c = command::export_jsonl;
      else if (arg == "import") c = command::import_jsonl;
      else {
        out.problems.push_back("unknown command '" + arg + "' (see --help)");
        continue;
      }
      if (out.cmd == command::serve) out.cmd = c;
      continue;
    }
    out.positional.push_back(arg);
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (auto& p : items) {
    if (!out.empty()) out += '\n';
    out += p;
  }
  return out;
}

}  // namespace

result<env_map> parse_env_file(const std::string& text) {
  env_map out;
  std::vector<std::string> bad;
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    auto t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t.rfind("export ", 0) == 0) t = trim(t.substr(7));
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0) {
      bad.push_back(std::to_string(lineno));
      continue;
    }
    auto key = trim(t.substr(0, eq));
    bool key_ok = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0]));
    for (char c : key)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) key_ok = false;
    if (!key_ok) {
      bad.push_back(std::to_string(lineno));
      continue;
    }
    auto value = trim(t.substr(eq + 1));
    if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
      char q = value[0];
      if (value.size() < 2 || value.back() != q) {
        bad.push_back(std::to_string(lineno));
        continue;
      }
      std::string inner = value.substr(1, value.size() - 2);
      if (q == '"') {
        std::string un;
        for (size_t i = 0; i < inner.size(); ++i) {
          if (inner[i] == '\\' && i + 1 < inner.size()) {
            char n = inner[++i];
            un += n == 'n' ? '\n' : n;
          } else {
            un += inner[i];
          }
        }
        inner = un;
      }
      value = inner;
    } else {
      // Unquoted: an inline comment starts at " #".
      auto hash = value.find(" #");
      if (hash != std::string::npos) value = trim(value.substr(0, hash));
    }
    out[key] = value;
  }
  if (!bad.empty()) {
    std::string lines;
    for (auto& b : bad) lines += (lines.empty() ? "" : ", ") + b;
    return make_error(error_code::invalid_argument, "env file: malformed line(s) " + lines +
                                                         " (expected KEY=VALUE with KEY of letters, digits, _)");
  }
  return out;
}

result<invocation> load_invocation(int argc, const char* const* argv, const env_map& environment) {
  invocation inv;
  auto args = parse_args(argc, argv);
  std::vector<std::string> problems = args.problems;
  inv.cmd = args.cmd;
  inv.args = args.positional;
  config& cfg = inv.cfg;

  env_map merged = environment;
  std::string env_file;
  if (auto it = args.flags.find("env-file"); it != args.flags.end()) env_file = it->second;
  else if (auto e = environment.find("MEMORY_MCP_ENV_FILE"); e != environment.end()) env_file = e->second;
  if (!env_file.empty()) {
    std::string text;
    if (!read_file(env_file, text)) {
      problems.push_back("env file " + env_file + ": cannot be read (" + std::string(std::strerror(errno)) + ")");
    } else {
      auto parsed = parse_env_file(text);
      if (!parsed) problems.push_back(parsed.err().message + " in " + env_file);
      else
        for (auto& [k, v] : parsed.value()) merged[k] = v;
    }
    cfg.env_file = env_file;
  }

  for (auto& s : settings()) {
    std::string source, raw;
    bool have = false;
    if (s.flag) {
      if (auto f = args.flags.find(s.flag); f != args.flags.end()) {
        raw = f->second;
        source = std::string("--") + s.flag;
        have = true;
      }
    }
    if (!have) {
      if (auto m = merged.find(s.env); m != merged.end()) {
        raw = m->second;
        source = s.env;
        have = true;
      }
    }
    if (!have) continue;
    if (!s.apply(cfg, raw)) {
      // Never echo the value: it may be a secret pasted into the wrong variable.
      problems.push_back(source + ": invalid value; expected " + s.expect);
    }
  }

  // Secrets: the value itself or a *_FILE path (as Kubernetes secrets and Vault agents deliver them). Only the
  // first line of a file counts (trailing newlines from `echo` or editors are not part of the secret).
  auto secret = [&](const std::string& name, std::string& out) {
    auto value = merged.find(name);
    auto file = merged.find(name + "_FILE");
    bool have_value = value != merged.end() && !value->second.empty();
    bool have_file = file != merged.end() && !file->second.empty();
    if (have_value && have_file) {
      problems.push_back(name + " and " + name + "_FILE are both set; set only one");
    } else if (have_file) {
      std::string text;
      if (!read_file(file->second, text)) problems.push_back(name + "_FILE: cannot read " + file->second);
      else out = trim(text.substr(0, text.find('\n')));
    } else if (have_value) {
      out = value->second;
    }
  };
  secret("TURSO_AUTH_TOKEN", cfg.turso_auth_token);
  secret("MEMORY_MCP_METRICS_TOKEN", cfg.metrics_token);

  if (cfg.db_path.empty()) cfg.db_path = cfg.data_dir + "/memory.db";
  for (auto& p : validate(cfg)) problems.push_back(p);
  if (!problems.empty()) return make_error(error_code::invalid_argument, join_lines(problems));
  return inv;
}

result<config> reload_config(int argc, const char* const* argv, const env_map& environment) {
  auto inv = load_invocation(argc, argv, environment);
  if (!inv) return inv.err();
  return std::move(inv.value().cfg);
}

std::optional<host_port> parse_host_port(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  host_port hp;
  hp.host = text.substr(0, colon);
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']')
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  auto port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5) return std::nullopt;
  unsigned long port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port > 65535) return std::nullopt;
  hp.port = static_cast<uint16_t>(port);
  return hp;
}

std::optional<host_port> parse_libsql_url(const std::string& url) {
  const std::string scheme = "libsql://";
  if (url.rfind(scheme, 0) != 0) return std::nullopt;
  auto rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string::npos) return std::nullopt;
  if (rest.find(':') == std::string::npos || rest.back() == ']') {
    host_port hp{rest, 443};
    if (hp.host.size() > 2 && hp.host.front() == '[') hp.host = hp.host.substr(1, hp.host.size() - 2);
    return hp;
  }
  auto hp = parse_host_port(rest);
  if (!hp || hp->port == 0 || hp->host.empty()) return std::nullopt;
  return hp;
}

std::vector<std::string> validate(const config& cfg) {
  std::vector<std::string> p;
  if (cfg.data_dir.empty()) p.push_back("MEMORY_DATA_DIR: must not be empty");
  if (cfg.max_message_bytes < 1024 || cfg.max_message_bytes > (256u << 20))
    p.push_back("MEMORY_MCP_MAX_MESSAGE_BYTES: must be between 1024 and 268435456");
  if (cfg.max_json_depth < 8 || cfg.max_json_depth > 512)
    p.push_back("MEMORY_MCP_MAX_JSON_DEPTH: must be between 8 and 512");
  if (cfg.tools_page_size > 1000) p.push_back("MEMORY_MCP_TOOLS_PAGE_SIZE: must be at most 1000");
  if (cfg.http_addr != "off" && !parse_host_port(cfg.http_addr))
    p.push_back("MEMORY_MCP_HTTP_ADDR: expected host:port (e.g. 127.0.0.1:3000) or off");
  if (cfg.tls_cert_path.empty() != cfg.tls_key_path.empty())
    p.push_back("MEMORY_MCP_TLS_CERT_PATH and MEMORY_MCP_TLS_KEY_PATH must be set together");
  if (!cfg.metrics_token.empty()) {
    bool blank = false;
    for (char c : cfg.metrics_token)
      if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c))) blank = true;
    if (cfg.metrics_token.size() < 16 || blank)
      p.push_back("MEMORY_MCP_METRICS_TOKEN (or MEMORY_MCP_METRICS_TOKEN_FILE): must be at least 16 characters "
                  "without whitespace");
  }
  if (cfg.rate_limit.read_burst < 1) p.push_back("MCP_RATE_LIMIT_READ_BURST: must be at least 1");
  if (cfg.rate_limit.write_burst < 1) p.push_back("MCP_RATE_LIMIT_WRITE_BURST: must be at least 1");
  if (cfg.audit.enabled && cfg.audit.destination == audit_destination::file && cfg.audit.file_path.empty())
    p.push_back("AUDIT_LOG_FILE_PATH: required when AUDIT_LOG_DESTINATION=file");
  if (!cfg.turso_url.empty()) {
    if (!parse_libsql_url(cfg.turso_url))
      p.push_back("TURSO_DATABASE_URL: only libsql://host[:port] is accepted (TLS is always used); "
                  "http://, https://, ws:// and file: URLs are refused");
    if (cfg.turso_auth_token.empty())
      p.push_back("TURSO_AUTH_TOKEN (or TURSO_AUTH_TOKEN_FILE): required when TURSO_DATABASE_URL is set");
  }
  if (cfg.turso_tls_cert_path.empty() != cfg.turso_tls_key_path.empty())
    p.push_back("TURSO_TLS_CERT_PATH and TURSO_TLS_KEY_PATH must be set together");
  for (auto [name, path] : {std::pair{"TURSO_CA_CERT_PATH", &cfg.turso_ca_cert_path},
                            std::pair{"TURSO_TLS_CERT_PATH", &cfg.turso_tls_cert_path},
                            std::pair{"TURSO_TLS_KEY_PATH", &cfg.turso_tls_key_path}})
    if (!path->empty() && ::access(path->c_str(), R_OK) != 0)
      p.push_back(std::string(name) + ": cannot read " + *path);
  if (cfg.sync_batch_rows > 5000) p.push_back("MEMORY_MCP_SYNC_BATCH_ROWS: must be at most 5000");
  return p;
}

env_map current_environment() {
  env_map out;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

std::string help_text() {
  return R"(memory-mcp-server: durable, self-learning episodic memory for AI agents over MCP (stdio).

Usage:
  memory-mcp-server [serve] [flags]     serve MCP on stdin/stdout (the default)
  memory-mcp-server health-check        probe GET /health on the configured HTTP address; exit 0 or 1
  memory-mcp-server security-scan       check the deployment against the hardening checklist (PASS/WARN/FAIL)
  memory-mcp-server export [FILE|-]     write every episode and relationship as JSON Lines (default stdout)
  memory-mcp-server import FILE|-       add the episodes and relationships of an export (idempotent)
  memory-mcp-server --help | --version

Flags (each also settable by the environment variable in brackets):
  --env-file PATH           read KEY=VALUE settings from PATH [MEMORY_MCP_ENV_FILE]
  --data-dir DIR            data directory, created 0700 (default ./data) [MEMORY_DATA_DIR]
  --db-path FILE            SQLite database (default DIR/memory.db) [MEMORY_DB_PATH]
  --max-message-bytes N     largest accepted JSON-RPC line (default 4194304) [MEMORY_MCP_MAX_MESSAGE_BYTES]
  --log-level LEVEL         stderr log level: debug..emergency (default info) [MEMORY_MCP_LOG_LEVEL]
  --http-addr HOST:PORT     health/readiness/metrics endpoint, or off (default 127.0.0.1:3000) [MEMORY_MCP_HTTP_ADDR]

Environment only:
  MEMORY_MCP_MAX_JSON_DEPTH (64), MEMORY_MCP_TOOLS_PAGE_SIZE (50),
  MEMORY_MCP_TLS_CERT_PATH, MEMORY_MCP_TLS_KEY_PATH,
  MEMORY_MCP_METRICS_TOKEN or MEMORY_MCP_METRICS_TOKEN_FILE (GET /metrics then needs "Authorization: Bearer"),
  MCP_RATE_LIMIT_ENABLED (true), MCP_RATE_LIMIT_READ_RPS (100), MCP_RATE_LIMIT_READ_BURST (150),
  MCP_RATE_LIMIT_WRITE_RPS (20), MCP_RATE_LIMIT_WRITE_BURST (30),
  AUDIT_LOG_ENABLED (false), AUDIT_LOG_DESTINATION (stderr|file|syslog), AUDIT_LOG_FILE_PATH, AUDIT_LOG_FAIL_CLOSED (true),
  MEMORY_MCP_LEARNING_MIN_QUALITY (0.3), MEMORY_MCP_FEEDBACK_HALF_LIFE_DAYS (30),
  TURSO_DATABASE_URL (libsql://host[:port]), TURSO_AUTH_TOKEN or TURSO_AUTH_TOKEN_FILE,
  TURSO_CA_CERT_PATH, TURSO_TLS_CERT_PATH, TURSO_TLS_KEY_PATH,
  MEMORY_MCP_SYNC_INTERVAL_MS (500), MEMORY_MCP_SYNC_BATCH_ROWS (500),
  MEMORY_MCP_MAX_RESTARTS (5), MEMORY_MCP_RESTART_WINDOW_MS (60000), MEMORY_MCP_RESTART_BACKOFF_MS (50),
  MEMORY_MCP_SHUTDOWN_TIMEOUT_MS (10000)

Precedence: flags > env file > process environment > defaults. Invalid settings are all reported at once and the
process exits with status 2. Logs go to stderr; stdout carries only MCP messages.
)";
}

}  // namespace memory_mcp
