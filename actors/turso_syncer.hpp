// The Turso syncer: replicates local changes to a Turso/libSQL database when TURSO_DATABASE_URL is set.
// Replication itself is not implemented in this version: with a URL configured the syncer reports
// state "unavailable" with that reason (never a fabricated success); without one it reports "disabled".
#pragma once

#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

turso_syncer_actor spawn_turso_syncer(caf::actor_system& sys, runtime_ptr rt);

}  // namespace memory_mcp
