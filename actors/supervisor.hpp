// The supervisor: root of the actor graph. It spawns every actor, links to each, and restarts one that exits
// abnormally after a backoff (restart_backoff_ms, doubling per recent crash, capped at 5 s). More than
// max_restarts crashes of one actor within restart_window_ms is fatal: the supervisor logs why, shuts everything
// down and sets exit code 1, so systemd or Kubernetes restarts the process. Data survives restarts because
// everything that must survive lives in SQLite, owned by the episode store.
//
// Shutdown (stdin EOF, SIGTERM, SIGINT, or fatal): the router drains (in-flight requests finish, bounded by
// shutdown_timeout_ms), the writer flushes, then every child is stopped and the supervisor quits. The exit
// code is stored in *exit_code before the supervisor terminates.
#pragma once

#include <atomic>
#include <caf/actor_system.hpp>
#include <memory>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

struct stdio_fds {
  int in = 0;
  int out = 1;
};

supervisor_actor spawn_supervisor(caf::actor_system& sys, runtime_ptr rt, stdio_fds fds,
                                  std::shared_ptr<std::atomic<int>> exit_code);

}  // namespace memory_mcp
