#include "adapters/sqlite_schema.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace memory_mcp {

const std::vector<migration>& migrations() {
  static const std::vector<migration> all = {
      {1, "meta",
       "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"},
      {2, "episodes",
       // Times are microseconds since the Unix epoch (rendered as RFC 3339 with 6 fractional digits).
       // JSON columns hold the documented shapes of docs/API.md.
       R"sql(
CREATE TABLE episodes (
  episode_id       TEXT PRIMARY KEY,
  task_type        TEXT NOT NULL,
  task_description TEXT NOT NULL,
  domain           TEXT NOT NULL,
  language         TEXT,
  framework        TEXT,
  complexity       TEXT NOT NULL,
  context_tags     TEXT NOT NULL DEFAULT '[]',
  start_time_us    INTEGER NOT NULL,
  end_time_us      INTEGER,
  outcome_type     TEXT,
  outcome          TEXT,
  reward_total     REAL,
  reward           TEXT,
  reflection       TEXT,
  pattern_ids      TEXT NOT NULL DEFAULT '[]',
  heuristic_ids    TEXT NOT NULL DEFAULT '[]',
  metadata         TEXT NOT NULL DEFAULT '{}',
  step_count       INTEGER NOT NULL DEFAULT 0,
  updated_at_us    INTEGER NOT NULL
) STRICT;
CREATE INDEX episodes_by_start ON episodes(start_time_us, episode_id);
CREATE INDEX episodes_by_domain ON episodes(domain, start_time_us);
CREATE INDEX episodes_by_type ON episodes(task_type, start_time_us);
CREATE TABLE steps (
  episode_id   TEXT NOT NULL REFERENCES episodes(episode_id) ON DELETE CASCADE,
  step_number  INTEGER NOT NULL,
  timestamp_us INTEGER NOT NULL,
  tool         TEXT NOT NULL,
  action       TEXT NOT NULL,
  parameters   TEXT NOT NULL DEFAULT '{}',
  result_type  TEXT,
  result_text  TEXT,
  latency_ms   INTEGER NOT NULL DEFAULT 0,
  tokens_used  INTEGER,
  metadata     TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (episode_id, step_number)
) STRICT, WITHOUT ROWID;
CREATE TABLE episode_tags (
  episode_id    TEXT NOT NULL REFERENCES episodes(episode_id) ON DELETE CASCADE,
  tag           TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  PRIMARY KEY (episode_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX episode_tags_by_tag ON episode_tags(tag, episode_id);
CREATE TABLE episode_relationships (
  relationship_id   TEXT PRIMARY KEY,
  from_episode_id   TEXT NOT NULL REFERENCES episodes(episode_id) ON DELETE CASCADE,
  to_episode_id     TEXT NOT NULL REFERENCES episodes(episode_id) ON DELETE CASCADE,
  relationship_type TEXT NOT NULL,
  reason            TEXT,
  priority          INTEGER,
  created_by        TEXT,
  created_at_us     INTEGER NOT NULL,
  UNIQUE (from_episode_id, to_episode_id, relationship_type)
) STRICT;
CREATE INDEX relationships_by_to ON episode_relationships(to_episode_id);
)sql"},
  };
  return all;
}

status apply_migrations(SQLite::Database& db) {
  try {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
    int current = db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
    int latest = static_cast<int>(migrations().size());
    if (current > latest)
      return make_error(error_code::storage, "database schema version " + std::to_string(current) +
                                                 " is newer than this build supports (" + std::to_string(latest) +
                                                 "); upgrade memory-mcp-server");
    for (auto& m : migrations()) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      SQLite::Statement ins(db, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)");
      ins.bind(1, m.version);
      ins.bind(2, m.name);
      ins.exec();
    }
    tx.commit();
    return ok_status();
  } catch (const std::exception& e) {
    return make_error(error_code::storage, std::string("migration failed: ") + e.what());
  }
}

}  // namespace memory_mcp
