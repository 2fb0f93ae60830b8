#include "adapters/security_scan.hpp"

#include <cstdio>
#include <sys/stat.h>

namespace memory_mcp {

namespace {

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03o", mode & 0777);
  return buf;
}

// Checks that `path`, if it exists, grants nothing to group or others.
void owner_only(std::vector<scan_check>& out, const std::string& name, const std::string& path, bool dir,
                bool missing_ok) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    out.push_back({missing_ok ? scan_verdict::warn : scan_verdict::fail, name,
                   path + " does not exist yet" + (missing_ok ? " (created owner-only on first start)" : "")});
    return;
  }
  unsigned mode = st.st_mode & 0777;
  bool ok = (mode & 077) == 0;
  std::string want = dir ? "700" : "600";
  out.push_back({ok ? scan_verdict::pass : scan_verdict::fail, name,
                 path + " is mode " + octal(mode) + (ok ? "" : "; run: chmod " + want + " " + path)});
}

bool loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

}  // namespace

std::vector<scan_check> run_security_scan(const config& cfg, unsigned euid) {
  std::vector<scan_check> out;
  if (cfg.env_file.empty())
    out.push_back({scan_verdict::warn, "env-file", "no env file configured (--env-file / MEMORY_MCP_ENV_FILE)"});
  else
    owner_only(out, "env-file-mode", cfg.env_file, false, false);

  out.push_back({cfg.rate_limit.enabled ? scan_verdict::pass : scan_verdict::fail, "rate-limiting",
                 cfg.rate_limit.enabled ? "enabled (read " + std::to_string(static_cast<int>(cfg.rate_limit.read_rps)) +
                                              "/s, write " + std::to_string(static_cast<int>(cfg.rate_limit.write_rps)) + "/s)"
                                        : "disabled; set MCP_RATE_LIMIT_ENABLED=true"});
  if (!cfg.audit.enabled) {
    out.push_back({scan_verdict::fail, "audit-logging", "disabled; set AUDIT_LOG_ENABLED=true"});
  } else if (cfg.audit.destination == audit_destination::file) {
    out.push_back({scan_verdict::pass, "audit-logging", "enabled, destination file " + cfg.audit.file_path});
    owner_only(out, "audit-file-mode", cfg.audit.file_path, false, true);
  } else {
    out.push_back({scan_verdict::pass, "audit-logging",
                   std::string("enabled, destination ") +
                       (cfg.audit.destination == audit_destination::syslog ? "syslog" : "stderr")});
  }

  if (cfg.turso_url.empty())
    out.push_back({scan_verdict::pass, "remote-storage", "local SQLite only (TURSO_DATABASE_URL not set)"});
  else if (cfg.turso_url.rfind("libsql://", 0) == 0)
    out.push_back({scan_verdict::pass, "remote-storage", "libsql:// URL (TLS with verified certificates)"});
  else
    out.push_back({scan_verdict::fail, "remote-storage", "TURSO_DATABASE_URL must use libsql://"});

  owner_only(out, "data-dir-mode", cfg.data_dir, true, true);
  owner_only(out, "database-mode", cfg.db_path, false, true);

  out.push_back({euid == 0 ? scan_verdict::fail : scan_verdict::pass, "non-root",
                 euid == 0 ? "running as root; run as a dedicated unprivileged user"
                           : "running as uid " + std::to_string(euid)});

  if (cfg.http_addr == "off") {
    out.push_back({scan_verdict::pass, "http-endpoint", "disabled"});
  } else if (auto hp = parse_host_port(cfg.http_addr)) {
    bool tls = !cfg.tls_cert_path.empty();
    if (loopback(hp->host) || tls)
      out.push_back({scan_verdict::pass, "http-endpoint", cfg.http_addr + (tls ? " with TLS" : " (loopback only)")});
    else
      out.push_back({scan_verdict::warn, "http-endpoint",
                     cfg.http_addr + " is reachable from the network without TLS; restrict it with a firewall or set "
                                     "MEMORY_MCP_TLS_CERT_PATH/MEMORY_MCP_TLS_KEY_PATH"});
    // /metrics reveals usage (tool names, counts, episode totals): beyond loopback it should need a token.
    if (!cfg.metrics_token.empty())
      out.push_back({tls || loopback(hp->host) ? scan_verdict::pass : scan_verdict::warn, "metrics-auth",
                     tls || loopback(hp->host) ? "GET /metrics needs the bearer token"
                                               : "GET /metrics needs the bearer token, but it travels without TLS"});
    else if (loopback(hp->host))
      out.push_back({scan_verdict::pass, "metrics-auth", "GET /metrics is open on loopback only"});
    else
      out.push_back({scan_verdict::warn, "metrics-auth",
                     "GET /metrics is open to the network; set MEMORY_MCP_METRICS_TOKEN_FILE (and TLS)"});
  }
  return out;
}

std::string format_check(const scan_check& c) {
  const char* v = c.verdict == scan_verdict::pass ? "PASS" : c.verdict == scan_verdict::warn ? "WARN" : "FAIL";
  return std::string(v) + " " + c.name + ": " + c.detail;
}

}  // namespace memory_mcp
