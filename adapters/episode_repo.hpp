// SQL access to episodes, steps and tags shared by the storage commands: reading an episode back in its
// documented JSON shape (docs/API.md), summaries, and id generation. Runs on the episode store's connection,
// inside the transaction the store opened.
#pragma once

#include <SQLiteCpp/Database.h>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/store_commands.hpp"
#include "core/episode_facts.hpp"
#include "core/result.hpp"

namespace memory_mcp {

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a UTF-8 character. Used
// wherever stored or returned text is shortened: JSON serialization rejects (or replaces) a cut character.
std::string utf8_prefix(const std::string& text, size_t max_bytes);

// A new random (version 4) UUID in canonical lower-case form.
std::string new_uuid();

// The full episode (with steps and tags) or nullopt when no episode has that id.
std::optional<nlohmann::json> load_episode(SQLite::Database& db, const std::string& episode_id);

// A compact summary: id, type, description, domain, status, outcome type, reward total, times, step count, tags.
// `summary_columns` is the SELECT list that summary_from_row expects, for "SELECT <summary_columns> FROM episodes e".
extern const char* const summary_columns;
nlohmann::json summary_from_row(SQLite::Statement& row);

// Whether the episode exists; if so, whether it is completed.
struct episode_presence {
  bool exists = false;
  bool completed = false;
  int64_t step_count = 0;
  int64_t end_time_us = 0;
};
episode_presence probe_episode(SQLite::Database& db, const std::string& episode_id);

// The not_found error for an episode id, worded the same everywhere.
error episode_not_found(const std::string& episode_id);

// Current tags of an episode, sorted.
std::vector<std::string> episode_tags(SQLite::Database& db, const std::string& episode_id);

// The scoring form of an outcome object as stored (docs/API.md, TaskOutcome).
outcome_fact outcome_from_json(const nlohmann::json& outcome);

// Builds the scoring facts of a stored episode JSON (as load_episode returns it), duration measured to
// `end_time_us`; the outcome is the stored one when the episode has one (callers completing it set their own).
episode_facts facts_from_episode(const nlohmann::json& episode, int64_t end_time_us);

// --- relationships ---
// Whether relationships of this type must stay acyclic (depends_on, parent_child, blocks).
bool must_be_acyclic(const std::string& type);
// The SELECT list edge_from_row expects, and the edge JSON {id, from, to, relationship_type, reason, priority,
// created_by, created_at} of a row.
extern const char* const edge_columns;
nlohmann::json edge_from_row(SQLite::Statement& row);
// The id of the relationship (from, to, type) if it exists.
std::optional<std::string> existing_relationship(SQLite::Database& db, const std::string& from, const std::string& to,
                                                 const std::string& type);
// The path that would close a cycle if from -> to of `type` were added (ends with `to`), if any; always nullopt
// for types that may have cycles.
std::optional<std::vector<std::string>> cycle_if_added(SQLite::Database& db, const std::string& from,
                                                       const std::string& to, const std::string& type);

// (Re)builds the full-text document of a completed episode under a new document id (ids only grow: readers
// follow changes by them); removes the document of an in-progress one.
// `cache` (optional) holds the connection's prepared statements.
void reindex_episode(SQLite::Database& db, const std::string& episode_id, statement_cache* cache = nullptr);

// A statement for `sql`: from `cache` when there is one, else prepared into `own`. For functions that serve both
// the hot paths of an actor (with its cache) and one-off callers (import, migrations).
SQLite::Statement& statement_in(SQLite::Database& db, statement_cache* cache, std::unique_ptr<SQLite::Statement>& own,
                                const std::string& sql);

// Normalizes a JSON array of tag strings; errors name `field`, the index and the rule.
result<std::vector<std::string>> read_tags(const nlohmann::json& value, const std::string& field);

command_list episode_commands();       // adapters/episode_commands.cpp
command_list tag_commands();           // adapters/tag_commands.cpp
command_list relationship_commands();  // adapters/relationship_commands.cpp
command_list resource_commands();      // adapters/resource_commands.cpp
command_list query_commands();         // adapters/query_commands.cpp (recall: run by the pattern learner)
command_list feedback_commands();      // adapters/feedback_commands.cpp

}  // namespace memory_mcp
