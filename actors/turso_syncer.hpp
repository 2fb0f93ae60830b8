// The Turso syncer: replicates to a Turso/libSQL database when TURSO_DATABASE_URL is set (adapters/replication.hpp
// has the rules). A detached worker owns a SQLite connection and the Hrana client: it ships the outbox in
// batches (one remote transaction each), pulls the other servers' changes, backs off with jitter while the
// remote is unreachable, and reports to this actor, which answers status and metrics at once. Without a URL
// the syncer reports "disabled" and does nothing.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

// `supervisor` receives the syncer's state changes and its audit events (401/403 from the remote).
turso_syncer_actor spawn_turso_syncer(caf::actor_system& sys, runtime_ptr rt, supervisor_actor supervisor);

}  // namespace memory_mcp
