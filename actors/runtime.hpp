// What every actor receives at spawn time: the configuration in force, the process logger and the process
// start time. Immutable after spawn; a SIGHUP reload hands new copies to new spawns and reload messages.
#pragma once

#include <cstdint>
#include <memory>

#include "adapters/logger.hpp"
#include "config/config.hpp"

namespace memory_mcp {

struct runtime {
  config cfg;
  std::shared_ptr<logger> log;
  int64_t started_wall_us = 0;  // process start, for uptime
  int64_t started_mono_us = 0;
};

using runtime_ptr = std::shared_ptr<const runtime>;

// The same process (logger, start times) with a reloaded configuration.
inline runtime_ptr with_config(const runtime_ptr& old, const config& cfg) {
  auto next = std::make_shared<runtime>(*old);
  next->cfg = cfg;
  return next;
}

}  // namespace memory_mcp
