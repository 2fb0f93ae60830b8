// recommend_playbook: turns the strongest workflow patterns for a task into ordered steps, with the pitfalls
// that error-recovery patterns know about. Every statement in a playbook is computed from stored evidence
// (docs/LEARNING.md, Playbooks). Read-only; runs on the pattern learner's connection.
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <map>
#include <set>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"
#include "adapters/pattern_repo.hpp"
#include "adapters/pattern_search.hpp"
#include "adapters/recall_commands.hpp"
#include "core/patterns.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

std::string percent(double v) { return std::to_string(static_cast<int>(v * 100 + 0.5)) + "%"; }

std::vector<std::string> tools_of(const json& p) {
  std::vector<std::string> out;
  for (auto& t : p.value("tools", json::array())) out.push_back(t.get<std::string>());
  return out;
}

// How one tool was used in the evidence episodes of a pattern: how often it succeeded, the most common
// (normalized) successful action, and one real example.
json step_for_tool(SQLite::Database& db, const std::string& pattern_id, const std::string& tool, size_t order) {
  SQLite::Statement q(db,
                      "SELECT s.action, s.result_type FROM steps s WHERE s.episode_id IN (SELECT episode_id FROM "
                      "pattern_evidence WHERE pattern_id = ? ORDER BY observed_at_us DESC LIMIT 30) "
                      "AND lower(trim(s.tool)) = ? LIMIT 300");
  q.bind(1, pattern_id);
  q.bind(2, tool);
  int64_t total = 0, ok = 0;
  std::map<std::string, int64_t> phrases;
  std::string example;
  while (q.executeStep()) {
    ++total;
    bool success = !q.getColumn(1).isNull() && q.getColumn(1).getString() == "success";
    if (!success) continue;
    ++ok;
    auto action = q.getColumn(0).getString();
    if (example.empty()) example = utf8_prefix(action, 200);
    auto phrase = normalize_phrase(action, 6);
    if (!phrase.empty()) ++phrases[phrase];
  }
  std::string common;
  int64_t best = 0;
  for (auto& [phrase, n] : phrases)
    if (n > best) {
      best = n;
      common = phrase;
    }
  json step = {{"order", order}, {"tool_hint", tool}, {"action", common.empty() ? "use " + tool : common}};
  if (!example.empty()) step["example_action"] = example;
  step["expected_result"] = total ? json(tool + " succeeded in " + std::to_string(ok) + " of " + std::to_string(total) +
                                        " uses in the supporting episodes")
                                  : json(nullptr);
  return step;
}

result<json> recommend_playbook(command_context& ctx, const json& args) {
  auto now = wall_clock_us();
  pattern_request request;
  request.recall = ctx.recall;
  request.text = args.value("task_description", "");
  for (auto& t : args.value("tags", json::array())) request.text += " " + t.get<std::string>();
  request.context.domain = args.value("domain", "");
  request.context.task_type = args.value("task_type", "");
  request.context.language = args.value("language", "");
  request.context.framework = args.value("framework", "");
  // Whole workflows first; a context approach (its first three tools) only when no workflow fits.
  request.kinds = {"tool_sequence"};
  request.limit = 30;
  auto max_steps = static_cast<size_t>(args.value("max_steps", int64_t{5}));
  auto max_playbooks = static_cast<size_t>(args.value("limit", int64_t{3}));
  std::string episode_id = args.value("episode_id", "");
  if (!episode_id.empty() && !probe_episode(ctx.db, episode_id).exists) return episode_not_found(episode_id);

  auto found = find_patterns(ctx, request, now);
  if (found.empty()) {
    request.kinds = {"context_pattern"};
    found = find_patterns(ctx, request, now);
  }
  // Error recoveries of this domain, most frequent first: the pitfalls.
  std::vector<json> recoveries;
  {
    SQLite::Statement q(ctx.db, std::string("SELECT ") + pattern_columns +
                                    " FROM patterns p WHERE p.kind = 'error_recovery' AND p.domain = ? "
                                    "ORDER BY p.occurrences DESC, p.confidence DESC LIMIT 50");
    q.bind(1, pattern_domain(request.context.domain));
    while (q.executeStep()) recoveries.push_back(pattern_from_row(q));
  }

  json playbooks = json::array();
  json playbook_ids = json::array();
  json all_supporting = json::array();
  std::set<std::string> seen_workflows;
  for (auto& rp : found) {
    if (playbooks.size() >= max_playbooks) break;
    auto tools = tools_of(rp.pattern);
    if (tools.empty()) continue;
    std::string workflow;
    for (auto& t : tools) workflow += t + ">";
    if (!seen_workflows.insert(workflow).second) continue;
    const auto& p = rp.pattern;
    auto pid = p["pattern_id"].get<std::string>();
    json steps = json::array();
    for (size_t i = 0; i < tools.size() && i < max_steps; ++i) steps.push_back(step_for_tool(ctx.db, pid, tools[i], i + 1));

    json pitfalls = json::array();
    json supporting_patterns = json::array({pid});
    std::set<std::string> in_workflow(tools.begin(), tools.end());
    for (auto& r : recoveries) {
      if (pitfalls.size() >= 3) break;
      if (!in_workflow.count(r.value("failing_tool", ""))) continue;
      std::string recovery;
      for (auto& t : r.value("recovery_steps", json::array())) recovery += (recovery.empty() ? "" : " -> ") + t.get<std::string>();
      pitfalls.push_back({{"warning", r["failing_tool"].get<std::string>() + " failed with '" +
                                          r["error_type"].get<std::string>() + "' in " +
                                          std::to_string(r["occurrences"].get<int64_t>()) + " episode(s)"},
                          {"reason", r["description"]},
                          {"mitigation", "recover with " + recovery + " (the episode succeeded in " +
                                             percent(r["success_rate"].get<double>()) + " of those cases)"},
                          {"pattern_id", r["pattern_id"]}});
      supporting_patterns.push_back(r["pattern_id"]);
    }

    json supporting_episodes = json::array();
    json when_not = json::array();
    {
      SQLite::Statement q(ctx.db,
                          "SELECT pe.episode_id, pe.success, e.outcome FROM pattern_evidence pe JOIN episodes e ON "
                          "e.episode_id = pe.episode_id WHERE pe.pattern_id = ? ORDER BY pe.observed_at_us DESC LIMIT 50");
      q.bind(1, pid);
      while (q.executeStep()) {
        if (supporting_episodes.size() < 10) supporting_episodes.push_back(q.getColumn(0).getString());
        if (q.getColumn(1).getDouble() < 0.5 && when_not.size() < 2) {
          auto o = json::parse(q.getColumn(2).getString(), nullptr, false);
          std::string why = o.is_object() ? o.value("reason", o.value("verdict", "")) : "";
          if (!why.empty()) when_not.push_back("it did not work when: " + utf8_prefix(why, 200));
        }
      }
    }
    json when = json::array();
    when.push_back("tasks in the " + p["domain"].get<std::string>() + " domain");
    for (auto& f : p.value("context_features", json::array()))
      if (f.get<std::string>().rfind("domain:", 0) != 0) when.push_back(f);
    auto n = p["occurrences"].get<int64_t>();
    std::string id_key = "playbook|";
    for (auto& s : supporting_patterns) id_key += s.get<std::string>() + ",";
    auto playbook_id = pattern_id_for_key(id_key);
    playbook_ids.push_back(playbook_id);
    for (auto& s : supporting_patterns)
      if (std::find(all_supporting.begin(), all_supporting.end(), s) == all_supporting.end()) all_supporting.push_back(s);
    playbooks.push_back(
        {{"playbook_id", playbook_id},
         {"task_match_score", rp.rank.total},
         {"why_relevant", p["description"].get<std::string>() + "; seen in " + std::to_string(n) + " episode(s), text match " +
                              percent(rp.rank.text) + ", context match " + percent(rp.rank.context)},
         {"when_to_apply", when},
         {"when_not_to_apply", when_not},
         {"ordered_steps", steps},
         {"pitfalls", pitfalls},
         {"expected_outcome", "success in " + percent(p["success_rate"].get<double>()) + " of " + std::to_string(n) +
                                  " episode(s), average reward " + std::to_string(p["avg_reward"].get<double>()).substr(0, 4)},
         {"confidence", p["confidence"]},
         {"supporting_pattern_ids", supporting_patterns},
         {"supporting_episode_ids", supporting_episodes},
         {"created_at", format_rfc3339_us(now)}});
  }
  json out = {{"playbooks", playbooks},
              {"message", playbooks.empty() ? "no learned workflow fits this task yet"
                                            : std::to_string(playbooks.size()) + " playbook(s), best first"}};
  if (!episode_id.empty())
    out[session_request_key] = {{"episode_id", episode_id}, {"recommended_pattern_ids", all_supporting},
                                {"recommended_playbook_ids", playbook_ids}};
  return out;
}

}  // namespace

command_list playbook_commands() { return {{"recommend_playbook", recommend_playbook}}; }

}  // namespace memory_mcp
