// MCP resources backed by storage: every episode is the resource memory://episodes/{id} (application/json).
// Reached through the router's resources/list and resources/read, not through tools/call.
#include <SQLiteCpp/Statement.h>

#include "adapters/episode_repo.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

constexpr const char* uri_prefix = "memory://episodes/";
constexpr int64_t page_size = 50;

result<json> list_resources(command_context& ctx, const json& params) {
  std::string sql = "SELECT episode_id, task_description, start_time_us FROM episodes";
  int64_t after_us = 0;
  std::string after_id;
  if (params.is_object() && params.contains("cursor") && !params["cursor"].is_string() && !params["cursor"].is_null())
    return make_error(error_code::invalid_argument, "params.cursor: must be a string this server issued");
  bool paged = params.is_object() && params.contains("cursor") && params["cursor"].is_string();
  if (paged) {
    auto c = params["cursor"].get<std::string>();
    auto colon = c.find(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument("cursor");
      size_t used = 0;
      after_us = std::stoll(c.substr(0, colon), &used);
      after_id = c.substr(colon + 1);
      if (used != colon || after_id.size() != 36) throw std::invalid_argument("cursor");
    } catch (...) {
      return make_error(error_code::invalid_argument, "params.cursor: not a cursor this server issued");
    }
    sql += " WHERE (start_time_us, episode_id) < (?, ?)";
  }
  sql += " ORDER BY start_time_us DESC, episode_id DESC LIMIT ?";
  SQLite::Statement q(ctx.db, sql);
  int i = 0;
  if (paged) {
    q.bind(++i, static_cast<int64_t>(after_us));
    q.bind(++i, after_id);
  }
  q.bind(++i, page_size + 1);
  json resources = json::array();
  std::string next;
  int64_t last_us = 0;
  std::string last_id;
  while (q.executeStep()) {
    if (static_cast<int64_t>(resources.size()) == page_size) {
      next = std::to_string(last_us) + ":" + last_id;
      break;
    }
    last_id = q.getColumn(0).getString();
    last_us = q.getColumn(2).getInt64();
    auto description = q.getColumn(1).getString();
    resources.push_back({{"uri", uri_prefix + last_id},
                         {"name", "episode " + last_id},
                         {"title", utf8_prefix(description, 120)},
                         {"mimeType", "application/json"}});
  }
  json out = {{"resources", resources}};
  if (!next.empty()) out["nextCursor"] = next;
  return out;
}

result<json> read_resource(command_context& ctx, const json& params) {
  if (!params.is_object() || !params.contains("uri") || !params["uri"].is_string())
    return make_error(error_code::invalid_argument, "params.uri: required, must be a string");
  auto uri = params["uri"].get<std::string>();
  if (uri.rfind(uri_prefix, 0) != 0) return make_error(error_code::not_found, "Resource not found: " + uri);
  auto episode = load_episode(ctx.db, uri.substr(std::char_traits<char>::length(uri_prefix)));
  if (!episode) return make_error(error_code::not_found, "Resource not found: " + uri);
  return json{{"contents", json::array({{{"uri", uri}, {"mimeType", "application/json"}, {"text", episode->dump()}}})}};
}

}  // namespace

command_list resource_commands() { return {{"resources/list", list_resources}, {"resources/read", read_resource}}; }

}  // namespace memory_mcp
