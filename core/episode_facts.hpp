// The facts about a finished episode that scoring and reflection need. Plain values, built by the storage
// layer from the stored episode; no JSON, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace memory_mcp {

enum class step_result { none, success, error, timeout };  // none = no result recorded (counts as not successful)
enum class outcome_kind { success, partial_success, failure, abstained };
enum class complexity_level { simple, moderate, complex };

struct step_fact {
  std::string tool;
  std::string action;
  step_result result = step_result::none;
  std::string error_message;  // for error results
  // The step's parameters as (key, short value) pairs: values are scalars rendered as text (strings cut to 64
  // bytes), objects and arrays as "". Used to spot explicit choices (strategy, approach, method, ...).
  std::vector<std::pair<std::string, std::string>> parameters;
  int64_t latency_ms = 0;
  int64_t tokens_used = 0;
};

struct outcome_fact {
  outcome_kind kind = outcome_kind::success;
  std::string verdict;                 // success, partial_success
  std::vector<std::string> artifacts;  // success
  std::vector<std::string> completed;  // partial_success
  std::vector<std::string> failed;     // partial_success
  std::string reason;                  // failure, abstained
  int64_t stopped_at_step = 0;         // abstained
};

struct episode_facts {
  std::string task_type;
  std::string domain;
  std::string language;
  std::string framework;
  complexity_level complexity = complexity_level::moderate;
  std::vector<step_fact> steps;
  outcome_fact outcome;
  double duration_s = 0;  // end - start
  std::map<std::string, std::string> metadata;
};

}  // namespace memory_mcp
