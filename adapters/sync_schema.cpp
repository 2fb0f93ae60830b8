#include "adapters/sync_schema.hpp"

namespace memory_mcp {

const std::vector<replicated_table>& replicated_tables() {
  static const std::vector<replicated_table> all = {
      {"episodes", {"episode_id"}, "updated_at_us", {}},
      {"steps", {"episode_id", "step_number"}, "timestamp_us", {"episode_id"}},
      {"episode_tags", {"episode_id", "tag"}, "created_at_us", {"episode_id"}},
      {"episode_relationships", {"relationship_id"}, "created_at_us", {"from_episode_id", "to_episode_id"}},
      {"recommendation_sessions", {"session_id"}, "created_at_us", {}},
      {"recommendation_feedback", {"session_id"}, "created_at_us", {}},
      {"pattern_feedback", {"pattern_id", "session_id"}, "at_us", {}},
  };
  return all;
}

const replicated_table* find_replicated_table(const std::string& name) {
  for (auto& t : replicated_tables())
    if (t.name == name) return &t;
  return nullptr;
}

namespace {

// The current time in microseconds, in SQL (julianday has millisecond resolution here).
const char* const now_us_sql = "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)";

std::string key_json(const replicated_table& t, const char* row) {
  std::string s = "json_array(";
  for (size_t i = 0; i < t.key.size(); ++i) s += (i ? ", " : "") + std::string(row) + "." + t.key[i];
  return s + ")";
}

}  // namespace

std::string sync_capture_migration_sql() {
  std::string sql = R"sql(
CREATE TABLE sync_state (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  capture     INTEGER NOT NULL DEFAULT 0,
  origin      TEXT,
  pulled_seq  INTEGER NOT NULL DEFAULT 0,
  snapshot_at INTEGER
) STRICT;
INSERT INTO sync_state(id) VALUES (1);
CREATE TABLE sync_outbox (
  seq   INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl   TEXT NOT NULL,
  pk    TEXT NOT NULL,
  op    TEXT NOT NULL,
  at_us INTEGER NOT NULL
) STRICT;
CREATE TABLE sync_tombstones (
  tbl           TEXT NOT NULL,
  pk            TEXT NOT NULL,
  deleted_at_us INTEGER NOT NULL,
  PRIMARY KEY (tbl, pk)
) STRICT, WITHOUT ROWID;
)sql";
  for (auto& t : replicated_tables()) {
    const std::string when = " WHEN (SELECT capture FROM sync_state WHERE id = 1) = 1 BEGIN\n";
    auto row_new = key_json(t, "new"), row_old = key_json(t, "old");
    for (const char* event : {"INSERT", "UPDATE"}) {
      sql += "CREATE TRIGGER sync_capture_" + t.name + "_" + event + " AFTER " + event + " ON " + t.name + when +
             "  INSERT INTO sync_outbox(tbl, pk, op, at_us) VALUES ('" + t.name + "', " + row_new + ", 'upsert', " +
             now_us_sql + ");\n";
      // A row written again is alive: its old tombstone must not delete it elsewhere.
      sql += "  DELETE FROM sync_tombstones WHERE tbl = '" + t.name + "' AND pk = " + row_new + ";\nEND;\n";
    }
    sql += "CREATE TRIGGER sync_capture_" + t.name + "_DELETE AFTER DELETE ON " + t.name + when +
           "  INSERT INTO sync_outbox(tbl, pk, op, at_us) VALUES ('" + t.name + "', " + row_old + ", 'delete', " +
           now_us_sql + ");\n" + "  INSERT INTO sync_tombstones(tbl, pk, deleted_at_us) VALUES ('" + t.name + "', " +
           row_old + ", " + now_us_sql +
           ") ON CONFLICT (tbl, pk) DO UPDATE SET deleted_at_us = max(deleted_at_us, excluded.deleted_at_us);\nEND;\n";
  }
  return sql;
}

}  // namespace memory_mcp
