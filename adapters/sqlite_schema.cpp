#include "adapters/sqlite_schema.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "adapters/pattern_repo.hpp"
#include "adapters/sync_schema.hpp"

namespace memory_mcp {

// Inserts the full-text document of the completed episodes whose doc ids the caller selects after this text
// ("... WHERE d.doc_id IN (<select>)"). Shared by migration 6 and reindex_episode. Columns: the description;
// every step's tool, action and result text; the outcome and reflection texts; the context (domain, task type,
// language, framework, context and episode tags).
const char* const fts_document_insert = R"sql(
INSERT INTO episodes_fts(rowid, description, steps, reflection, context)
SELECT d.doc_id, e.task_description,
       COALESCE((SELECT group_concat(s.tool || ' ' || s.action || ' ' || COALESCE(s.result_text, ''), ' ')
                 FROM steps s WHERE s.episode_id = e.episode_id), ''),
       COALESCE((SELECT group_concat(t.value, ' ') FROM json_tree(e.outcome) t
                 WHERE t.type = 'text' AND t.key <> 'type'), '') || ' ' ||
       COALESCE((SELECT group_concat(t.value, ' ') FROM json_tree(e.reflection) t
                 WHERE t.type = 'text' AND t.key <> 'generated_at'), ''),
       e.domain || ' ' || replace(e.task_type, '_', ' ') || ' ' || COALESCE(e.language, '') || ' ' ||
       COALESCE(e.framework, '') || ' ' ||
       COALESCE((SELECT group_concat(t.value, ' ') FROM json_each(e.context_tags) t), '') || ' ' ||
       COALESCE((SELECT group_concat(g.tag, ' ') FROM episode_tags g WHERE g.episode_id = e.episode_id), '')
FROM episode_docs d JOIN episodes e ON e.episode_id = d.episode_id
WHERE e.end_time_us IS NOT NULL AND d.doc_id IN ()sql";

namespace {
// Migration 3's document (three columns), frozen: migrations replay exactly as they first ran.
const char* const fts_document_insert_v3 = R"sql(
INSERT INTO episodes_fts(rowid, description, steps, reflection)
SELECT d.doc_id, e.task_description,
       COALESCE((SELECT group_concat(s.tool || ' ' || s.action || ' ' || COALESCE(s.result_text, ''), ' ')
                 FROM steps s WHERE s.episode_id = e.episode_id), ''),
       COALESCE((SELECT group_concat(t.value, ' ') FROM json_tree(e.outcome) t
                 WHERE t.type = 'text' AND t.key <> 'type'), '') || ' ' ||
       COALESCE((SELECT group_concat(t.value, ' ') FROM json_tree(e.reflection) t
                 WHERE t.type = 'text' AND t.key <> 'generated_at'), '')
FROM episode_docs d JOIN episodes e ON e.episode_id = d.episode_id
WHERE e.end_time_us IS NOT NULL AND d.doc_id IN ()sql";
}  // namespace

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
      {3, "episode full-text index",
       // Completed episodes are indexed for query_memory (no stemmer: queries match by prefix, see core/ranking.hpp): description, every step's tool, action and result text,
       // and the outcome and reflection texts. episode_docs gives each episode a stable integer document id
       // (implicit rowids may change on VACUUM); deleting an episode cascades to its doc row, whose trigger removes
       // the index entry.
       R"sql(
CREATE TABLE episode_docs (
  doc_id     INTEGER PRIMARY KEY,
  episode_id TEXT NOT NULL UNIQUE REFERENCES episodes(episode_id) ON DELETE CASCADE
) STRICT;
CREATE VIRTUAL TABLE episodes_fts USING fts5(description, steps, reflection, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER episode_docs_after_delete AFTER DELETE ON episode_docs BEGIN
  DELETE FROM episodes_fts WHERE rowid = old.doc_id;
END;
INSERT INTO episode_docs(episode_id) SELECT episode_id FROM episodes WHERE end_time_us IS NOT NULL;
)sql" + std::string(fts_document_insert_v3) + " SELECT doc_id FROM episode_docs);"},
      {4, "patterns and recommendation feedback",
       // Patterns merge the evidence of every episode that shows them (docs/LEARNING.md): pattern_evidence holds
       // one row per (pattern, episode) and the aggregate columns of patterns are maintained from it. Learning is
       // a deterministic function of the completed episodes, so the backfill below (and any import or replica)
       // arrives at the same patterns. Feedback on recommendations is kept per pattern for the effectiveness
       // term of the ranking.
       R"sql(
ALTER TABLE episodes ADD COLUMN quality REAL;
ALTER TABLE episodes ADD COLUMN learned INTEGER NOT NULL DEFAULT 0;
CREATE TABLE patterns (
  doc_id         INTEGER PRIMARY KEY,
  pattern_id     TEXT NOT NULL UNIQUE,
  pattern_key    TEXT NOT NULL UNIQUE,
  kind           TEXT NOT NULL,
  domain         TEXT NOT NULL,
  description    TEXT NOT NULL,
  body           TEXT NOT NULL,
  occurrences    INTEGER NOT NULL DEFAULT 0,
  successes      INTEGER NOT NULL DEFAULT 0,
  success_sum    REAL NOT NULL DEFAULT 0,
  reward_sum     REAL NOT NULL DEFAULT 0,
  latency_sum_ms INTEGER NOT NULL DEFAULT 0,
  confidence     REAL NOT NULL DEFAULT 0,
  first_seen_us  INTEGER NOT NULL,
  last_seen_us   INTEGER NOT NULL
) STRICT;
CREATE INDEX patterns_by_domain ON patterns(domain, confidence);
CREATE INDEX patterns_by_kind ON patterns(kind, confidence);
CREATE TABLE pattern_evidence (
  pattern_id     TEXT NOT NULL REFERENCES patterns(pattern_id) ON DELETE CASCADE,
  episode_id     TEXT NOT NULL REFERENCES episodes(episode_id) ON DELETE CASCADE,
  success        REAL NOT NULL,
  reward         REAL NOT NULL,
  latency_ms     INTEGER NOT NULL DEFAULT 0,
  observed_at_us INTEGER NOT NULL,
  PRIMARY KEY (pattern_id, episode_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX evidence_by_episode ON pattern_evidence(episode_id);
CREATE VIRTUAL TABLE patterns_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER patterns_after_delete AFTER DELETE ON patterns BEGIN
  DELETE FROM patterns_fts WHERE rowid = old.doc_id;
END;
CREATE TABLE recommendation_sessions (
  session_id    TEXT PRIMARY KEY,
  episode_id    TEXT,
  client_id     TEXT NOT NULL,
  pattern_ids   TEXT NOT NULL DEFAULT '[]',
  playbook_ids  TEXT NOT NULL DEFAULT '[]',
  created_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_episode ON recommendation_sessions(episode_id);
CREATE TABLE recommendation_feedback (
  session_id            TEXT PRIMARY KEY REFERENCES recommendation_sessions(session_id) ON DELETE CASCADE,
  outcome_type          TEXT NOT NULL,
  outcome               TEXT NOT NULL,
  applied_pattern_ids   TEXT NOT NULL DEFAULT '[]',
  consulted_episode_ids TEXT NOT NULL DEFAULT '[]',
  agent_rating          REAL,
  created_at_us         INTEGER NOT NULL
) STRICT;
CREATE TABLE pattern_feedback (
  pattern_id TEXT NOT NULL,
  session_id TEXT NOT NULL REFERENCES recommendation_sessions(session_id) ON DELETE CASCADE,
  applied    INTEGER NOT NULL,
  helped     REAL NOT NULL,
  at_us      INTEGER NOT NULL,
  PRIMARY KEY (pattern_id, session_id)
) STRICT, WITHOUT ROWID;
)sql",
       relearn_completed_episodes},
      {5, "replication capture", sync_capture_migration_sql()},
      {6, "context in the full-text index",
       // A fourth column holds the episode's context, so "django" or "mobile" in a query finds episodes by
       // their framework or domain even when the description does not say it (docs/LEARNING.md).
       R"sql(
DROP TABLE episodes_fts;
CREATE VIRTUAL TABLE episodes_fts USING fts5(description, steps, reflection, context, tokenize = 'unicode61 remove_diacritics 2');
)sql" + std::string(fts_document_insert) + " SELECT doc_id FROM episode_docs);"},
      {7, "growing document ids",
       // Every change of a completed episode's searchable text gives it a new document id (reindex_episode), so
       // a reader can follow the changes by the ids alone (the pattern learner's recall index). AUTOINCREMENT:
       // an id is never reused. The trigger is dropped first so that dropping the old table leaves the index.
       R"sql(
DROP TRIGGER episode_docs_after_delete;
CREATE TABLE episode_docs_v7 (
  doc_id     INTEGER PRIMARY KEY AUTOINCREMENT,
  episode_id TEXT NOT NULL UNIQUE REFERENCES episodes(episode_id) ON DELETE CASCADE
) STRICT;
INSERT INTO episode_docs_v7(doc_id, episode_id) SELECT doc_id, episode_id FROM episode_docs;
DROP TABLE episode_docs;
ALTER TABLE episode_docs_v7 RENAME TO episode_docs;
CREATE TRIGGER episode_docs_after_delete AFTER DELETE ON episode_docs BEGIN
  DELETE FROM episodes_fts WHERE rowid = old.doc_id;
END;
CREATE INDEX episodes_by_end ON episodes(end_time_us);
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
      if (m.after) m.after(db);
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
