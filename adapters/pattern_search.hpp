// Finding and ranking learned patterns for a task: candidates from the patterns' full-text index and from
// the task's domain, scored by core/pattern_ranking with each pattern's decayed recommendation feedback.
// Read-only; runs on the pattern learner's connection.
#pragma once

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/learning_settings.hpp"
#include "adapters/store_commands.hpp"
#include "core/pattern_ranking.hpp"

namespace memory_mcp {

class recall_index;

struct pattern_request {
  std::string text;                 // free text (task description or query); may be empty
  pattern_query context;            // domain, task_type, language, framework (has_text is set from `text`)
  bool domain_only = false;         // only patterns of context.domain
  std::vector<std::string> kinds;   // only these kinds (empty: all)
  double min_success_rate = 0;      // only patterns at least this successful
  int64_t min_occurrences = 0;      // only patterns seen at least this often
  size_t limit = 10;
  // How much being found through matching episodes counts against matching in the pattern's own words (1:
  // equally; a search for words, e.g. an error message, sets less, so patterns that say it come first).
  double episode_support_weight = 1.0;
  const recall_index* recall = nullptr;  // search episodes in it when ready, else in SQLite FTS5
  // The episodes matching `text`, best first, with a score > 0, when the caller has searched them already
  // (query_memory): spares a second search.
  std::optional<std::vector<std::pair<std::string, double>>> matching_episodes;
  // Also search the patterns' own text (their descriptions, tools, errors). query_memory leaves it out: its
  // patterns come through the matching episodes, and the pattern text search costs milliseconds at scale.
  bool match_pattern_text = true;
};

struct feedback_totals {
  double applied = 0;        // decayed weight of the sessions that applied the pattern
  double helped = 0;         // decayed weight of their outcomes' success weights (partial: completed share)
  int64_t applied_count = 0;  // sessions that applied it, undecayed
  int64_t sessions = 0;       // feedback sessions that mention it (applied or not), undecayed
};

struct ranked_pattern {
  nlohmann::json pattern;  // pattern_from_row plus "effectiveness"
  pattern_rank rank;
  feedback_totals feedback;
};

// The best `limit` patterns for the request, best first. `candidates_seen` (optional) receives how many
// patterns were scored.
// Reads through the context's cached statements, with its learning settings.
std::vector<ranked_pattern> find_patterns(command_context& ctx, const pattern_request& request, int64_t now_us,
                                          size_t* candidates_seen = nullptr);

// The decayed feedback of one pattern.
feedback_totals pattern_feedback_totals(command_context& ctx, const std::string& pattern_id, int64_t now_us);

// The FTS5 MATCH expression for free text (terms OR-ed, each as one prefix with its inflection stripped, stop
// words left out unless there is nothing else), or "" when the text has no terms.
std::string fts_match_expression(const std::string& text);

}  // namespace memory_mcp
