// Storage commands for relationships between episodes. Seven types; depends_on, parent_child and blocks must
// stay acyclic (per type). Ordering semantics used by get_topological_order ("X before Y"):
//   A depends_on B -> B before A;  P parent_child C -> P before C;  A blocks B -> A before B;
//   A follows B -> B before A;  related_to, duplicates, references impose no order.
#include <SQLiteCpp/Statement.h>

#include <deque>
#include <set>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"
#include "core/graph.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

result<json> add_relationship(command_context& ctx, const json& args) {
  auto from = args["from_episode_id"].get<std::string>();
  auto to = args["to_episode_id"].get<std::string>();
  auto type = args["relationship_type"].get<std::string>();
  if (from == to)
    return make_error(error_code::invalid_argument, "arguments.to_episode_id: an episode cannot be related to itself");
  if (!probe_episode(ctx.db, from).exists) return make_error(error_code::not_found, "from_episode_id: no episode with id " + from);
  if (!probe_episode(ctx.db, to).exists) return make_error(error_code::not_found, "to_episode_id: no episode with id " + to);
  if (auto existing = existing_relationship(ctx.db, from, to, type))
    return make_error(error_code::conflict, "relationship " + type + " from " + from + " to " + to +
                                                " already exists (id " + *existing + ")");
  if (auto cycle = cycle_if_added(ctx.db, from, to, type))
    return make_error(error_code::conflict, "relationship_type: adding " + type + " from " + from + " to " + to +
                                                " would create a cycle: " + join(*cycle, " -> "));
  auto id = new_uuid();
  SQLite::Statement q(ctx.db,
                      "INSERT INTO episode_relationships(relationship_id, from_episode_id, to_episode_id, "
                      "relationship_type, reason, priority, created_by, created_at_us) VALUES (?,?,?,?,?,?,?,?)");
  q.bind(1, id);
  q.bind(2, from);
  q.bind(3, to);
  q.bind(4, type);
  if (args.contains("reason")) q.bind(5, args["reason"].get<std::string>());
  else q.bind(5);
  if (args.contains("priority")) q.bind(6, static_cast<int64_t>(args["priority"].get<int64_t>()));
  else q.bind(6);
  if (args.contains("created_by")) q.bind(7, args["created_by"].get<std::string>());
  else q.bind(7);
  q.bind(8, static_cast<int64_t>(wall_clock_us()));
  q.exec();
  return json{{"success", true},
              {"relationship_id", id},
              {"from_episode_id", from},
              {"to_episode_id", to},
              {"relationship_type", type},
              {"message", "Relationship added"}};
}

result<json> remove_relationship(command_context& ctx, const json& args) {
  auto id = args["relationship_id"].get<std::string>();
  SQLite::Statement q(ctx.db, "DELETE FROM episode_relationships WHERE relationship_id = ?");
  q.bind(1, id);
  if (q.exec() == 0) return make_error(error_code::not_found, "relationship_id: no relationship with id " + id);
  return json{{"success", true}, {"relationship_id", id}, {"message", "Relationship removed"}};
}

json edges_where(SQLite::Database& db, const std::string& column, const std::string& id, const json& type) {
  std::string sql = std::string("SELECT ") + edge_columns + " FROM episode_relationships WHERE " + column + " = ?" +
                    (type.is_string() ? " AND relationship_type = ?" : "") + " ORDER BY created_at_us, relationship_id";
  SQLite::Statement q(db, sql);
  q.bind(1, id);
  if (type.is_string()) q.bind(2, type.get<std::string>());
  json out = json::array();
  while (q.executeStep()) out.push_back(edge_from_row(q));
  return out;
}

result<json> get_relationships(command_context& ctx, const json& args) {
  auto id = args["episode_id"].get<std::string>();
  if (!probe_episode(ctx.db, id).exists) return episode_not_found(id);
  auto direction = args.value("direction", "both");
  json type = args.contains("relationship_type") ? args["relationship_type"] : json(nullptr);
  json outgoing = direction != "incoming" ? edges_where(ctx.db, "from_episode_id", id, type) : json::array();
  json incoming = direction != "outgoing" ? edges_where(ctx.db, "to_episode_id", id, type) : json::array();
  auto total = outgoing.size() + incoming.size();
  return json{{"success", true},
              {"episode_id", id},
              {"outgoing", outgoing},
              {"incoming", incoming},
              {"total_count", total},
              {"message", std::to_string(total) + " relationship(s)"}};
}

json episode_brief(SQLite::Database& db, const std::string& id) {
  SQLite::Statement q(db, "SELECT task_description, task_type, end_time_us FROM episodes WHERE episode_id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return nullptr;
  return {{"id", id},
          {"task_description", q.getColumn(0).getString()},
          {"task_type", q.getColumn(1).getString()},
          {"is_complete", !q.getColumn(2).isNull()}};
}

result<json> find_related(command_context& ctx, const json& args) {
  auto id = args["episode_id"].get<std::string>();
  if (!probe_episode(ctx.db, id).exists) return episode_not_found(id);
  json type = args.contains("relationship_type") ? args["relationship_type"] : json(nullptr);
  auto limit = static_cast<size_t>(args.value("limit", int64_t{10}));
  bool with_meta = args.value("include_metadata", false);
  json related = json::array();
  for (auto [column, direction] : {std::pair{"from_episode_id", "outgoing"}, std::pair{"to_episode_id", "incoming"}}) {
    for (auto& edge : edges_where(ctx.db, column, id, type)) {
      if (related.size() >= limit) break;
      auto other = direction == std::string("outgoing") ? edge["to"].get<std::string>() : edge["from"].get<std::string>();
      auto brief = episode_brief(ctx.db, other);
      json item = {{"episode_id", other},
                   {"task_description", brief["task_description"]},
                   {"task_type", brief["task_type"]},
                   {"relationship_type", edge["relationship_type"]},
                   {"direction", direction},
                   {"relationship_id", edge["id"]}};
      if (with_meta) {
        item["reason"] = edge["reason"];
        item["priority"] = edge["priority"];
        item["created_by"] = edge["created_by"];
        item["created_at"] = edge["created_at"];
      }
      related.push_back(std::move(item));
    }
  }
  return json{{"success", true},
              {"episode_id", id},
              {"related_episodes", related},
              {"count", related.size()},
              {"message", std::to_string(related.size()) + " related episode(s)"}};
}

result<json> check_exists(command_context& ctx, const json& args) {
  auto from = args["from_episode_id"].get<std::string>();
  auto to = args["to_episode_id"].get<std::string>();
  auto type = args["relationship_type"].get<std::string>();
  auto existing = existing_relationship(ctx.db, from, to, type);
  bool exists = existing.has_value();
  json out = {{"success", true},
              {"exists", exists},
              {"from_episode_id", from},
              {"to_episode_id", to},
              {"relationship_type", type},
              {"message", exists ? "Relationship exists" : "No such relationship"}};
  out["relationship_id"] = exists ? json(*existing) : json(nullptr);
  return out;
}

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : utf8_prefix(s, 60)) {
    if (c == '"' || c == '\\') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

result<json> dependency_graph(command_context& ctx, const json& args) {
  auto root = args["episode_id"].get<std::string>();
  if (!probe_episode(ctx.db, root).exists) return episode_not_found(root);
  auto depth = args.value("depth", int64_t{2});
  std::set<std::string> seen{root};
  std::set<std::string> edge_ids;
  json nodes = json::array({episode_brief(ctx.db, root)});
  json edges = json::array();
  std::deque<std::pair<std::string, int64_t>> queue{{root, 0}};
  while (!queue.empty()) {
    auto [id, d] = queue.front();
    queue.pop_front();
    if (d >= depth) continue;
    for (auto column : {"from_episode_id", "to_episode_id"}) {
      for (auto& e : edges_where(ctx.db, column, id, nullptr)) {
        if (edge_ids.insert(e["id"].get<std::string>()).second)
          edges.push_back({{"id", e["id"]}, {"from", e["from"]}, {"to", e["to"]}, {"relationship_type", e["relationship_type"]}});
        for (auto end : {e["from"].get<std::string>(), e["to"].get<std::string>()})
          if (seen.insert(end).second) {
            nodes.push_back(episode_brief(ctx.db, end));
            queue.push_back({end, d + 1});
          }
      }
    }
  }
  json out = {{"success", true},
              {"root", root},
              {"depth", depth},
              {"node_count", nodes.size()},
              {"edge_count", edges.size()},
              {"nodes", nodes},
              {"edges", edges},
              {"message", std::to_string(nodes.size()) + " node(s), " + std::to_string(edges.size()) + " edge(s)"}};
  if (args.value("format", "json") == "dot") {
    std::string dot = "digraph episodes {\n";
    for (auto& n : nodes)
      dot += "  \"" + n["id"].get<std::string>() + "\" [label=\"" + dot_escape(n["task_description"].get<std::string>()) + "\"];\n";
    for (auto& e : edges)
      dot += "  \"" + e["from"].get<std::string>() + "\" -> \"" + e["to"].get<std::string>() + "\" [label=\"" +
             e["relationship_type"].get<std::string>() + "\"];\n";
    dot += "}\n";
    out["dot"] = dot;
  }
  return out;
}

// Answers whether add_episode_relationship would accept the relationship, and why not: a cycle (with its path),
// a self-relation, or a duplicate. Unknown episodes are not_found errors, as they are for adding.
result<json> validate_no_cycles(command_context& ctx, const json& args) {
  auto from = args["from_episode_id"].get<std::string>();
  auto to = args["to_episode_id"].get<std::string>();
  auto type = args["relationship_type"].get<std::string>();
  if (!probe_episode(ctx.db, from).exists) return make_error(error_code::not_found, "from_episode_id: no episode with id " + from);
  if (!probe_episode(ctx.db, to).exists) return make_error(error_code::not_found, "to_episode_id: no episode with id " + to);
  std::optional<std::vector<std::string>> cycle;
  std::string problem;
  if (from == to) {
    problem = "an episode cannot be related to itself";
    if (must_be_acyclic(type)) cycle = std::vector<std::string>{from, to};
  } else {
    if (existing_relationship(ctx.db, from, to, type)) problem = "this relationship already exists";
    cycle = cycle_if_added(ctx.db, from, to, type);
    if (cycle) problem = "adding this relationship would create a cycle";
  }
  json out = {{"success", true},
              {"would_create_cycle", cycle.has_value()},
              {"is_valid", problem.empty()},
              {"acyclic_required", must_be_acyclic(type)},
              {"message", problem.empty() ? "The relationship can be added" : problem}};
  out["cycle_path"] = cycle ? json(*cycle) : json(nullptr);
  return out;
}

result<json> topological(command_context& ctx, const json& args) {
  std::vector<std::string> ids;
  for (auto& v : args["episode_ids"]) {
    auto id = v.get<std::string>();
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  for (auto& id : ids)
    if (!probe_episode(ctx.db, id).exists) return episode_not_found(id);
  adjacency before;  // a -> b: a comes before b
  SQLite::Statement q(ctx.db, "SELECT from_episode_id, to_episode_id, relationship_type FROM episode_relationships");
  std::set<std::string> in(ids.begin(), ids.end());
  while (q.executeStep()) {
    auto a = q.getColumn(0).getString(), b = q.getColumn(1).getString(), t = q.getColumn(2).getString();
    if (!in.count(a) || !in.count(b)) continue;
    if (t == "depends_on" || t == "follows") before[b].push_back(a);
    else if (t == "parent_child" || t == "blocks") before[a].push_back(b);
  }
  bool has_cycle = false;
  auto order = topological_order(ids, before, has_cycle);
  json list = json::array();
  for (size_t i = 0; i < order.size(); ++i) {
    auto brief = episode_brief(ctx.db, order[i]);
    list.push_back({{"episode_id", order[i]}, {"task_description", brief["task_description"]}, {"position", i + 1}});
  }
  return json{{"success", true},
              {"order", list},
              {"count", list.size()},
              {"has_cycles", has_cycle},
              {"message", has_cycle ? "Some episodes are in a cycle; they are listed last in input order"
                                    : "Episodes in dependency order"}};
}

}  // namespace

command_list relationship_commands() {
  return {{"add_episode_relationship", add_relationship},
          {"remove_episode_relationship", remove_relationship},
          {"get_episode_relationships", get_relationships},
          {"find_related_episodes", find_related},
          {"check_relationship_exists", check_exists},
          {"get_dependency_graph", dependency_graph},
          {"validate_no_cycles", validate_no_cycles},
          {"get_topological_order", topological}};
}

}  // namespace memory_mcp
