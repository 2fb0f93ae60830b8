#include "adapters/completion.hpp"

#include <SQLiteCpp/Statement.h>

#include <map>
#include <optional>
#include <set>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"
#include "adapters/pattern_repo.hpp"
#include "core/evidence.hpp"
#include "core/patterns.hpp"
#include "core/reflection.hpp"
#include "core/reward.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

result<json> read_outcome(const json& args) {
  auto type = args["outcome_type"].get<std::string>();
  json o = {{"type", type}};
  // Each outcome type takes its own fields; a field of another type is an error, never silently dropped.
  static const std::map<std::string, std::set<std::string>> allowed = {
      {"success", {"verdict", "artifacts"}},
      {"partial_success", {"verdict", "completed", "failed"}},
      {"failure", {"reason", "error_details"}},
      {"abstained", {"reason", "stopped_at_step", "infeasibility_signals"}}};
  for (auto& [key, value] : args.items()) {
    if (key == "episode_id" || key == "outcome_type" || allowed.at(type).count(key)) continue;
    std::string fields;
    for (auto& f : allowed.at(type)) fields += (fields.empty() ? "" : ", ") + f;
    return make_error(error_code::invalid_argument, "arguments." + key + ": not used when outcome_type is " + type +
                                                        " (its fields: " + fields + ")");
  }
  auto need = [&](const char* key) -> std::optional<error> {
    if (!args.contains(key) || (args[key].is_string() && args[key].get<std::string>().empty()))
      return make_error(error_code::invalid_argument,
                        std::string("arguments.") + key + ": required when outcome_type is " + type);
    return std::nullopt;
  };
  if (type == "success") {
    if (auto e = need("verdict")) return *e;
    o["verdict"] = args["verdict"];
    o["artifacts"] = args.value("artifacts", json::array());
  } else if (type == "partial_success") {
    if (auto e = need("verdict")) return *e;
    o["verdict"] = args["verdict"];
    o["completed"] = args.value("completed", json::array());
    o["failed"] = args.value("failed", json::array());
  } else if (type == "failure") {
    if (auto e = need("reason")) return *e;
    o["reason"] = args["reason"];
    o["error_details"] = args.contains("error_details") ? args["error_details"] : json(nullptr);
  } else {  // abstained
    if (auto e = need("reason")) return *e;
    o["reason"] = args["reason"];
    o["stopped_at_step"] = args.value("stopped_at_step", int64_t{0});
    o["infeasibility_signals"] = args.value("infeasibility_signals", json::array());
  }
  return o;
}

result<json> prepare_completion(SQLite::Database& db, const json& args, const learning_settings& settings,
                                int64_t now_us) {
  auto id = args["episode_id"].get<std::string>();
  auto outcome = read_outcome(args);
  if (!outcome) return outcome.err();
  auto episode = load_episode(db, id);
  if (!episode) return episode_not_found(id);
  if ((*episode)["status"] == "completed")
    return make_error(error_code::conflict, "episode_id: episode " + id + " was already completed at " +
                                                (*episode)["end_time"].get<std::string>());
  auto facts = facts_from_episode(*episode, now_us);
  facts.outcome = outcome_from_json(outcome.value());
  auto score = compute_reward(facts);
  auto refl = reflect(facts);
  auto quality = assess_quality(facts, refl);
  json observations = json::array();
  bool learned = quality.total >= settings.min_quality;
  if (learned)
    for (auto& o : extract_patterns(facts)) observations.push_back(observation_to_json(o));
  json plan = {
      {"episode_id", id},
      {"outcome", outcome.value()},
      {"end_time_us", now_us},
      {"expected_step_count", (*episode)["steps"].size()},
      {"reward",
       {{"total", score.total},
        {"base", score.base},
        {"efficiency", score.efficiency},
        {"complexity_bonus", score.complexity_bonus},
        {"quality_multiplier", score.quality_multiplier},
        {"learning_bonus", score.learning_bonus},
        {"abstention", score.abstention}}},
      {"reflection",
       {{"successes", refl.successes},
        {"improvements", refl.improvements},
        {"insights", refl.insights},
        {"generated_at", format_rfc3339_us(now_us)}}},
      {"quality",
       {{"total", quality.total},
        {"steps", quality.steps},
        {"results", quality.results},
        {"outcome_detail", quality.outcome_detail},
        {"diversity", quality.diversity},
        {"reflection", quality.reflection},
        {"threshold", settings.min_quality}}},
      {"learned", learned},
      {"observations", observations}};
  return plan;
}

result<json> apply_completion(command_context& ctx, const json& plan) {
  auto id = plan["episode_id"].get<std::string>();
  auto presence = probe_episode(ctx.db, id);
  if (!presence.exists) return episode_not_found(id);
  if (presence.completed)
    return make_error(error_code::conflict, "episode_id: episode " + id + " was already completed at " +
                                                format_rfc3339_us(presence.end_time_us));
  if (presence.step_count != plan["expected_step_count"].get<int64_t>()) return json{{"retry", true}};
  auto end = plan["end_time_us"].get<int64_t>();
  const auto& outcome = plan["outcome"];
  const auto& reward = plan["reward"];
  double quality = plan["quality"]["total"].get<double>();
  bool learned = plan["learned"].get<bool>();
  auto& q = ctx.prepared("UPDATE episodes SET end_time_us = ?, outcome_type = ?, outcome = ?, reward_total = ?, "
                         "reward = ?, reflection = ?, quality = ?, learned = ?, updated_at_us = ? "
                         "WHERE episode_id = ? AND end_time_us IS NULL");
  q.bind(1, static_cast<int64_t>(end));
  q.bind(2, outcome["type"].get<std::string>());
  q.bind(3, outcome.dump());
  q.bind(4, reward["total"].get<double>());
  q.bind(5, reward.dump());
  q.bind(6, plan["reflection"].dump());
  q.bind(7, quality);
  q.bind(8, learned ? 1 : 0);
  q.bind(9, static_cast<int64_t>(end));
  q.bind(10, id);
  if (q.exec() != 1) return make_error(error_code::conflict, "episode_id: episode " + id + " was completed concurrently");

  std::vector<pattern_observation> observations;
  for (auto& o : plan["observations"])
    if (auto parsed = observation_from_json(o)) observations.push_back(std::move(*parsed));
  // Which patterns exist already, so the reply can say which ones this episode created.
  json candidate_ids = json::array();
  for (auto& o : observations) candidate_ids.push_back(pattern_id_for_key(o.key));
  std::set<std::string> known;
  {
    auto& exists = ctx.prepared("SELECT pattern_id FROM patterns WHERE pattern_id IN (SELECT value FROM json_each(?))");
    exists.bind(1, candidate_ids.dump());
    while (exists.executeStep()) known.insert(exists.getColumn(0).getString());
    exists.reset();
  }
  auto ids = record_observations(ctx.db, id, end, reward["total"].get<double>(), observations, ctx.statements);
  auto& link = ctx.prepared("UPDATE episodes SET pattern_ids = ? WHERE episode_id = ?");
  link.bind(1, json(ids).dump());
  link.bind(2, id);
  link.exec();
  reindex_episode(ctx.db, id, ctx.statements);

  // The patterns after this episode's evidence, in observation order (one query for all).
  std::map<std::string, json> updated;
  {
    auto& read = ctx.prepared("SELECT pattern_id, kind, description, occurrences, successes, confidence FROM "
                              "patterns WHERE pattern_id IN (SELECT value FROM json_each(?))");
    read.bind(1, json(ids).dump());
    while (read.executeStep()) {
      auto pid = read.getColumn(0).getString();
      updated[pid] = {{"pattern_id", pid},
                      {"kind", read.getColumn(1).getString()},
                      {"description", read.getColumn(2).getString()},
                      {"occurrences", read.getColumn(3).getInt64()},
                      {"successes", read.getColumn(4).getInt64()},
                      {"confidence", read.getColumn(5).getDouble()},
                      {"new", known.count(pid) == 0}};
    }
    read.reset();
  }
  json patterns = json::array();
  for (auto& pid : ids)
    if (auto it = updated.find(pid); it != updated.end()) patterns.push_back(it->second);
  json learning = {{"learned", learned}, {"quality", plan["quality"]}, {"patterns", patterns}};
  if (!learned)
    learning["skipped_reason"] = "quality " + std::to_string(quality).substr(0, 4) + " is below the learning threshold " +
                                 std::to_string(plan["quality"]["threshold"].get<double>()).substr(0, 4) +
                                 " (MEMORY_MCP_LEARNING_MIN_QUALITY); the episode is stored but teaches no patterns";
  std::string message = "Episode completed; reward and reflection stored";
  message += learned ? "; evidence recorded for " + std::to_string(ids.size()) + " pattern(s)" : "; not learned from";
  return json{{"success", true},
              {"episode_id", id},
              {"outcome_type", outcome["type"]},
              {"end_time", format_rfc3339_us(end)},
              {"reward", reward},
              {"reflection", plan["reflection"]},
              {"quality", quality},
              {"learning", learning},
              {"patterns", ids},
              {"message", message}};
}

}  // namespace memory_mcp
