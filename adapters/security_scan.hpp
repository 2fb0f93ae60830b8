// The seed's production verification checklist as code: `memory-mcp-server security-scan`.
// Reads file modes and the configuration; changes nothing.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace memory_mcp {

enum class scan_verdict { pass, warn, fail };

struct scan_check {
  scan_verdict verdict;
  std::string name;    // short id, e.g. "env-file-mode"
  std::string detail;  // what was found and, for WARN/FAIL, what to do
};

// Runs every check against `cfg` as the process `euid` would run it.
std::vector<scan_check> run_security_scan(const config& cfg, unsigned euid);

// "PASS name: detail" (or WARN/FAIL).
std::string format_check(const scan_check& check);

}  // namespace memory_mcp
