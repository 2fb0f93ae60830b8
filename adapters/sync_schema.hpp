// What replicates to Turso and how the local capture works (docs/OPERATIONS.md, Replication).
//
// Replicated tables: episodes, steps, episode_tags, episode_relationships, recommendation_sessions,
// recommendation_feedback, pattern_feedback. Derived data (patterns, their evidence, the full-text index) is
// not replicated: every server derives it from the replicated episodes, deterministically.
//
// Capture: triggers on the replicated tables append (table, primary key, op) to sync_outbox in the same
// transaction as the change, while sync_state.capture is 1 (the Turso syncer sets it when replication is
// configured; applying remote changes sets it to 0 inside its own transaction, so nothing echoes back).
// Deletes also leave a tombstone (sync_tombstones) so that an older copy arriving later cannot resurrect the
// row.
#pragma once

#include <string>
#include <vector>

namespace memory_mcp {

struct replicated_table {
  std::string name;
  std::vector<std::string> key;      // primary-key columns, in order
  std::string version;               // the column whose value orders versions of a row (microseconds)
  std::vector<std::string> parents;  // columns holding an episode id: a deleted episode takes these rows along
};

// In dependency order (parents before children).
const std::vector<replicated_table>& replicated_tables();
const replicated_table* find_replicated_table(const std::string& name);

// The SQL of the local migration that creates sync_state, sync_outbox, sync_tombstones and the capture
// triggers.
std::string sync_capture_migration_sql();

}  // namespace memory_mcp
