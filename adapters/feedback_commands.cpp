// Storage commands for recommendation feedback: record_recommendation_session (what was recommended for an
// episode) and record_recommendation_feedback (what the agent applied and how the task ended). Each applied
// pattern gets a pattern_feedback row whose `helped` is the outcome's success weight; recommended patterns the
// agent did not apply are kept as ignored (they count for adoption, not for effectiveness).
#include <SQLiteCpp/Statement.h>

#include <set>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"
#include "adapters/pattern_repo.hpp"
#include "core/patterns.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

bool pattern_exists(SQLite::Database& db, const std::string& id) {
  SQLite::Statement q(db, "SELECT 1 FROM patterns WHERE pattern_id = ?");
  q.bind(1, id);
  return q.executeStep();
}

result<json> record_recommendation_session(command_context& ctx, const json& args) {
  auto episode_id = args["episode_id"].get<std::string>();
  if (!probe_episode(ctx.db, episode_id).exists) return episode_not_found(episode_id);
  json patterns = args.value("recommended_pattern_ids", json::array());
  json playbooks = args.value("recommended_playbook_ids", json::array());
  for (size_t i = 0; i < patterns.size(); ++i)
    if (!pattern_exists(ctx.db, patterns[i].get<std::string>()))
      return make_error(error_code::invalid_argument, "arguments.recommended_pattern_ids[" + std::to_string(i) +
                                                          "]: no pattern with id " + patterns[i].get<std::string>());
  auto session_id = new_uuid();
  auto now = wall_clock_us();
  SQLite::Statement q(ctx.db,
                      "INSERT INTO recommendation_sessions(session_id, episode_id, client_id, pattern_ids, playbook_ids, "
                      "created_at_us) VALUES (?, ?, ?, ?, ?, ?)");
  q.bind(1, session_id);
  q.bind(2, episode_id);
  q.bind(3, ctx.client_id);
  q.bind(4, patterns.dump());
  q.bind(5, playbooks.dump());
  q.bind(6, static_cast<int64_t>(now));
  q.exec();
  return json{{"success", true},
              {"session_id", session_id},
              {"episode_id", episode_id},
              {"patterns_recommended", patterns.size()},
              {"playbooks_recommended", playbooks.size()},
              {"receipt", {{"state", "persisted"}, {"recorded_at", format_rfc3339_us(now)}}},
              {"message", "Recommendation session recorded; report the result with record_recommendation_feedback"}};
}

result<json> record_recommendation_feedback(command_context& ctx, const json& args) {
  auto session_id = args["session_id"].get<std::string>();
  SQLite::Statement s(ctx.db, "SELECT pattern_ids FROM recommendation_sessions WHERE session_id = ?");
  s.bind(1, session_id);
  if (!s.executeStep()) return make_error(error_code::not_found, "session_id: no recommendation session with id " + session_id);
  auto recommended = json::parse(s.getColumn(0).getString(), nullptr, false);
  if (!recommended.is_array()) recommended = json::array();
  {
    SQLite::Statement dup(ctx.db, "SELECT created_at_us FROM recommendation_feedback WHERE session_id = ?");
    dup.bind(1, session_id);
    if (dup.executeStep())
      return make_error(error_code::conflict, "session_id: feedback for session " + session_id + " was already recorded at " +
                                                  format_rfc3339_us(dup.getColumn(0).getInt64()));
  }
  const auto& outcome = args["outcome"];
  auto type = outcome["type"].get<std::string>();
  outcome_fact fact;
  fact.kind = type == "success" ? outcome_kind::success
              : type == "partial_success" ? outcome_kind::partial_success
              : type == "failure" ? outcome_kind::failure
                                  : outcome_kind::abstained;
  for (auto& c : outcome.value("completed", json::array())) fact.completed.push_back(c.get<std::string>());
  for (auto& f : outcome.value("failed", json::array())) fact.failed.push_back(f.get<std::string>());
  double helped = outcome_success_weight(fact);

  std::set<std::string> recommended_set;
  for (auto& r : recommended) recommended_set.insert(r.get<std::string>());
  json applied = args.value("applied_pattern_ids", json::array());
  std::set<std::string> applied_set;
  for (size_t i = 0; i < applied.size(); ++i) {
    auto id = applied[i].get<std::string>();
    if (!recommended_set.count(id) && !pattern_exists(ctx.db, id))
      return make_error(error_code::invalid_argument, "arguments.applied_pattern_ids[" + std::to_string(i) +
                                                          "]: no pattern with id " + id);
    applied_set.insert(id);
  }
  auto now = wall_clock_us();
  SQLite::Statement f(ctx.db,
                      "INSERT INTO recommendation_feedback(session_id, outcome_type, outcome, applied_pattern_ids, "
                      "consulted_episode_ids, agent_rating, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?)");
  f.bind(1, session_id);
  f.bind(2, type);
  f.bind(3, outcome.dump());
  f.bind(4, applied.dump());
  f.bind(5, args.value("consulted_episode_ids", json::array()).dump());
  if (args.contains("agent_rating")) f.bind(6, args["agent_rating"].get<double>());
  else f.bind(6);
  f.bind(7, static_cast<int64_t>(now));
  f.exec();
  SQLite::Statement pf(ctx.db,
                       "INSERT OR REPLACE INTO pattern_feedback(pattern_id, session_id, applied, helped, at_us) "
                       "VALUES (?, ?, ?, ?, ?)");
  size_t ignored = 0;
  auto add = [&](const std::string& id, bool was_applied) {
    pf.bind(1, id);
    pf.bind(2, session_id);
    pf.bind(3, was_applied ? 1 : 0);
    pf.bind(4, was_applied ? helped : 0.0);
    pf.bind(5, static_cast<int64_t>(now));
    pf.exec();
    pf.reset();
  };
  for (auto& id : applied_set) add(id, true);
  for (auto& id : recommended_set)
    if (!applied_set.count(id)) {
      add(id, false);
      ++ignored;
    }
  return json{{"success", true},
              {"session_id", session_id},
              {"patterns_applied", applied_set.size()},
              {"patterns_ignored", ignored},
              {"episodes_consulted", args.value("consulted_episode_ids", json::array()).size()},
              {"helped_weight", helped},
              {"receipt", {{"state", "persisted"}, {"recorded_at", format_rfc3339_us(now)}}},
              {"message", "Feedback recorded; it changes the ranking of the applied patterns"}};
}

}  // namespace

command_list feedback_commands() {
  return {{"record_recommendation_session", record_recommendation_session},
          {"record_recommendation_feedback", record_recommendation_feedback}};
}

}  // namespace memory_mcp
