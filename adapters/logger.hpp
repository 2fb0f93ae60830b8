// The stderr logger. One instance per process, created in main and handed to actors at spawn time as a
// shared_ptr. Thread-safe: each call writes one whole line under a mutex. Never writes to stdout (stdout carries
// MCP). Callers must not pass secrets; the logger does not redact.
#pragma once

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/log_level.hpp"

namespace memory_mcp {

class logger {
 public:
  explicit logger(log_level min_level, std::FILE* sink = stderr) : min_(static_cast<int>(min_level)), sink_(sink) {}

  // Writes "<RFC 3339 time> <LEVEL> <component>: <message>" if level >= the minimum.
  void log(log_level level, const std::string& component, const std::string& message);

  void set_level(log_level level) { min_.store(static_cast<int>(level)); }
  bool enabled(log_level level) const { return static_cast<int>(level) >= min_.load(); }

 private:
  std::atomic<int> min_;
  std::FILE* sink_;
  std::mutex mutex_;
};

// Microseconds since the Unix epoch, from the system clock.
int64_t wall_clock_us();
// Microseconds on the monotonic clock (for durations and rate limiting).
int64_t monotonic_us();

}  // namespace memory_mcp
