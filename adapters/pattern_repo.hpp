// SQL access to learned patterns: recording an episode's observations as evidence, keeping the aggregates of
// each pattern equal to what its evidence says, and reading patterns back in their documented JSON shape
// (docs/API.md). Runs on the caller's connection inside the caller's transaction.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sqlite_db.hpp"
#include "core/patterns.hpp"

namespace memory_mcp {

// Episodes whose quality is below this are stored but not learned from, unless configured otherwise
// (MEMORY_MCP_LEARNING_MIN_QUALITY). Ordinary episodes with at least one recorded step score well above it.
inline constexpr double default_min_learning_quality = 0.3;

// The pattern id of a key: a name-based (version 5, SHA-1) UUID, so every server derives the same id.
std::string pattern_id_for_key(const std::string& key);

// An observation as JSON (the learner sends observations to the store in this form) and back. from_json
// returns nullopt for a malformed object.
nlohmann::json observation_to_json(const pattern_observation& o);
std::optional<pattern_observation> observation_from_json(const nlohmann::json& j);

// Records the observations of episode `episode_id` as evidence (observed at `observed_at_us`, the episode's
// end time, with its reward) and updates each pattern's aggregates and confidence. Creates patterns seen for
// the first time. Idempotent: evidence already recorded for a (pattern, episode) pair is left unchanged.
// Returns the pattern ids in observation order. Throws SQLite::Exception on storage errors.
std::vector<std::string> record_observations(SQLite::Database& db, const std::string& episode_id,
                                             int64_t observed_at_us, double reward_total,
                                             const std::vector<pattern_observation>& observations,
                                             statement_cache* cache = nullptr);

// The ids of the patterns the episode is evidence for.
std::vector<std::string> patterns_of_episode(SQLite::Database& db, const std::string& episode_id);

// Recomputes the aggregates of `pattern_ids` from their remaining evidence (after evidence was deleted) and
// deletes the patterns left without any.
void refresh_patterns(SQLite::Database& db, const std::vector<std::string>& pattern_ids);

// What learning from one stored, completed episode did.
struct learning_outcome {
  bool learned = false;
  double quality = 0;
  std::vector<std::string> pattern_ids;
  std::string skipped_reason;  // when not learned
};

// Learns from a completed episode already stored (migration backfill, import, replication): computes its
// quality and observations from the stored facts and records them when quality >= min_quality, replacing any
// evidence the episode gave before (so learning again after more of it arrived converges to the same patterns
// as learning once); stores the quality and the learned flag on the episode. Does nothing for an unknown or
// in-progress episode.
learning_outcome learn_from_stored_episode(SQLite::Database& db, const std::string& episode_id, double min_quality);

// Migration 4's data step: learns from every completed episode (default quality threshold).
void relearn_completed_episodes(SQLite::Database& db);

// The SELECT list pattern_from_row expects ("SELECT <pattern_columns> FROM patterns p").
extern const char* const pattern_columns;
// A pattern's JSON: pattern_id (and id), kind (and pattern_type), domain, description, the kind's fields,
// occurrences, successes, failures, success_rate, confidence, avg_reward, first_seen, last_seen.
nlohmann::json pattern_from_row(SQLite::Statement& row);

// The same row as read, before it becomes JSON: for code that ranks many patterns and shows few.
struct pattern_row {
  std::string pattern_id, kind, domain, description;
  nlohmann::json body;  // the kind's fields (an object)
  int64_t occurrences = 0, successes = 0;
  double success_sum = 0, reward_sum = 0, latency_sum_ms = 0, confidence = 0;
  int64_t first_seen_us = 0, last_seen_us = 0;
};
pattern_row read_pattern_row(SQLite::Statement& row);
nlohmann::json pattern_json(pattern_row row);
std::optional<nlohmann::json> load_pattern(SQLite::Database& db, const std::string& pattern_id);

}  // namespace memory_mcp
