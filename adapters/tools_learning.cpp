// Catalog entries of the learning tools: pattern search and recommendation, playbooks, explanations,
// recommendation feedback and metrics. Names and argument names follow the reference implementation; the
// formulas behind every number are in docs/LEARNING.md.
#include "adapters/limits.hpp"
#include "adapters/schema_helpers.hpp"
#include "adapters/tool_catalog.hpp"

namespace memory_mcp {

using namespace schema;

namespace {

const std::vector<std::string> pattern_kinds = {"tool_sequence", "decision_point", "error_recovery", "context_pattern",
                                                "heuristic"};

tool_def learner_tool(std::string name, std::string title, std::string description, json input, json output) {
  auto t = make(std::move(name), std::move(title), std::move(description), std::move(input), std::move(output), true);
  t.target = tool_target::pattern_learner;
  return t;
}

// The context arguments shared by the task-shaped tools.
json task_properties(const char* text_key, size_t max_limit) {
  return {{text_key, str(limits::max_description_chars, 0)},
          {"domain", str(limits::max_name_chars)},
          {"task_type", str_enum(task_types)},
          {"language", str(limits::max_name_chars)},
          {"framework", str(limits::max_name_chars)},
          {"tags", tag_list()},
          {"kind", str_enum(pattern_kinds)},
          {"limit", int_range(1, static_cast<int64_t>(max_limit))}};
}

json pattern_results_schema() {
  return {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties",
             {{"pattern_id", {{"type", "string"}}},
              {"kind", str_enum(pattern_kinds)},
              {"description", {{"type", "string"}}},
              {"occurrences", {{"type", "integer"}}},
              {"success_rate", {{"type", "number"}}},
              {"confidence", {{"type", "number"}}},
              {"relevance_score", {{"type", "number"}}},
              {"score_breakdown", any_object()}}},
            {"required", {"pattern_id", "kind", "description", "occurrences", "success_rate", "confidence"}}}}};
}

json attribution_schema() {
  return {{"type", "object"},
          {"properties",
           {{"session_id", {{"type", "string"}}}, {"episode_id", {{"type", "string"}}}, {"receipt", any_object()}}}};
}

}  // namespace

std::vector<tool_def> learning_tools() {
  std::vector<tool_def> v;
  auto search_in = task_properties("query", 100);
  search_in["min_relevance"] = {{"type", "number"}, {"minimum", 0}, {"maximum", 1}};
  search_in["filter_by_domain"] = {{"type", "boolean"}};
  v.push_back(learner_tool(
      "search_patterns", "Search patterns",
      "Search the learned patterns by text (BM25 over their descriptions, tools, conditions and errors, and through "
      "the episodes that match the text) and context. Each result has a relevance_score (a blend of text, context, "
      "Wilson confidence, feedback effectiveness, recency and specificity; docs/LEARNING.md) and its breakdown; "
      "results below min_relevance (default 0.3) are left out. limit defaults to 5.",
      object_schema(search_in, {"query"}),
      out({{"results", pattern_results_schema()},
           {"total_searched", {{"type", "integer"}}},
           {"query", {{"type", "string"}}},
           {"message", {{"type", "string"}}}},
          {"results", "total_searched"})));

  auto recommend_in = task_properties("task_description", 50);
  recommend_in["episode_id"] = uuid();
  v.push_back(learner_tool(
      "recommend_patterns", "Recommend patterns",
      "The learned patterns most likely to help with a task, best first (limit defaults to 3). Ranking weighs text "
      "relevance, context, evidence (Wilson lower bound of the success rate) and what agents reported about earlier "
      "recommendations. With episode_id the recommendation is recorded as a session (attribution.session_id); report "
      "how it went with record_recommendation_feedback so the ranking learns.",
      object_schema(recommend_in, {"task_description"}),
      out({{"results", pattern_results_schema()},
           {"total_searched", {{"type", "integer"}}},
           {"attribution", attribution_schema()},
           {"message", {{"type", "string"}}}},
          {"results"})));
  v.back().read_only = false;  // records a session when episode_id is given
  v.back().idempotent = false;
  v.back().write_arg = "episode_id";

  v.push_back(learner_tool(
      "analyze_patterns", "Analyze patterns",
      "List learned patterns at or above min_success_rate (default 0.7) and min_occurrences (default 1), most "
      "confident first, with statistics (patterns by kind, mean success rate, most common tools). domain, kind and "
      "task_type (patterns with evidence from episodes of that type) narrow the list; limit defaults to 20.",
      object_schema({{"task_type", str_enum(task_types)},
                     {"domain", str(limits::max_name_chars)},
                     {"kind", str_enum(pattern_kinds)},
                     {"min_success_rate", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
                     {"min_occurrences", int_range(1, 1000000)},
                     {"limit", int_range(1, 1000)}}),
      out({{"patterns", {{"type", "array"}}}, {"statistics", any_object()}, {"message", {{"type", "string"}}}},
          {"patterns", "statistics"})));

  v.push_back(learner_tool(
      "explain_pattern", "Explain pattern",
      "One pattern with the evidence behind it: the episodes that showed it (newest first, at most evidence_limit, "
      "default 20), their outcomes, the confidence computation and the recommendation feedback it received.",
      object_schema({{"pattern_id", uuid()}, {"evidence_limit", int_range(1, 500)}}, {"pattern_id"}),
      out({{"pattern_id", {{"type", "string"}}},
           {"pattern", any_object()},
           {"explanation", {{"type", "string"}}},
           {"evidence", {{"type", "array"}}},
           {"evidence_total", {{"type", "integer"}}},
           {"feedback", any_object()}},
          {"pattern_id", "pattern", "explanation", "evidence"})));

  auto playbook_in = task_properties("task_description", 10);
  playbook_in.erase("kind");
  playbook_in["max_steps"] = int_range(1, 20);
  playbook_in["episode_id"] = uuid();
  v.push_back(learner_tool(
      "recommend_playbook", "Recommend playbook",
      "Ordered steps for a task, built from the strongest learned workflows (tool sequences; a context approach "
      "only when no workflow fits) with pitfalls from error-recovery patterns of the same tools, when (not) to apply it, and the supporting "
      "patterns and episodes. max_steps defaults to 5, limit (playbooks) to 3. With episode_id the recommendation is "
      "recorded as a session, like recommend_patterns.",
      object_schema(playbook_in, {"task_description"}),
      out({{"playbooks", {{"type", "array"}}}, {"attribution", attribution_schema()}, {"message", {{"type", "string"}}}},
          {"playbooks"})));
  v.back().read_only = false;
  v.back().idempotent = false;
  v.back().write_arg = "episode_id";

  auto id_list = [](size_t max) { return json{{"type", "array"}, {"maxItems", max}, {"items", uuid()}}; };
  auto session = make(
      "record_recommendation_session", "Record recommendation session",
      "Record which patterns (and playbooks) were recommended for an episode. Returns the session_id to report "
      "feedback on. Unknown pattern ids are refused.",
      object_schema({{"episode_id", uuid()},
                     {"recommended_pattern_ids", id_list(1000)},
                     {"recommended_playbook_ids", id_list(1000)}},
                    {"episode_id"}),
      out({{"success", {{"type", "boolean"}}},
           {"session_id", {{"type", "string"}}},
           {"episode_id", {{"type", "string"}}},
           {"patterns_recommended", {{"type", "integer"}}},
           {"playbooks_recommended", {{"type", "integer"}}},
           {"receipt", any_object()},
           {"message", {{"type", "string"}}}},
          {"success", "session_id"}),
      false, false, false);
  v.push_back(session);

  v.push_back(make(
      "record_recommendation_feedback", "Record recommendation feedback",
      "Report how a recommendation session ended: the outcome (type success, partial_success, failure or abstained), "
      "which patterns were applied, which episodes were consulted, and an optional rating 0..1. Each applied pattern "
      "gains evidence that it helped (success 1; partial_success the share of completed subtasks, 0.5 without "
      "lists; failure and abstained 0), which changes its ranking; recommended but unapplied patterns count as "
      "ignored. Once per session.",
      object_schema({{"session_id", uuid()},
                     {"outcome", nested_object({{"type", str_enum({"success", "partial_success", "failure", "abstained"})},
                                                {"verdict", str(limits::max_outcome_text_chars, 0)},
                                                {"reason", str(limits::max_outcome_text_chars, 0)},
                                                {"artifacts", str_list(limits::max_outcome_items, limits::max_outcome_item_chars)},
                                                {"completed", str_list(limits::max_outcome_items, limits::max_outcome_item_chars)},
                                                {"failed", str_list(limits::max_outcome_items, limits::max_outcome_item_chars)}},
                                               {"type"})},
                     {"applied_pattern_ids", id_list(1000)},
                     {"consulted_episode_ids", id_list(1000)},
                     {"agent_rating", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}}},
                    {"session_id", "outcome"}),
      out({{"success", {{"type", "boolean"}}},
           {"session_id", {{"type", "string"}}},
           {"patterns_applied", {{"type", "integer"}}},
           {"patterns_ignored", {{"type", "integer"}}},
           {"episodes_consulted", {{"type", "integer"}}},
           {"helped_weight", {{"type", "number"}}},
           {"receipt", any_object()},
           {"message", {{"type", "string"}}}},
          {"success", "session_id", "patterns_applied"}),
      false, false, false));

  v.push_back(learner_tool(
      "get_recommendation_stats", "Recommendation statistics",
      "Totals over recommendation sessions and feedback: sessions, feedback, applied and ignored patterns, adoption "
      "rate, success after adoption, mean agent rating, and the most applied patterns with their decayed "
      "effectiveness.",
      object_schema(json::object()),
      out({{"success", {{"type", "boolean"}}},
           {"total_sessions", {{"type", "integer"}}},
           {"total_feedback", {{"type", "integer"}}},
           {"patterns_applied", {{"type", "integer"}}},
           {"patterns_ignored", {{"type", "integer"}}},
           {"adoption_rate", nullable("number")},
           {"success_after_adoption_rate", nullable("number")},
           {"avg_agent_rating", nullable("number")},
           {"most_applied_patterns", {{"type", "array"}}},
           {"half_life_days", {{"type", "number"}}},
           {"message", {{"type", "string"}}}},
          {"success", "total_sessions", "total_feedback"})));

  v.push_back(learner_tool(
      "quality_metrics", "Quality metrics",
      "Quality of the completed episodes (how much each is worth learning from, 0..1) over time_range (24h, 7d, "
      "30d, 90d or all; default 7d): average, distribution, how many reach quality_threshold (default: the "
      "learning threshold), the trend (least-squares slope per day, its r², recent scores) and recommendations.",
      object_schema({{"time_range", str_enum({"24h", "7d", "30d", "90d", "all"})},
                     {"include_trends", {{"type", "boolean"}}},
                     {"quality_threshold", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}}}),
      out({{"time_period", {{"type", "string"}}},
           {"quality_threshold", {{"type", "number"}}},
           {"total_episodes_attempted", {{"type", "integer"}}},
           {"episodes_accepted", {{"type", "integer"}}},
           {"episodes_rejected", {{"type", "integer"}}},
           {"average_quality_score", nullable("number")},
           {"quality_score_distribution", any_object()},
           {"noise_reduction_rate", nullable("number")},
           {"quality_trend", any_object()},
           {"recommendations", {{"type", "array"}, {"items", {{"type", "string"}}}}}},
          {"time_period", "total_episodes_attempted", "quality_score_distribution", "recommendations"})));

  tool_def metrics = learner_tool(
      "get_metrics", "Get metrics",
      "Figures from real data: episodes (by status and outcome, mean reward, quality and steps), patterns (by kind, "
      "evidence, mean confidence), recommendation sessions, request performance per tool since start (calls, "
      "errors, mean and p50/p99 latency estimated from histogram buckets) and the process (uptime, resident memory). "
      "metric_type selects a part (all, episodes, performance, system; default all).",
      object_schema({{"metric_type", str_enum({"all", "episodes", "performance", "system"})}}),
      out({{"metric_type", {{"type", "string"}}},
           {"timestamp", {{"type", "string"}}},
           {"episodes", any_object()},
           {"patterns", any_object()},
           {"recommendations", any_object()},
           {"performance", any_object()},
           {"system", any_object()}},
          {"metric_type", "timestamp"}));
  metrics.target = tool_target::router;  // the router adds its own request figures to the learner's
  v.push_back(metrics);
  return v;
}

}  // namespace memory_mcp
