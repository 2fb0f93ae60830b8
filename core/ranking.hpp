// Ranking of completed episodes for query_memory: a documented blend of text relevance, context match, outcome
// and recency (docs/LEARNING.md). Pure: callers pass every input, including `now`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memory_mcp {

struct ranking_weights {
  double text = 0.50;
  double context = 0.20;
  double outcome = 0.20;
  double recency = 0.10;
  double recency_half_life_days = 30;
};

// What the caller asked for; empty strings mean "not given".
struct ranking_query {
  std::string domain, task_type, language, framework;
  std::vector<std::string> tags;
};

// One candidate episode. `bm25` is SQLite FTS5's bm25() (lower is better, <= 0), or nullopt when the episode did
// not match the text query (or there was none).
struct ranking_candidate {
  std::optional<double> bm25;
  std::string domain, task_type, language, framework;
  std::vector<std::string> tags;  // context tags and episode tags
  std::string outcome_type;       // success, partial_success, failure, abstained
  double reward_total = 0;
  int64_t end_time_us = 0;
};

struct ranking_score {
  double total = 0;
  double text = 0;     // 0..1: bm25 relative to the best match among the candidates
  double context = 0;  // 0..1: domain 0.35, task type 0.25, language 0.2, framework 0.1, tag overlap 0.1
  double outcome = 0;  // 0..1: half outcome type (success 1, partial 0.6, abstained 0.3, failure 0.1), half reward/2
  double recency = 0;  // 0..1: 2^(-age / half-life)
};

// Scores every candidate; `best_bm25` is the lowest bm25 among them (nullopt if none matched).
std::vector<ranking_score> score_candidates(const ranking_query& q, const std::vector<ranking_candidate>& cands,
                                            int64_t now_us, const ranking_weights& w = {});

// Splits free text into search terms: runs of letters and digits (any script), lower-cased ASCII, at most
// `max_terms`, each at most 64 bytes. "fix flaky-login test!" -> {fix, flaky, login, test}.
std::vector<std::string> search_terms(const std::string& text, size_t max_terms = 32);

// Every token of `text` in order, duplicates included, the way search_terms splits and lower-cases them (tokens
// cut to 64 bytes), at most `max_tokens`. For indexing documents.
std::vector<std::string> tokenize_text(const std::string& text, size_t max_tokens);

// The prefix a term is searched by: the term itself or, for words of 5+ letters ending in a common English
// inflection, the word without it, when enough of the word is left (-ies and -es leave 3+ letters, -ing, -ed and
// -s 4+): "tests" -> "test", "retrying" -> "retry", "retries" -> "retr", "classes" -> "class"; "speed" and
// "during" stay whole. Matching by prefix then covers the other inflections ("test" matches "testing"). One
// prefix per term, so a document is never counted twice for one query word.
std::string search_prefix(const std::string& term);

// Words too common to say anything about relevance ("the", "a", "in", "to", ...). Search ignores them unless a
// query consists of nothing else.
bool is_stop_word(const std::string& term);

}  // namespace memory_mcp
