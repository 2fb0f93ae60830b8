// Replication to a Turso/libSQL database (docs/OPERATIONS.md, Replication): the SQL both sides run.
//
// Push: the outbox (adapters/sync_schema.hpp) is read in order; each entry becomes the current state of its row
// (or its deletion) and is shipped as statements of one remote transaction that (1) upsert the row into the
// remote copy of its table unless the remote has a newer version, (2) keep a deleted episode deleted, and
// (3) append the change to the remote change feed mm_changes, keyed by (origin, origin_seq) so that shipping the
// same entry twice changes nothing.
//
// Pull: every server reads the feed entries of the other origins after the last one it applied and applies them
// locally with the same rules.
//
// Conflict rule (deterministic, the same on every server and on the remote copy): each row version is ordered by
// its version key, the row's version column (microseconds) then the SHA-1 of its canonical JSON; the greater key
// wins. A deletion wins over every version up to its time; deleting an episode is final (it also removes its
// steps, tags and relationships, and no later copy of them comes back).
//
// All functions run on the caller's connection; the caller owns the transaction.
#pragma once

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adapters/hrana_client.hpp"
#include "adapters/sync_schema.hpp"

namespace memory_mcp {

// --- local state ---

// This database's origin id (created on first use) and whether capture is on.
std::string sync_origin(SQLite::Database& db);

// Turns capture on. The first time, every existing row of the replicated tables is queued (a snapshot), so
// data written before replication was configured reaches the remote too. Returns the rows queued.
int64_t enable_capture(SQLite::Database& db);

struct outbox_entry {
  int64_t seq = 0;
  std::string table;
  std::string pk;  // JSON array of the key values, as the capture trigger wrote it
  std::string op;  // upsert, delete
  int64_t at_us = 0;
};

std::vector<outbox_entry> read_outbox(SQLite::Database& db, size_t limit);
// Removes the entries up to and including `seq` (they reached the remote).
void trim_outbox(SQLite::Database& db, int64_t through_seq);

struct outbox_stats {
  int64_t depth = 0;
  int64_t oldest_at_us = 0;  // 0 when empty
};
outbox_stats read_outbox_stats(SQLite::Database& db);

int64_t pulled_seq(SQLite::Database& db);
void set_pulled_seq(SQLite::Database& db, int64_t seq);

// --- rows ---

// A row as canonical JSON (an object of column -> value, keys sorted), or nullopt when absent.
std::optional<nlohmann::json> read_row(SQLite::Database& db, const replicated_table& t, const nlohmann::json& key);
// "<version, 20 digits>|<sha1 of row.dump()>": greater wins.
std::string version_key(const replicated_table& t, const nlohmann::json& row);

// --- push ---

// One change to ship: the row's current state (upsert) or its deletion.
struct change {
  int64_t origin_seq = 0;
  const replicated_table* table = nullptr;
  std::string pk;
  std::string op;  // upsert, delete
  nlohmann::json row;  // upsert only
  std::string version;
  int64_t at_us = 0;
};

// The changes for a run of outbox entries: one per row, ordered by the row's first entry (parents before
// children), carrying what the row's last entry says (an upsert of a row that no longer exists is dropped, its
// deletion follows).
std::vector<change> collect_changes(SQLite::Database& db, const std::vector<outbox_entry>& entries);

// The statements that create the remote tables (from the local tables' columns) and the feed; idempotent.
std::vector<hrana_stmt> remote_schema(SQLite::Database& db);
// The ALTER TABLE statements adding the local columns the remote table lacks (`remote_columns` from PRAGMA
// table_info on the remote).
std::vector<hrana_stmt> remote_missing_columns(SQLite::Database& db, const replicated_table& t,
                                               const std::vector<std::string>& remote_columns);
// The statements that ship one change from `origin`.
std::vector<hrana_stmt> remote_statements(const change& c, const std::string& origin);

// --- pull ---

struct remote_change {
  int64_t seq = 0;
  std::string table;
  std::string pk;
  std::string op;
  std::string version;
  nlohmann::json row;  // upsert only
  int64_t at_us = 0;
};

// The remote query for the next feed entries of other origins: args (after_seq, origin, limit); columns
// seq, tbl, pk, op, version, row, at_us.
hrana_stmt remote_feed_query(int64_t after_seq, const std::string& origin, size_t limit);
std::optional<remote_change> feed_row(const std::vector<nlohmann::json>& row);

struct apply_stats {
  int64_t applied = 0;
  int64_t skipped_older = 0;       // the local version is newer or equal
  int64_t skipped_deleted = 0;     // a tombstone wins
  int64_t skipped_invalid = 0;     // unknown table, malformed row, or a constraint failed
  std::vector<std::string> problems;  // why rows were invalid (at most a few)
};

// Applies remote changes locally (capture off meanwhile, so they are not shipped back), then rebuilds the
// full-text document and re-learns the patterns of each episode they touched. REQUIRES: an open write
// transaction.
apply_stats apply_remote_changes(SQLite::Database& db, const std::vector<remote_change>& changes, double min_quality);

}  // namespace memory_mcp
