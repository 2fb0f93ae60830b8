#include "core/reflection.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "core/reward.hpp"

namespace memory_mcp {

namespace {

std::string percent(double x) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", x * 100);
  return buf;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8 character, so cut
// texts stay valid UTF-8 (the reflection is stored and returned as JSON, whose serializer rejects a cut character).
std::string utf8_prefix(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;  // s[end] starts the next character
  return s.substr(0, end);
}

void cap(std::vector<std::string>& v) {
  if (v.size() > 5) v.resize(5);
}

const char* complexity_name(complexity_level c) {
  switch (c) {
    case complexity_level::simple: return "simple";
    case complexity_level::moderate: return "moderate";
    case complexity_level::complex: return "complex";
  }
  return "moderate";
}

}  // namespace

reflection reflect(const episode_facts& f) {
  reflection r;
  const auto& o = f.outcome;
  const auto n = f.steps.size();
  const double rate = step_success_rate(f);

  // --- successes ---
  if (o.kind == outcome_kind::success) {
    r.successes.push_back("Completed the task: " + (o.verdict.empty() ? std::string("success") : o.verdict));
    if (!o.artifacts.empty()) r.successes.push_back("Produced " + std::to_string(o.artifacts.size()) + " artifact(s)");
  } else if (o.kind == outcome_kind::partial_success && !o.completed.empty()) {
    r.successes.push_back("Completed " + std::to_string(o.completed.size()) + " of " +
                          std::to_string(o.completed.size() + o.failed.size()) + " subtasks");
  } else if (o.kind == outcome_kind::abstained && o.stopped_at_step <= 3) {
    r.successes.push_back("Recognised early (step " + std::to_string(o.stopped_at_step) +
                          ") that the task was not feasible and stopped");
  }
  std::vector<std::string> ok_tools;
  for (auto& s : f.steps)
    if (s.result == step_result::success) ok_tools.push_back(s.tool);
  if (n > 0 && rate >= 0.8) r.successes.push_back("High step success rate: " + percent(rate) + " of " + std::to_string(n) + " steps");
  if (ok_tools.size() >= 3) {
    std::string seq;
    for (size_t i = 0; i < std::min<size_t>(ok_tools.size(), 5); ++i) seq += (i ? " -> " : "") + ok_tools[i];
    r.successes.push_back("Effective tool sequence: " + seq);
  }
  size_t recoveries = 0;
  for (size_t i = 1; i < n; ++i)
    if ((f.steps[i - 1].result == step_result::error || f.steps[i - 1].result == step_result::timeout) &&
        f.steps[i].result == step_result::success)
      ++recoveries;
  if (recoveries > 0) r.successes.push_back("Recovered from " + std::to_string(recoveries) + " failed step(s)");
  if (f.duration_s > 0 && f.duration_s < 30 && o.kind == outcome_kind::success)
    r.successes.push_back("Solved quickly (" + seconds(f.duration_s) + ")");

  // --- improvements ---
  if (o.kind == outcome_kind::failure)
    r.improvements.push_back("Failure cause to address: " + (o.reason.empty() ? std::string("unspecified") : o.reason));
  if (o.kind == outcome_kind::partial_success && !o.failed.empty()) {
    std::string list;
    for (size_t i = 0; i < std::min<size_t>(o.failed.size(), 3); ++i) list += (i ? ", " : "") + o.failed[i];
    r.improvements.push_back("Unfinished subtasks: " + list);
  }
  if (o.kind == outcome_kind::abstained && o.stopped_at_step >= 10)
    r.improvements.push_back("Stopped late (step " + std::to_string(o.stopped_at_step) +
                             "); look for infeasibility signals earlier");
  std::map<std::string, int> failures_by_tool;
  std::map<std::string, int> errors;
  size_t failed_steps = 0;
  for (auto& s : f.steps) {
    if (s.result == step_result::success) continue;
    ++failed_steps;
    ++failures_by_tool[s.tool];
    if (!s.error_message.empty()) ++errors[utf8_prefix(s.error_message, 80)];
  }
  if (failed_steps > 0)
    r.improvements.push_back(std::to_string(failed_steps) + " of " + std::to_string(n) + " steps did not succeed");
  for (auto& [tool, count] : failures_by_tool)
    if (count >= 2) r.improvements.push_back("Tool '" + tool + "' failed " + std::to_string(count) + " times");
  for (auto& [msg, count] : errors)
    if (count >= 2) r.improvements.push_back("Repeated error (" + std::to_string(count) + "x): " + msg);
  if (n > 0) {
    double total = 0;
    int64_t worst = 0;
    for (auto& s : f.steps) {
      total += static_cast<double>(s.latency_ms);
      worst = std::max(worst, s.latency_ms);
    }
    double avg = total / static_cast<double>(n);
    if (worst > 1000 && static_cast<double>(worst) > 3 * avg)
      r.improvements.push_back("Bottleneck: one step took " + std::to_string(worst) + " ms (average " +
                               std::to_string(static_cast<int64_t>(avg)) + " ms)");
  }
  if (f.duration_s > 300) r.improvements.push_back("Long task (" + seconds(f.duration_s) + "); consider splitting it");
  if (n > 50) r.improvements.push_back("Many steps (" + std::to_string(n) + "); look for a shorter path");

  // --- insights ---
  r.insights.push_back("Task in " + f.domain + " domain with " + complexity_name(f.complexity) + " complexity took " +
                       std::to_string(n) + " step(s)");
  if (n >= 2) {
    std::set<std::string> tools;
    for (auto& s : f.steps) tools.insert(s.tool);
    r.insights.push_back("Used " + std::to_string(tools.size()) + " distinct tool(s) with " + percent(rate) +
                         " step success");
    for (size_t i = 1; i < n; ++i)
      if (f.steps[i - 1].result != step_result::success && f.steps[i].result == step_result::success) {
        r.insights.push_back("After '" + f.steps[i - 1].tool + "' failed, '" + f.steps[i].tool + ": " +
                             utf8_prefix(f.steps[i].action, 80) + "' recovered");
        break;
      }
  }
  if (!f.language.empty()) r.insights.push_back("Language: " + f.language);
  if (o.kind == outcome_kind::success && n > 0 && rate == 1.0)
    r.insights.push_back("This approach can be reused for similar " + f.task_type + " tasks");

  cap(r.successes);
  cap(r.improvements);
  cap(r.insights);
  return r;
}

}  // namespace memory_mcp
