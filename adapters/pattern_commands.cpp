// Recall commands over learned patterns: search_patterns, recommend_patterns, analyze_patterns,
// explain_pattern and get_recommendation_stats. Read-only; they run on the pattern learner's connection.
// Arguments were validated against each tool's inputSchema (adapters/tools_learning.cpp).
#include <SQLiteCpp/Statement.h>

#include <map>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"
#include "adapters/pattern_repo.hpp"
#include "adapters/pattern_search.hpp"
#include "adapters/recall_commands.hpp"
#include "core/evidence.hpp"
#include "core/patterns.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

std::vector<std::string> strings_of(const json& args, const char* key) {
  std::vector<std::string> out;
  if (args.contains(key))
    for (auto& v : args[key]) out.push_back(v.get<std::string>());
  return out;
}

// The request of a task-shaped call: its text (plus tags as extra words) and context.
pattern_request task_request(const json& args, const char* text_key) {
  pattern_request r;
  r.text = args.value(text_key, "");
  for (auto& t : strings_of(args, "tags")) r.text += " " + t;
  r.context.domain = args.value("domain", "");
  r.context.task_type = args.value("task_type", "");
  r.context.language = args.value("language", "");
  r.context.framework = args.value("framework", "");
  if (args.contains("kind")) r.kinds = {args["kind"].get<std::string>()};
  return r;
}

json result_item(const ranked_pattern& rp) {
  json item = rp.pattern;
  item["relevance_score"] = rp.rank.total;
  item["score_breakdown"] = {{"text_relevance", rp.rank.text},
                             {"context_match", rp.rank.context},
                             {"confidence", rp.rank.confidence},
                             {"effectiveness", rp.rank.effectiveness},
                             {"recency", rp.rank.recency},
                             {"specificity", rp.rank.specificity}};
  item["times_applied"] = rp.feedback.applied_count;
  return item;
}

result<json> search_patterns(command_context& ctx, const json& args) {
  auto request = task_request(args, "query");
  request.recall = ctx.recall;
  request.episode_support_weight = 0.8;  // a search names what the pattern itself says
  request.domain_only = args.value("filter_by_domain", false);
  if (request.domain_only && request.context.domain.empty())
    return make_error(error_code::invalid_argument, "arguments.filter_by_domain: needs arguments.domain");
  request.limit = static_cast<size_t>(args.value("limit", int64_t{5}));
  double min_relevance = args.value("min_relevance", 0.3);
  size_t seen = 0;
  auto found = find_patterns(ctx, request, wall_clock_us(), &seen);
  json results = json::array();
  for (auto& rp : found)
    if (rp.rank.total >= min_relevance) results.push_back(result_item(rp));
  return json{{"results", results},
              {"total_searched", seen},
              {"query", request.text},
              {"message", results.empty() ? std::string("no learned pattern reaches min_relevance ") +
                                                std::to_string(min_relevance).substr(0, 4)
                                          : std::to_string(results.size()) + " pattern(s)"}};
}

result<json> recommend_patterns(command_context& ctx, const json& args) {
  auto request = task_request(args, "task_description");
  request.recall = ctx.recall;
  request.limit = static_cast<size_t>(args.value("limit", int64_t{3}));
  std::string episode_id = args.value("episode_id", "");
  if (!episode_id.empty() && !probe_episode(ctx.db, episode_id).exists) return episode_not_found(episode_id);
  size_t seen = 0;
  auto found = find_patterns(ctx, request, wall_clock_us(), &seen);
  json results = json::array();
  json ids = json::array();
  for (auto& rp : found) {
    results.push_back(result_item(rp));
    ids.push_back(rp.pattern["pattern_id"]);
  }
  json out = {{"results", results},
              {"total_searched", seen},
              {"message", results.empty() ? "nothing learned yet that fits this task"
                                          : std::to_string(results.size()) + " recommended pattern(s), best first"}};
  // Attribution: the pattern learner records the session through the store and replaces this request with
  // the session's receipt (actors/pattern_learner.cpp).
  if (!episode_id.empty())
    out[session_request_key] = {{"episode_id", episode_id}, {"recommended_pattern_ids", ids},
                                {"recommended_playbook_ids", json::array()}};
  return out;
}

result<json> analyze_patterns(command_context& ctx, const json& args) {
  std::string domain = pattern_domain(args.value("domain", ""));
  std::string kind = args.value("kind", "");
  std::string task_type = args.value("task_type", "");
  double min_rate = args.value("min_success_rate", 0.7);
  int64_t min_occurrences = args.value("min_occurrences", int64_t{1});
  int64_t limit = args.value("limit", int64_t{20});
  std::string sql = std::string("SELECT ") + pattern_columns +
                    " FROM patterns p WHERE p.success_sum >= :rate * p.occurrences AND p.occurrences >= :occ";
  if (!domain.empty()) sql += " AND p.domain = :domain";
  if (!kind.empty()) sql += " AND p.kind = :kind";
  // task_type narrows to patterns with evidence from episodes of that type.
  if (!task_type.empty())
    sql += " AND EXISTS (SELECT 1 FROM pattern_evidence pe JOIN episodes e ON e.episode_id = pe.episode_id "
           "WHERE pe.pattern_id = p.pattern_id AND e.task_type = :task_type)";
  SQLite::Statement q(ctx.db, sql + " ORDER BY p.confidence DESC, p.occurrences DESC, p.pattern_id LIMIT :limit");
  q.bind(":rate", min_rate);
  q.bind(":occ", min_occurrences);
  if (!domain.empty()) q.bind(":domain", domain);
  if (!kind.empty()) q.bind(":kind", kind);
  if (!task_type.empty()) q.bind(":task_type", task_type);
  q.bind(":limit", limit);
  json patterns = json::array();
  double rate_sum = 0;
  std::map<std::string, int64_t> tool_uses;
  std::map<std::string, int64_t> kinds;
  while (q.executeStep()) {
    auto p = pattern_from_row(q);
    rate_sum += p["success_rate"].get<double>();
    ++kinds[p["kind"].get<std::string>()];
    if (p["kind"] == "tool_sequence")
      for (auto& t : p["tools"]) tool_uses[t.get<std::string>()] += p["occurrences"].get<int64_t>();
    patterns.push_back(std::move(p));
  }
  for (auto& p : patterns) {
    auto fb = pattern_feedback_totals(ctx, p["pattern_id"].get<std::string>(), wall_clock_us());
    p["effectiveness"] = {{"score", feedback_effectiveness(fb.helped, fb.applied)},
                          {"times_applied_weighted", fb.applied},
                          {"times_helped_weighted", fb.helped},
                          {"feedback_sessions", fb.sessions}};
  }
  std::vector<std::pair<std::string, int64_t>> common(tool_uses.begin(), tool_uses.end());
  std::stable_sort(common.begin(), common.end(), [](auto& a, auto& b) { return a.second > b.second; });
  json most_common = json::array();
  for (size_t i = 0; i < common.size() && i < 5; ++i)
    most_common.push_back({{"tool", common[i].first}, {"occurrences", common[i].second}});
  auto n = patterns.size();
  return json{{"patterns", patterns},
              {"statistics",
               {{"total_patterns", n},
                {"patterns_by_kind", kinds},
                {"avg_success_rate", n ? json(rate_sum / static_cast<double>(n)) : json(nullptr)},
                {"most_common_tools", most_common},
                {"min_success_rate", min_rate}}},
              {"message", n ? std::to_string(n) + " pattern(s) at or above the success rate, most confident first"
                            : std::string("no learned pattern meets the filters")}};
}

result<json> explain_pattern(command_context& ctx, const json& args) {
  auto id = args["pattern_id"].get<std::string>();
  auto pattern = load_pattern(ctx.db, id);
  if (!pattern) return make_error(error_code::not_found, "pattern_id: no pattern with id " + id);
  auto limit = args.value("evidence_limit", int64_t{20});
  SQLite::Statement q(ctx.db,
                      "SELECT pe.episode_id, e.task_description, e.task_type, e.outcome_type, pe.success, pe.reward, "
                      "pe.observed_at_us FROM pattern_evidence pe JOIN episodes e ON e.episode_id = pe.episode_id "
                      "WHERE pe.pattern_id = ? ORDER BY pe.observed_at_us DESC LIMIT ?");
  q.bind(1, id);
  q.bind(2, limit);
  json evidence = json::array();
  while (q.executeStep())
    evidence.push_back({{"episode_id", q.getColumn(0).getString()},
                        {"task_description", utf8_prefix(q.getColumn(1).getString(), 300)},
                        {"task_type", q.getColumn(2).getString()},
                        {"outcome_type", q.getColumn(3).getString()},
                        {"success", q.getColumn(4).getDouble()},
                        {"reward", q.getColumn(5).getDouble()},
                        {"observed_at", format_rfc3339_us(q.getColumn(6).getInt64())}});
  auto fb = pattern_feedback_totals(ctx, id, wall_clock_us());
  double eff = feedback_effectiveness(fb.helped, fb.applied);
  auto& p = *pattern;
  auto n = p["occurrences"].get<int64_t>();
  auto pct = [](double v) { return std::to_string(static_cast<int>(v * 100 + 0.5)) + "%"; };
  std::string text = p["description"].get<std::string>() + ". Seen in " + std::to_string(n) + " episode(s) between " +
                     p["first_seen"].get<std::string>() + " and " + p["last_seen"].get<std::string>() + "; " +
                     std::to_string(p["successes"].get<int64_t>()) + " of them succeeded (success rate " +
                     pct(p["success_rate"].get<double>()) + "). Confidence " + pct(p["confidence"].get<double>()) +
                     " is the 95% Wilson lower bound of that rate: the rate we can claim from " + std::to_string(n) +
                     " observation(s).";
  if (fb.sessions > 0)
    text += " Agents reported on it in " + std::to_string(fb.sessions) + " recommendation session(s); applied weight " +
            std::to_string(fb.applied).substr(0, 4) + ", helped weight " + std::to_string(fb.helped).substr(0, 4) +
            " (feedback halves every " + std::to_string(ctx.learning.feedback_half_life_days).substr(0, 5) +
            " days), effectiveness " + pct(eff) + ".";
  else
    text += " No recommendation feedback yet (effectiveness neutral, 50%).";
  return json{{"pattern_id", id},
              {"pattern", p},
              {"explanation", text},
              {"evidence", evidence},
              {"evidence_total", n},
              {"feedback",
               {{"sessions", fb.sessions},
                {"applied_weighted", fb.applied},
                {"helped_weighted", fb.helped},
                {"effectiveness", eff},
                {"half_life_days", ctx.learning.feedback_half_life_days}}}};
}

result<json> get_recommendation_stats(command_context& ctx, const json&) {
  auto count = [&](const char* sql) { return ctx.db.execAndGet(sql).getInt64(); };
  int64_t sessions = count("SELECT COUNT(*) FROM recommendation_sessions");
  int64_t feedback = count("SELECT COUNT(*) FROM recommendation_feedback");
  int64_t applied = count("SELECT COUNT(*) FROM pattern_feedback WHERE applied = 1");
  int64_t ignored = count("SELECT COUNT(*) FROM pattern_feedback WHERE applied = 0");
  double helped = ctx.db.execAndGet("SELECT COALESCE(SUM(helped), 0) FROM pattern_feedback WHERE applied = 1").getDouble();
  auto rating = ctx.db.execAndGet("SELECT AVG(agent_rating) FROM recommendation_feedback");
  json top = json::array();
  {
    SQLite::Statement q(ctx.db,
                        "SELECT pattern_id, COUNT(*) FROM pattern_feedback WHERE applied = 1 GROUP BY pattern_id "
                        "ORDER BY COUNT(*) DESC, pattern_id LIMIT 10");
    std::vector<std::string> ids;
    while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
    for (auto& id : ids) {
      auto fb = pattern_feedback_totals(ctx, id, wall_clock_us());
      auto p = load_pattern(ctx.db, id);
      top.push_back({{"pattern_id", id},
                     {"description", p ? (*p)["description"] : json(nullptr)},
                     {"applied_weighted", fb.applied},
                     {"helped_weighted", fb.helped},
                     {"effectiveness", feedback_effectiveness(fb.helped, fb.applied)}});
    }
  }
  return json{{"success", true},
              {"total_sessions", sessions},
              {"total_feedback", feedback},
              {"patterns_applied", applied},
              {"patterns_ignored", ignored},
              {"adoption_rate", applied + ignored ? json(static_cast<double>(applied) / static_cast<double>(applied + ignored)) : json(nullptr)},
              {"success_after_adoption_rate", applied ? json(helped / static_cast<double>(applied)) : json(nullptr)},
              {"avg_agent_rating", rating.isNull() ? json(nullptr) : json(rating.getDouble())},
              {"most_applied_patterns", top},
              {"half_life_days", ctx.learning.feedback_half_life_days},
              {"message", std::to_string(sessions) + " session(s), " + std::to_string(feedback) + " with feedback"}};
}

}  // namespace

command_list pattern_commands() {
  return {{"search_patterns", search_patterns},
          {"recommend_patterns", recommend_patterns},
          {"analyze_patterns", analyze_patterns},
          {"explain_pattern", explain_pattern},
          {"get_recommendation_stats", get_recommendation_stats}};
}

}  // namespace memory_mcp
