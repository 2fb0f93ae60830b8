// Storage commands for episode tags (Episode.tags; distinct from context.tags set at creation).
#include <SQLiteCpp/Statement.h>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

result<json> change_tags(command_context& ctx, const json& args, const std::string& op) {
  auto id = args["episode_id"].get<std::string>();
  if (!probe_episode(ctx.db, id).exists) return episode_not_found(id);
  auto tags = read_tags(args["tags"], "arguments.tags");
  if (!tags) return tags.err();
  auto now = static_cast<int64_t>(wall_clock_us());
  json changed = json::array();
  if (op == "set") {
    SQLite::Statement d(ctx.db, "DELETE FROM episode_tags WHERE episode_id = ?");
    d.bind(1, id);
    d.exec();
  }
  for (auto& t : tags.value()) {
    if (op == "remove") {
      SQLite::Statement q(ctx.db, "DELETE FROM episode_tags WHERE episode_id = ? AND tag = ?");
      q.bind(1, id);
      q.bind(2, t);
      if (q.exec() > 0) changed.push_back(t);
    } else {
      SQLite::Statement q(ctx.db, "INSERT OR IGNORE INTO episode_tags(episode_id, tag, created_at_us) VALUES (?,?,?)");
      q.bind(1, id);
      q.bind(2, t);
      q.bind(3, now);
      if (q.exec() > 0 || op == "set") changed.push_back(t);
    }
  }
  SQLite::Statement u(ctx.db, "UPDATE episodes SET updated_at_us = ? WHERE episode_id = ?");
  u.bind(1, now);
  u.bind(2, id);
  u.exec();
  reindex_episode(ctx.db, id, ctx.statements);  // tags are searchable context of a completed episode
  const char* key = op == "add" ? "tags_added" : op == "remove" ? "tags_removed" : "tags_set";
  return json{{"success", true},
              {"episode_id", id},
              {key, changed},
              {"current_tags", episode_tags(ctx.db, id)},
              {"message", std::to_string(changed.size()) + " tag(s) " +
                              (op == "add" ? "added" : op == "remove" ? "removed" : "set")}};
}

result<json> get_episode_tags(command_context& ctx, const json& args) {
  auto id = args["episode_id"].get<std::string>();
  if (!probe_episode(ctx.db, id).exists) return episode_not_found(id);
  auto tags = episode_tags(ctx.db, id);
  return json{{"success", true}, {"episode_id", id}, {"tags", tags}, {"message", std::to_string(tags.size()) + " tag(s)"}};
}

result<json> search_episodes_by_tags(command_context& ctx, const json& args) {
  auto tags = read_tags(args["tags"], "arguments.tags");
  if (!tags) return tags.err();
  if (tags.value().empty()) return make_error(error_code::invalid_argument, "arguments.tags: needs at least one tag");
  bool all = args.value("require_all", false);
  auto limit = args.value("limit", int64_t{100});
  std::string in;
  for (size_t i = 0; i < tags.value().size(); ++i) in += i ? ",?" : "?";
  std::string sql = std::string("SELECT ") + summary_columns +
                    " FROM episodes e JOIN (SELECT episode_id, COUNT(*) AS hits FROM episode_tags WHERE tag IN (" + in +
                    ") GROUP BY episode_id) m ON m.episode_id = e.episode_id " +
                    (all ? "WHERE m.hits = ? " : "") + "ORDER BY e.start_time_us DESC, e.episode_id DESC LIMIT ?";
  SQLite::Statement q(ctx.db, sql);
  int i = 0;
  for (auto& t : tags.value()) q.bind(++i, t);
  if (all) q.bind(++i, static_cast<int64_t>(tags.value().size()));
  q.bind(++i, static_cast<int64_t>(limit));
  json episodes = json::array();
  while (q.executeStep()) {
    auto s = summary_from_row(q);
    s["tags"] = episode_tags(ctx.db, s["episode_id"].get<std::string>());
    episodes.push_back(std::move(s));
  }
  return json{{"success", true},
              {"count", episodes.size()},
              {"episodes", episodes},
              {"search_criteria", {{"tags", tags.value()}, {"require_all", all}, {"limit", limit}}},
              {"message", std::to_string(episodes.size()) + " episode(s) found"}};
}

}  // namespace

command_list tag_commands() {
  return {{"add_episode_tags", [](command_context& c, const json& a) { return change_tags(c, a, "add"); }},
          {"remove_episode_tags", [](command_context& c, const json& a) { return change_tags(c, a, "remove"); }},
          {"set_episode_tags", [](command_context& c, const json& a) { return change_tags(c, a, "set"); }},
          {"get_episode_tags", get_episode_tags},
          {"search_episodes_by_tags", search_episodes_by_tags}};
}

}  // namespace memory_mcp
