// The server's one configuration struct, and how it is loaded and validated.
// Loading is pure apart from reading the env file and secret files it names; it never logs (the caller prints
// the problems). A loaded config is an immutable value: actors receive copies at spawn time.
//
// Precedence, highest first: command-line flags > env file (--env-file / MEMORY_MCP_ENV_FILE) > process
// environment > defaults. The env file wins over the inherited environment so that editing it and sending SIGHUP
// takes effect even when a stale value was exported at start (see docs/decisions/0002-config-precedence.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/log_level.hpp"
#include "core/result.hpp"

namespace memory_mcp {

enum class audit_destination { file, stderr_stream, syslog };

struct rate_limit_config {
  bool enabled = true;       // MCP_RATE_LIMIT_ENABLED
  double read_rps = 100;     // MCP_RATE_LIMIT_READ_RPS, tokens per second for read tools
  double read_burst = 150;   // MCP_RATE_LIMIT_READ_BURST, bucket capacity
  double write_rps = 20;     // MCP_RATE_LIMIT_WRITE_RPS
  double write_burst = 30;   // MCP_RATE_LIMIT_WRITE_BURST
  size_t max_clients = 10000;  // bucket-table bound; the least recently used bucket is evicted beyond it
};

struct audit_config {
  bool enabled = false;                                      // AUDIT_LOG_ENABLED
  audit_destination destination = audit_destination::stderr_stream;  // AUDIT_LOG_DESTINATION
  std::string file_path = "./data/audit.log";                // AUDIT_LOG_FILE_PATH
  bool fail_closed = true;  // AUDIT_LOG_FAIL_CLOSED: a mutating call runs only after its audit line was written
};

struct config {
  // --- storage ---
  std::string data_dir = "./data";  // MEMORY_DATA_DIR / --data-dir; created 0700
  std::string db_path;              // MEMORY_DB_PATH / --db-path; default <data_dir>/memory.db; created 0600

  // --- MCP transport ---
  size_t max_message_bytes = 4u << 20;  // MEMORY_MCP_MAX_MESSAGE_BYTES / --max-message-bytes; one JSON-RPC line
  size_t max_json_depth = 64;           // MEMORY_MCP_MAX_JSON_DEPTH; nesting of arrays/objects in one message
  size_t tools_page_size = 50;          // MEMORY_MCP_TOOLS_PAGE_SIZE; tools per tools/list page

  // --- logging (stderr) ---
  log_level stderr_log_level = log_level::info;  // MEMORY_MCP_LOG_LEVEL / --log-level

  // --- HTTP endpoint (health, readiness, metrics) ---
  std::string http_addr = "127.0.0.1:3000";  // MEMORY_MCP_HTTP_ADDR / --http-addr; "off" disables; port 0 = any
  std::string tls_cert_path;                 // MEMORY_MCP_TLS_CERT_PATH (with key: serve HTTPS)
  std::string tls_key_path;                  // MEMORY_MCP_TLS_KEY_PATH
  // MEMORY_MCP_METRICS_TOKEN or the contents of MEMORY_MCP_METRICS_TOKEN_FILE. A secret (at least 16 characters,
  // no whitespace). When set, GET /metrics answers only requests with "Authorization: Bearer <token>"; every
  // attempt is audited as operation "authentication" with the peer address as client_id. /health and /ready
  // stay open for probes. Re-read on SIGHUP.
  std::string metrics_token;

  // --- security ---
  rate_limit_config rate_limit;
  audit_config audit;

  // --- learning ---
  double learning_min_quality = 0.3;     // MEMORY_MCP_LEARNING_MIN_QUALITY (0..1): episodes below it are stored but not learned from
  double feedback_half_life_days = 30;   // MEMORY_MCP_FEEDBACK_HALF_LIFE_DAYS (> 0): recommendation feedback halves in weight

  // --- replication (Turso / libSQL) ---
  std::string turso_url;         // TURSO_DATABASE_URL; empty = local only
  std::string turso_auth_token;  // TURSO_AUTH_TOKEN or the contents of TURSO_AUTH_TOKEN_FILE. A secret.
  std::string turso_ca_cert_path;   // TURSO_CA_CERT_PATH: PEM CA bundle for a self-hosted server (default: system CAs)
  std::string turso_tls_cert_path;  // TURSO_TLS_CERT_PATH: client certificate (mTLS), with TURSO_TLS_KEY_PATH
  std::string turso_tls_key_path;   // TURSO_TLS_KEY_PATH
  int64_t sync_interval_ms = 500;   // MEMORY_MCP_SYNC_INTERVAL_MS: how often the syncer pushes and pulls
  size_t sync_batch_rows = 500;     // MEMORY_MCP_SYNC_BATCH_ROWS: changes per Hrana batch (one remote transaction)

  // --- supervision and shutdown ---
  int max_restarts = 5;             // MEMORY_MCP_MAX_RESTARTS: crashes of one actor tolerated per window
  int64_t restart_window_ms = 60000;  // MEMORY_MCP_RESTART_WINDOW_MS
  int64_t restart_backoff_ms = 50;  // MEMORY_MCP_RESTART_BACKOFF_MS: first restart delay; doubles, capped at 5 s
  int64_t shutdown_timeout_ms = 10000;  // MEMORY_MCP_SHUTDOWN_TIMEOUT_MS: in-flight requests get this long

  // --- provenance (not settable) ---
  std::string env_file;  // the env file that was read, if any
};

// What the command line asked for besides configuration.
enum class command { serve, health_check, security_scan, export_jsonl, import_jsonl, help, version };

struct invocation {
  command cmd = command::serve;
  config cfg;
  std::vector<std::string> args;  // positional arguments after the subcommand (e.g. an export file path)
};

using env_map = std::map<std::string, std::string>;

// Parses an env file's text: KEY=VALUE per line; blank lines and lines starting with '#' are skipped; an optional
// leading "export "; values may be single- or double-quoted (double quotes honour \n, \", \\). Returns every
// malformed line as one error listing line numbers (never the values: they may be secrets).
result<env_map> parse_env_file(const std::string& text);

// Builds the invocation from argv, a snapshot of the environment and (if named) the env file. Every problem is
// collected: the error message lists all of them, one per line, and names each variable or flag. Reads the
// env file and *_FILE secret files from disk.
result<invocation> load_invocation(int argc, const char* const* argv, const env_map& environment);

// Re-reads only what may change at run time (env file and *_FILE secrets) on top of `current`'s original
// sources. Used on SIGHUP: the caller keeps `current` if this fails.
result<config> reload_config(int argc, const char* const* argv, const env_map& environment);

// Checks a config for consistency; returns every problem (empty when valid).
std::vector<std::string> validate(const config& cfg);

// The text printed by --help.
std::string help_text();

// Snapshot of the process environment.
env_map current_environment();

// Parses "host:port"; returns nullopt when malformed. Port 0 means "any free port".
struct host_port {
  std::string host;
  uint16_t port = 0;
};
std::optional<host_port> parse_host_port(const std::string& text);

// The host and port of a libsql://host[:port] URL (port 443 when absent); nullopt for any other form
// (another scheme, a path, user info, an empty host or a bad port).
std::optional<host_port> parse_libsql_url(const std::string& url);

}  // namespace memory_mcp
