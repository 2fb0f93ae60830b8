// Storage commands of the episode lifecycle: create, add steps, read,
// update, delete, timeline, bulk read and list. Each runs inside the store's transaction (see
// actors/episode_store.cpp); arguments were validated against the tool's inputSchema before they arrive, so
// handlers check only what a schema cannot express.
#include <SQLiteCpp/Statement.h>

#include <map>
#include <set>

#include "adapters/episode_repo.hpp"
#include "adapters/limits.hpp"
#include "adapters/pattern_repo.hpp"
#include "adapters/logger.hpp"
#include "core/reflection.hpp"
#include "core/reward.hpp"
#include "core/tags.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

void bind_nullable(SQLite::Statement& q, int index, const json& args, const char* key) {
  auto it = args.find(key);
  if (it != args.end() && it->is_string() && !it->get<std::string>().empty()) q.bind(index, it->get<std::string>());
  else q.bind(index);
}

result<json> create_episode(command_context& ctx, const json& args) {
  json context_tags = json::array();
  if (args.contains("tags")) {
    auto tags = read_tags(args["tags"], "arguments.tags");
    if (!tags) return tags.err();
    context_tags = tags.value();
  }
  auto metadata = args.value("metadata", json::object());
  auto id = new_uuid();
  auto now = wall_clock_us();
  SQLite::Statement q(ctx.db,
                      "INSERT INTO episodes(episode_id, task_type, task_description, domain, language, framework, "
                      "complexity, context_tags, start_time_us, metadata, updated_at_us) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  q.bind(1, id);
  q.bind(2, args["task_type"].get<std::string>());
  q.bind(3, args["task_description"].get<std::string>());
  q.bind(4, args["domain"].get<std::string>());
  bind_nullable(q, 5, args, "language");
  bind_nullable(q, 6, args, "framework");
  q.bind(7, args.value("complexity", "moderate"));
  q.bind(8, context_tags.dump());
  q.bind(9, static_cast<int64_t>(now));
  q.bind(10, metadata.dump());
  q.bind(11, static_cast<int64_t>(now));
  q.exec();
  return json{{"success", true},
              {"episode_id", id},
              {"task_description", args["task_description"]},
              {"domain", args["domain"]},
              {"task_type", args["task_type"]},
              {"start_time", format_rfc3339_us(now)},
              {"message", "Episode created"}};
}

result<json> add_episode_step(command_context& ctx, const json& args) {
  auto id = args["episode_id"].get<std::string>();
  auto step_number = args["step_number"].get<int64_t>();
  // The hot path of every agent: cached statements throughout.
  episode_presence p;
  {
    auto& probe = ctx.prepared("SELECT end_time_us, step_count FROM episodes WHERE episode_id = ?");
    probe.bind(1, id);
    if (probe.executeStep()) {
      p.exists = true;
      p.completed = !probe.getColumn(0).isNull();
      p.end_time_us = p.completed ? probe.getColumn(0).getInt64() : 0;
      p.step_count = probe.getColumn(1).getInt64();
    }
    probe.reset();  // no statement stays active past its use
  }
  if (!p.exists) return episode_not_found(id);
  if (p.completed)
    return make_error(error_code::conflict, "episode_id: episode " + id + " was completed at " +
                                                format_rfc3339_us(p.end_time_us) + "; steps can no longer be added");
  if (p.step_count >= static_cast<int64_t>(limits::max_steps_per_episode))
    return make_error(error_code::invalid_argument, "episode_id: episode " + id + " already has the maximum of " +
                                                        std::to_string(limits::max_steps_per_episode) + " steps");
  auto parameters = args.value("parameters", json::object());
  auto parameters_text = parameters.dump();
  if (parameters_text.size() > limits::max_parameters_bytes)
    return make_error(error_code::invalid_argument,
                      "arguments.parameters: " + std::to_string(parameters_text.size()) +
                          " bytes of JSON exceed the maximum of " + std::to_string(limits::max_parameters_bytes));
  auto metadata = args.value("metadata", json::object());
  auto& dup = ctx.prepared("SELECT 1 FROM steps WHERE episode_id = ? AND step_number = ?");
  dup.bind(1, id);
  dup.bind(2, static_cast<int64_t>(step_number));
  bool duplicate = dup.executeStep();
  dup.reset();
  if (duplicate)
    return make_error(error_code::conflict, "arguments.step_number: episode " + id + " already has step " +
                                                std::to_string(step_number));
  std::string result_type;
  std::string result_text;
  bool has_result = false;
  if (args.contains("result") && args["result"].is_object()) {
    const auto& r = args["result"];
    has_result = true;
    result_type = r.value("type", "success");  // the reference's default
    if (r.contains("output") && result_type != "success")
      return make_error(error_code::invalid_argument,
                        "arguments.result.output: only allowed when result.type is success (got " + result_type + ")");
    if (r.contains("message") && result_type != "error")
      return make_error(error_code::invalid_argument,
                        "arguments.result.message: only allowed when result.type is error (got " + result_type + ")");
    if (result_type == "success") result_text = r.value("output", "");
    else if (result_type == "error") result_text = r.value("message", "");
  }
  auto now = wall_clock_us();
  auto& q = ctx.prepared(
      "INSERT INTO steps(episode_id, step_number, timestamp_us, tool, action, parameters, result_type, "
      "result_text, latency_ms, tokens_used, metadata) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  q.bind(1, id);
  q.bind(2, static_cast<int64_t>(step_number));
  q.bind(3, static_cast<int64_t>(now));
  q.bind(4, args["tool"].get<std::string>());
  q.bind(5, args["action"].get<std::string>());
  q.bind(6, parameters_text);
  if (has_result) q.bind(7, result_type);
  else q.bind(7);
  if (has_result && result_type != "timeout") q.bind(8, result_text);
  else q.bind(8);
  q.bind(9, static_cast<int64_t>(args.value("latency_ms", int64_t{0})));
  if (args.contains("tokens_used")) q.bind(10, static_cast<int64_t>(args["tokens_used"].get<int64_t>()));
  else q.bind(10);
  q.bind(11, metadata.dump());
  q.exec();
  auto& u = ctx.prepared("UPDATE episodes SET step_count = step_count + 1, updated_at_us = ? WHERE episode_id = ?");
  u.bind(1, static_cast<int64_t>(now));
  u.bind(2, id);
  u.exec();
  return json{{"success", true},
              {"episode_id", id},
              {"step_number", step_number},
              {"step_count", p.step_count + 1},
              {"message", "Step recorded"}};
}

// Keeps only the requested (possibly dotted) paths of an episode.
json project(const json& episode, const json& fields) {
  json out = json::object();
  out["episode_id"] = episode["episode_id"];
  for (auto& f : fields) {
    auto path = f.get<std::string>();
    if (path.rfind("episode.", 0) == 0) path = path.substr(8);
    // Each dotted segment is one JSON Pointer reference token; '~' and '/' inside a key must be escaped, or the
    // pointer parser throws (a field name is caller input, never a storage error).
    std::string pointer = "/";
    for (char c : path) pointer += c == '.' ? std::string("/") : c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    try {
      json::json_pointer ptr(pointer);
      if (!episode.contains(ptr)) continue;
      out[ptr] = episode.at(ptr);
    } catch (const json::exception&) {
      continue;  // e.g. a non-numeric or zero-padded index into an array: no such path
    }
  }
  return out;
}

result<json> get_episode(command_context& ctx, const json& args) {
  auto id = args["episode_id"].get<std::string>();
  auto episode = load_episode(ctx.db, id);
  if (!episode) return episode_not_found(id);
  if (args.contains("fields")) return json{{"success", true}, {"episode", project(*episode, args["fields"])}};
  return json{{"success", true}, {"episode", *episode}};
}

result<json> delete_episode(command_context& ctx, const json& args) {
  auto id = args["episode_id"].get<std::string>();
  if (!args["confirm"].get<bool>())
    return make_error(error_code::invalid_argument, "arguments.confirm: must be true to delete an episode permanently");
  // The patterns this episode was evidence for lose that evidence: recompute them from what remains.
  auto patterns = patterns_of_episode(ctx.db, id);
  SQLite::Statement q(ctx.db, "DELETE FROM episodes WHERE episode_id = ?");
  q.bind(1, id);
  if (q.exec() == 0) return episode_not_found(id);
  refresh_patterns(ctx.db, patterns);
  return json{{"success", true},
              {"episode_id", id},
              {"patterns_updated", patterns.size()},
              {"message", "Episode deleted permanently"}};
}

result<json> get_episode_timeline(command_context& ctx, const json& args) {
  auto id = args["episode_id"].get<std::string>();
  auto e = load_episode(ctx.db, id);
  if (!e) return episode_not_found(id);
  json timeline = json::array();
  for (auto& s : (*e)["steps"])
    timeline.push_back({{"step_number", s["step_number"]},
                        {"timestamp", s["timestamp"]},
                        {"tool", s["tool"]},
                        {"action", s["action"]},
                        {"result_type", s["result"].is_object() ? s["result"]["type"] : json("pending")},
                        {"latency_ms", s["latency_ms"]}});
  json duration = nullptr;
  if ((*e)["end_time"].is_string())
    duration = static_cast<double>(*parse_rfc3339_us((*e)["end_time"].get<std::string>()) -
                                   *parse_rfc3339_us((*e)["start_time"].get<std::string>())) / 1e6;
  return json{{"success", true},
              {"episode_id", id},
              {"task_description", (*e)["task_description"]},
              {"start_time", (*e)["start_time"]},
              {"end_time", (*e)["end_time"]},
              {"duration_seconds", duration},
              {"step_count", timeline.size()},
              {"timeline", timeline},
              {"outcome", (*e)["outcome"].is_object() ? (*e)["outcome"]["type"] : json(nullptr)}};
}

result<json> bulk_episodes(command_context& ctx, const json& args) {
  std::vector<std::string> ids;
  if (args["episode_ids"].is_string()) {
    auto text = args["episode_ids"].get<std::string>();
    size_t start = 0;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      auto part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      auto b = part.find_first_not_of(' '), e = part.find_last_not_of(' ');
      if (b != std::string::npos) ids.push_back(part.substr(b, e - b + 1));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else {
    for (auto& v : args["episode_ids"]) ids.push_back(v.get<std::string>());
  }
  if (ids.empty()) return make_error(error_code::invalid_argument, "arguments.episode_ids: needs at least one id");
  if (ids.size() > limits::max_bulk_ids)
    return make_error(error_code::invalid_argument, "arguments.episode_ids: " + std::to_string(ids.size()) +
                                                        " ids exceed the maximum of " + std::to_string(limits::max_bulk_ids));
  json episodes = json::array(), missing = json::array();
  for (auto& id : ids) {
    auto e = load_episode(ctx.db, id);
    if (e) episodes.push_back(std::move(*e));
    else missing.push_back(id);
  }
  return json{{"requested_count", ids.size()},
              {"found_count", episodes.size()},
              {"missing_count", missing.size()},
              {"missing_ids", missing},
              {"episodes", episodes}};
}

result<json> update_episode(command_context& ctx, const json& args) {
  auto id = args["episode_id"].get<std::string>();
  if (!probe_episode(ctx.db, id).exists) return episode_not_found(id);
  auto now = static_cast<int64_t>(wall_clock_us());
  json updated = json::array();
  if (args.contains("set_tags") && (args.contains("add_tags") || args.contains("remove_tags")))
    return make_error(error_code::invalid_argument,
                      "arguments.set_tags: cannot be combined with add_tags or remove_tags in one call");
  if (args.contains("description") && args.contains("task_description"))
    return make_error(error_code::invalid_argument,
                      "arguments.description: give either description (the reference's name) or task_description");
  const char* description_key = args.contains("description") ? "description" : "task_description";
  if (args.contains(description_key)) {
    SQLite::Statement q(ctx.db, "UPDATE episodes SET task_description = ?, updated_at_us = ? WHERE episode_id = ?");
    q.bind(1, args[description_key].get<std::string>());
    q.bind(2, now);
    q.bind(3, id);
    q.exec();
    updated.push_back("task_description");
    reindex_episode(ctx.db, id, ctx.statements);
  }
  if (args.contains("metadata")) {
    SQLite::Statement r(ctx.db, "SELECT metadata FROM episodes WHERE episode_id = ?");
    r.bind(1, id);
    r.executeStep();
    auto merged = json::parse(r.getColumn(0).getString(), nullptr, false);
    if (!merged.is_object()) merged = json::object();
    for (auto& [k, v] : args["metadata"].items()) {
      if (v.is_null()) merged.erase(k);
      else merged[k] = v;
    }
    if (merged.size() > limits::max_metadata_keys)
      return make_error(error_code::invalid_argument, "arguments.metadata: the merged metadata would have " +
                                                          std::to_string(merged.size()) + " keys; the maximum is " +
                                                          std::to_string(limits::max_metadata_keys));
    SQLite::Statement q(ctx.db, "UPDATE episodes SET metadata = ?, updated_at_us = ? WHERE episode_id = ?");
    q.bind(1, merged.dump());
    q.bind(2, now);
    q.bind(3, id);
    q.exec();
    updated.push_back("metadata");
  }
  auto tag_op = [&](const char* field, const char* sql) -> std::optional<error> {
    if (!args.contains(field)) return std::nullopt;
    auto tags = read_tags(args[field], std::string("arguments.") + field);
    if (!tags) return tags.err();
    for (auto& t : tags.value()) {
      SQLite::Statement q(ctx.db, sql);
      q.bind(1, id);
      q.bind(2, t);
      if (std::string(sql).rfind("INSERT", 0) == 0) q.bind(3, now);
      q.exec();
    }
    updated.push_back(field);
    return std::nullopt;
  };
  if (args.contains("set_tags")) {
    SQLite::Statement q(ctx.db, "DELETE FROM episode_tags WHERE episode_id = ?");
    q.bind(1, id);
    // A bad tag in set_tags is found after this delete; the call's savepoint then rolls the delete back.
    q.exec();
    if (auto e = tag_op("set_tags", "INSERT OR IGNORE INTO episode_tags(episode_id, tag, created_at_us) VALUES (?,?,?)")) return *e;
  }
  if (auto e = tag_op("add_tags", "INSERT OR IGNORE INTO episode_tags(episode_id, tag, created_at_us) VALUES (?,?,?)")) return *e;
  if (auto e = tag_op("remove_tags", "DELETE FROM episode_tags WHERE episode_id = ? AND tag = ?")) return *e;
  if (updated.empty())
    return make_error(error_code::invalid_argument,
                      "arguments: nothing to update; give task_description, metadata, set_tags, add_tags or remove_tags");
  return json{{"success", true},
              {"episode_id", id},
              {"updated_fields", updated},
              {"tags", episode_tags(ctx.db, id)},
              {"message", "Episode updated"}};
}

// Cursor for list_episodes: "<start_time_us>:<episode_id>" of the last row of the previous page.
bool parse_cursor(const std::string& cursor, int64_t& start_us, std::string& id) {
  auto colon = cursor.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 20) return false;
  try {
    size_t used = 0;
    start_us = std::stoll(cursor.substr(0, colon), &used);
    if (used != colon) return false;
  } catch (...) {
    return false;
  }
  id = cursor.substr(colon + 1);
  return id.size() == 36;
}

result<json> list_episodes(command_context& ctx, const json& args) {
  std::string where = "WHERE 1=1";
  std::vector<std::function<void(SQLite::Statement&, int&)>> binds;
  auto add_text = [&](const char* clause, std::string value) {
    where += clause;
    binds.push_back([value](SQLite::Statement& q, int& i) { q.bind(++i, value); });
  };
  auto add_int = [&](const char* clause, int64_t value) {
    where += clause;
    binds.push_back([value](SQLite::Statement& q, int& i) { q.bind(++i, static_cast<int64_t>(value)); });
  };
  if (args.contains("domain")) add_text(" AND e.domain = ?", args["domain"]);
  if (args.contains("task_type")) add_text(" AND e.task_type = ?", args["task_type"]);
  if (args.contains("status")) where += args["status"] == "completed" ? " AND e.end_time_us IS NOT NULL" : " AND e.end_time_us IS NULL";
  if (args.contains("outcome_type")) add_text(" AND e.outcome_type = ?", args["outcome_type"]);
  if (args.contains("tag")) {
    auto tag = normalize_tag(args["tag"].get<std::string>());
    if (!tag)
      return make_error(error_code::invalid_argument,
                        "arguments.tag: invalid tag; tags are 2-100 characters of letters, digits, '-' and '_'");
    add_text(" AND EXISTS (SELECT 1 FROM episode_tags t WHERE t.episode_id = e.episode_id AND t.tag = ?)", *tag);
  }
  if (args.contains("since")) add_int(" AND e.start_time_us >= ?", *parse_rfc3339_us(args["since"].get<std::string>()));
  if (args.contains("until")) add_int(" AND e.start_time_us < ?", *parse_rfc3339_us(args["until"].get<std::string>()));
  bool newest = args.value("sort", "newest") == "newest";
  if (args.contains("cursor")) {
    int64_t start_us = 0;
    std::string last_id;
    if (!parse_cursor(args["cursor"].get<std::string>(), start_us, last_id))
      return make_error(error_code::invalid_argument, "arguments.cursor: not a cursor this server issued");
    where += newest ? " AND (e.start_time_us, e.episode_id) < (?, ?)" : " AND (e.start_time_us, e.episode_id) > (?, ?)";
    binds.push_back([start_us, last_id](SQLite::Statement& q, int& i) {
      q.bind(++i, static_cast<int64_t>(start_us));
      q.bind(++i, last_id);
    });
  }
  auto limit = args.value("limit", int64_t{20});
  std::string sql = std::string("SELECT ") + summary_columns + " FROM episodes e " + where + " ORDER BY e.start_time_us " +
                    (newest ? "DESC" : "ASC") + ", e.episode_id " + (newest ? "DESC" : "ASC") + " LIMIT ?";
  SQLite::Statement q(ctx.db, sql);
  int i = 0;
  for (auto& b : binds) b(q, i);
  q.bind(++i, static_cast<int64_t>(limit + 1));
  json episodes = json::array();
  std::string next;
  int64_t last_start = 0;
  while (q.executeStep()) {
    if (static_cast<int64_t>(episodes.size()) == limit) {
      auto& last = episodes.back();
      next = std::to_string(last_start) + ":" + last["episode_id"].get<std::string>();
      break;
    }
    last_start = q.getColumn(7).getInt64();
    auto s = summary_from_row(q);
    s["tags"] = episode_tags(ctx.db, s["episode_id"].get<std::string>());
    episodes.push_back(std::move(s));
  }
  json out = {{"episodes", episodes}, {"count", episodes.size()}};
  out["next_cursor"] = next.empty() ? json(nullptr) : json(next);
  return out;
}

}  // namespace

command_list episode_commands() {
  return {{"create_episode", create_episode},
          {"add_episode_step", add_episode_step},
          {"get_episode", get_episode},
          {"update_episode", update_episode},
          {"delete_episode", delete_episode},
          {"get_episode_timeline", get_episode_timeline},
          {"bulk_episodes", bulk_episodes},
          {"list_episodes", list_episodes}};
}

}  // namespace memory_mcp
