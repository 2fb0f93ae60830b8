// The pattern learner: the learning half of complete_episode (reward, reflection, quality and pattern
// observations, computed in core/ and applied by the episode store in one transaction) and every recall tool
// (query_memory, pattern search and recommendation, playbooks, learning metrics). It owns a read-only SQLite
// connection of its own, so recall runs beside the store's writes (WAL readers never block the writer).
// Detached: SQLite reads block.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

pattern_learner_actor spawn_pattern_learner(caf::actor_system& sys, runtime_ptr rt);

}  // namespace memory_mcp
