// Pattern extraction: what one completed episode teaches, as observations of patterns that other episodes can
// confirm or contradict. Pure and deterministic: the same episode always yields the same observations with the
// same keys, so evidence merges across episodes, restarts, imports and servers (docs/LEARNING.md).
//
// An observation's `key` is the pattern's stable identity: kind, domain and normalized content. Two episodes
// that show the same pattern produce the same key; the storage layer merges their evidence under it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/episode_facts.hpp"

namespace memory_mcp {

enum class pattern_kind { tool_sequence, decision_point, error_recovery, context_pattern, heuristic };

// "tool_sequence", "decision_point", "error_recovery", "context_pattern", "heuristic".
const char* to_string(pattern_kind kind) noexcept;
// The kind named by `text`; false when it names none.
bool parse_pattern_kind(const std::string& text, pattern_kind& out) noexcept;

struct pattern_observation {
  pattern_kind kind = pattern_kind::tool_sequence;
  std::string key;          // stable identity (see above); at most a few hundred bytes
  std::string domain;       // the episode's domain, lower-cased
  std::string description;  // one human-readable sentence
  // Kind-specific content (empty when it does not apply):
  std::vector<std::string> tools;           // tool_sequence: the ordered tools; context_pattern: the approach
  std::string condition;                    // decision_point: the decision; heuristic: "after <tool>"
  std::string action;                       // decision_point: the tool that acted on it; heuristic: the next tool
  std::string error_type;                   // error_recovery: normalized error class ("timeout" for timeouts)
  std::string failing_tool;                 // error_recovery
  std::vector<std::string> recovery_steps;  // error_recovery: the tools that recovered, in order
  std::vector<std::string> context_features;  // context_pattern: "domain:x", "task_type:y", "language:z", ...
  std::string recommended_approach;           // context_pattern: "a -> b -> c"
  // Evidence this episode contributes:
  double success = 0;      // 0..1, the outcome weight (outcome_success_weight)
  int64_t latency_ms = 0;  // tool_sequence: total latency of the sequence's steps; else 0
};

// Bounds on what one episode may contribute.
struct extraction_limits {
  size_t max_sequence_tools = 8;  // a longer successful path keeps its first 8 tools
  size_t max_decisions = 5;
  size_t max_recoveries = 5;
  size_t max_heuristics = 10;
  size_t recovery_window = 3;     // steps after a failure that may form its recovery
};

// How much an outcome counts as success: success 1; partial_success completed/(completed+failed), 0.5 if both
// lists are empty; failure 0; abstained 0 (the task was not accomplished, however wise stopping was).
double outcome_success_weight(const outcome_fact& outcome);

// The observations of a completed episode (facts.outcome is its outcome). Rules (docs/LEARNING.md):
//  - tool_sequence: the tools of the successful steps in order, consecutive repeats collapsed; needs >= 2 tools.
//  - decision_point: a successful step whose action starts with (or whose parameters name) an explicit choice:
//    check, verify, validate, decide, choose, select, determine, compare, ensure, confirm; or parameters named
//    strategy, approach, method, algorithm, mode, option.
//  - error_recovery: a failed step (error, timeout or no result) directly followed by a successful step; the
//    recovery is the run of successful tools after it (at most recovery_window steps), up to and including the
//    retry of the failed tool.
//  - context_pattern: the context (domain, task type, language, framework) and the approach: the first three
//    distinct tools of the successful path.
//  - heuristic: "after A, run B" for each pair of consecutive distinct tools on the successful path.
// Duplicate keys within one episode are reported once. Empty when the episode has no steps.
std::vector<pattern_observation> extract_patterns(const episode_facts& facts, const extraction_limits& limits = {});

// The domain as patterns record it: trimmed and lower-cased. Lookups by domain normalize the same way.
std::string pattern_domain(const std::string& domain);

// Normalizes free text into a short, comparable phrase: lower-case words of letters only (words containing
// digits, paths or dots, and quoted words, are dropped as instance details), at most `max_words`. "Check if /tmp/a.txt
// exists (try 2)" -> "check if exists try".
std::string normalize_phrase(const std::string& text, size_t max_words = 8);

// The class of an error message: an exception-like name at its start, without its qualification
// ("ImportError: no module named x" -> "importerror", "a.b.ConnectionError: ..." -> "connectionerror"), else its normalized first line (at most 6 words); "unknown error" when nothing is left.
std::string error_class(const std::string& message);

}  // namespace memory_mcp
