// The episode store: owns the one SQLite connection of this process and runs every storage tool on it.
// Detached (SQLite blocks). It opens the database when spawned; if that fails the actor exits with the error so
// the supervisor restarts it with backoff (and gives up after too many attempts).
#pragma once

#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

episode_store_actor spawn_episode_store(caf::actor_system& sys, runtime_ptr rt);

// Builds the tool_reply for a command result (shared by every actor that runs tools).
tool_reply to_tool_reply(const result<nlohmann::json>& r);

// A failed tool_reply: `kind` is an error_code name (unavailable, conflict, ...), `message` names what failed.
tool_reply tool_error(const std::string& kind, const std::string& message);

}  // namespace memory_mcp
