// Ranking of learned patterns for recommend_patterns, search_patterns, query_memory and playbooks: a documented
// blend of text relevance, context match, evidence (Wilson confidence), feedback effectiveness and recency
// (docs/LEARNING.md). Pure: callers pass every input, including `now`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memory_mcp {

struct pattern_weights {
  double text = 0.30;
  double context = 0.20;
  double confidence = 0.20;
  double effectiveness = 0.15;
  double recency = 0.05;
  double specificity = 0.10;
  double recency_half_life_days = 30;
};

// What the caller asked for; empty strings mean "not given".
struct pattern_query {
  bool has_text = false;  // a text query was given; without one the text weight is spread over the others
  std::string domain, task_type, language, framework;
};

struct pattern_candidate {
  std::string kind;            // tool_sequence, error_recovery, decision_point, context_pattern, heuristic
  size_t tool_count = 0;       // tools of a tool_sequence
  std::optional<double> bm25;  // FTS5 bm25 of the pattern's text (lower is better), nullopt when it did not match
  std::string domain;
  // Context the pattern itself records as "name:value" (context patterns: task_type, language, framework).
  std::vector<std::string> context_features;
  double confidence = 0;     // Wilson lower bound of its success evidence
  double effectiveness = 0.5;  // feedback_effectiveness of its decayed feedback
  int64_t last_seen_us = 0;
};

struct pattern_rank {
  double total = 0;
  double text = 0;        // 0..1: bm25 relative to the best match among the candidates
  double context = 0;     // 0..1: weighted share of the requested context the pattern matches (see below)
  double confidence = 0;  // copied from the candidate
  double effectiveness = 0;
  double recency = 0;     // 2^(-days since last seen / half-life)
  double specificity = 0; // 0..1: how much the pattern tells: a whole workflow or a recovery more than a fragment
};

// Specificity by kind: tool_sequence min(tools / 5, 1); error_recovery 1; decision_point 0.7; context_pattern
// 0.6; heuristic 0.4.
double pattern_specificity(const std::string& kind, size_t tool_count);

// Reorders a ranking so that fragments of a listed workflow (a heuristic "a then b" or a context approach whose
// tools appear, consecutively and in order, in a tool sequence of the same domain among the first `window`
// entries) come after the patterns that add something new; order is otherwise kept. `order` indexes the
// candidates, best first.
std::vector<size_t> demote_covered(const std::vector<size_t>& order, const std::vector<std::string>& kinds,
                                   const std::vector<std::string>& domains,
                                   const std::vector<std::vector<std::string>>& tools, size_t window);

// Scores every candidate. Context: domain weighs 0.5, task_type 0.2, language 0.15, framework 0.15, over the
// fields the query gives; a field matches (1), contradicts (0) or is unknown to the pattern (0.5). With no
// context requested the context score is 0.5 for every candidate. Without a text query the weights are
// renormalized over the remaining components.
std::vector<pattern_rank> score_patterns(const pattern_query& q, const std::vector<pattern_candidate>& cands,
                                         int64_t now_us, const pattern_weights& w = {});

}  // namespace memory_mcp
