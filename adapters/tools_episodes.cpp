// Catalog entries of the episode, tag and relationship tools: names and argument names follow the reference
// implementation so its users can switch; limits come from adapters/limits.hpp.
#include "adapters/limits.hpp"
#include "adapters/schema_helpers.hpp"
#include "adapters/tool_catalog.hpp"

namespace memory_mcp {

using nlohmann::json;

using namespace schema;

namespace {

json metadata_schema() {
  return {{"type", "object"},
          {"maxProperties", limits::max_metadata_keys},
          {"additionalProperties", {{"type", "string"}, {"maxLength", limits::max_metadata_value_chars}}}};
}

json summary_schema() {
  return out({{"episode_id", {{"type", "string"}}},
              {"task_type", {{"type", "string"}}},
              {"task_description", {{"type", "string"}}},
              {"domain", {{"type", "string"}}},
              {"status", str_enum({"in_progress", "completed"})},
              {"outcome_type", nullable("string")},
              {"reward_total", nullable("number")},
              {"start_time", {{"type", "string"}}},
              {"end_time", nullable("string")},
              {"step_count", {{"type", "integer"}}},
              {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}}},
             {"episode_id", "task_type", "task_description", "status", "start_time", "step_count"});
}

std::vector<tool_def> lifecycle_tools() {
  std::vector<tool_def> v;
  v.push_back(make(
      "create_episode", "Create episode",
      "Start recording a task as an episode. Returns its episode_id; record each tool call with add_episode_step and "
      "finish with complete_episode. tags become context tags (use add_episode_tags for episode tags).",
      object_schema({{"task_description", str(limits::max_description_chars)},
                     {"domain", str(limits::max_name_chars)},
                     {"task_type", str_enum(task_types)},
                     {"language", str(limits::max_name_chars, 0)},
                     {"framework", str(limits::max_name_chars, 0)},
                     {"complexity", str_enum({"simple", "moderate", "complex"})},
                     {"tags", tag_list()},
                     {"metadata", metadata_schema()}},
                    {"task_description", "domain", "task_type"}),
      out({{"success", {{"type", "boolean"}}},
           {"episode_id", {{"type", "string"}}},
           {"task_description", {{"type", "string"}}},
           {"domain", {{"type", "string"}}},
           {"task_type", {{"type", "string"}}},
           {"start_time", {{"type", "string"}}},
           {"message", {{"type", "string"}}}},
          {"success", "episode_id"}),
      false, false, false));
  v.push_back(make(
      "add_episode_step", "Add episode step",
      "Record one step (a tool call and its result) of an in-progress episode. The step is durable when this returns. "
      "Errors: unknown or completed episode, duplicate step_number, more than 1000 steps, oversized fields.",
      object_schema({{"episode_id", uuid()},
                     {"step_number", int_range(1, static_cast<int64_t>(limits::max_steps_per_episode))},
                     {"tool", str(limits::max_tool_chars)},
                     {"action", str(limits::max_action_chars)},
                     {"parameters", any_object()},
                     {"result", nested_object({{"type", str_enum({"success", "error", "timeout"})},
                                               {"output", str(limits::max_result_chars, 0)},
                                               {"message", str(limits::max_result_chars, 0)}})},
                     {"latency_ms", int_range(0, 86400000)},
                     {"tokens_used", int_range(0, 100000000)},
                     {"metadata", metadata_schema()}},
                    {"episode_id", "step_number", "tool", "action"}),
      out({{"success", {{"type", "boolean"}}},
           {"episode_id", {{"type", "string"}}},
           {"step_number", {{"type", "integer"}}},
           {"step_count", {{"type", "integer"}}},
           {"message", {{"type", "string"}}}},
          {"success", "episode_id", "step_number"}),
      false, false, false));
  v.push_back(make(
      "complete_episode", "Complete episode",
      "Finish an episode with its outcome. Works on any stored in-progress episode, also after restarts. Computes "
      "and stores the reward, a reflection and the episode's quality, and records it as evidence for the patterns "
      "it shows (tool sequences, decisions, error recoveries, context approaches, heuristics), merged with earlier "
      "episodes'; all of it is visible to the next request. verdict is required for success and partial_success, "
      "reason for failure and abstained.",
      object_schema({{"episode_id", uuid()},
                     {"outcome_type", str_enum({"success", "partial_success", "failure", "abstained"})},
                     {"verdict", str(limits::max_outcome_text_chars, 0)},
                     {"artifacts", str_list(limits::max_outcome_items, limits::max_outcome_item_chars)},
                     {"completed", str_list(limits::max_outcome_items, limits::max_outcome_item_chars)},
                     {"failed", str_list(limits::max_outcome_items, limits::max_outcome_item_chars)},
                     {"reason", str(limits::max_outcome_text_chars, 0)},
                     {"error_details", str(limits::max_outcome_text_chars, 0)},
                     {"stopped_at_step", int_range(0, static_cast<int64_t>(limits::max_steps_per_episode))},
                     {"infeasibility_signals", str_list(limits::max_outcome_items, limits::max_outcome_item_chars)}},
                    {"episode_id", "outcome_type"}),
      out({{"success", {{"type", "boolean"}}},
           {"episode_id", {{"type", "string"}}},
           {"outcome_type", {{"type", "string"}}},
           {"end_time", {{"type", "string"}}},
           {"reward", any_object()},
           {"reflection", any_object()},
           {"quality", {{"type", "number"}}},
           {"learning", any_object()},
           {"patterns", {{"type", "array"}, {"items", {{"type", "string"}}}}},
           {"message", {{"type", "string"}}}},
          {"success", "episode_id", "outcome_type", "reward", "reflection", "learning"}),
      false, false, false));
  v.back().target = tool_target::pattern_learner;
  v.push_back(make("get_episode", "Get episode",
                   "Read one episode with its steps, outcome, reward, reflection and tags. fields projects it to the "
                   "listed (dotted) paths, e.g. [\"outcome\", \"context.domain\", \"steps\"].",
                   object_schema({{"episode_id", uuid()},
                                  {"fields", {{"type", "array"}, {"maxItems", 20},
                                              {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 100},
                                                         {"pattern", "^[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*$"}}}}}},
                                 {"episode_id"}),
                   out({{"success", {{"type", "boolean"}}}, {"episode", any_object()}}, {"success", "episode"}), true));
  v.push_back(make("update_episode", "Update episode",
                   "Change an episode's description (description or task_description), merge metadata (a null value removes a key), or change its "
                   "tags (set_tags replaces; add_tags/remove_tags adjust).",
                   object_schema({{"episode_id", uuid()},
                                  {"description", str(limits::max_description_chars)},
                                  {"task_description", str(limits::max_description_chars)},
                                  {"metadata", {{"type", "object"},
                                                {"maxProperties", limits::max_metadata_keys},
                                                {"additionalProperties",
                                                 nullable({{"type", "string"}, {"maxLength", limits::max_metadata_value_chars}})}}},
                                  {"add_tags", tag_list()},
                                  {"remove_tags", tag_list()},
                                  {"set_tags", tag_list()}},
                                 {"episode_id"}),
                   out({{"success", {{"type", "boolean"}}},
                        {"episode_id", {{"type", "string"}}},
                        {"updated_fields", {{"type", "array"}}},
                        {"tags", {{"type", "array"}}},
                        {"message", {{"type", "string"}}}},
                       {"success", "episode_id", "updated_fields"}),
                   false));
  v.push_back(make("delete_episode", "Delete episode",
                   "Delete an episode with its steps, tags and relationships, permanently. Requires confirm: true.",
                   object_schema({{"episode_id", uuid()}, {"confirm", {{"type", "boolean"}}}}, {"episode_id", "confirm"}),
                   out({{"success", {{"type", "boolean"}}},
                        {"episode_id", {{"type", "string"}}},
                        {"patterns_updated", {{"type", "integer"}}},
                        {"message", {{"type", "string"}}}},
                       {"success", "episode_id"}),
                   false, true, true));
  v.push_back(make("get_episode_timeline", "Episode timeline",
                   "The steps of an episode in order with result types and latencies, plus duration and outcome.",
                   object_schema({{"episode_id", uuid()}}, {"episode_id"}),
                   out({{"success", {{"type", "boolean"}}},
                        {"episode_id", {{"type", "string"}}},
                        {"start_time", {{"type", "string"}}},
                        {"end_time", nullable("string")},
                        {"duration_seconds", nullable("number")},
                        {"step_count", {{"type", "integer"}}},
                        {"timeline", {{"type", "array"}}},
                        {"outcome", nullable("string")}},
                       {"success", "episode_id", "timeline"}),
                   true));
  v.push_back(make("bulk_episodes", "Get several episodes",
                   "Read up to 100 episodes by id (an array, or a comma-separated string). Missing ids are listed, "
                   "not errors.",
                   object_schema({{"episode_ids",
                                   {{"anyOf",
                                     {{{"type", "array"}, {"maxItems", 100}, {"items", {{"type", "string"}, {"maxLength", 64}}}},
                                      {{"type", "string"}, {"maxLength", 4000}}}}}}},
                                 {"episode_ids"}),
                   out({{"requested_count", {{"type", "integer"}}},
                        {"found_count", {{"type", "integer"}}},
                        {"missing_count", {{"type", "integer"}}},
                        {"missing_ids", {{"type", "array"}}},
                        {"episodes", {{"type", "array"}}}},
                       {"requested_count", "found_count", "missing_count", "episodes"}),
                   true));
  v.push_back(make("list_episodes", "List episodes",
                   "List episode summaries with filters (domain, task_type, status, outcome_type, tag, since/until on "
                   "start time), newest or oldest first, paginated with next_cursor.",
                   object_schema({{"domain", str(limits::max_name_chars)},
                                  {"task_type", str_enum(task_types)},
                                  {"status", str_enum({"in_progress", "completed"})},
                                  {"outcome_type", str_enum({"success", "partial_success", "failure", "abstained"})},
                                  {"tag", str(200)},
                                  {"since", {{"type", "string"}, {"format", "date-time"}}},
                                  {"until", {{"type", "string"}, {"format", "date-time"}}},
                                  {"sort", str_enum({"newest", "oldest"})},
                                  {"limit", int_range(1, static_cast<int64_t>(limits::max_list_page))},
                                  {"cursor", str(200)}}),
                   out({{"episodes", {{"type", "array"}, {"items", summary_schema()}}},
                        {"count", {{"type", "integer"}}},
                        {"next_cursor", nullable("string")}},
                       {"episodes", "count", "next_cursor"}),
                   true));
  return v;
}

std::vector<tool_def> query_tools() {
  std::vector<tool_def> v;
  v.push_back(make(
      "query_memory", "Query memory",
      "Find the completed episodes most relevant to a task, best first. Ranking blends full-text relevance of the "
      "query (BM25 over description, steps, outcome and reflection; any term may match, prefixes too), context "
      "match (domain, task_type, language, framework, tags), outcome and reward, and recency; see docs/LEARNING.md. "
      "domain ranks unless filter_by_domain is true. Returns summaries (full episodes with full: true), the learned "
      "patterns that fit the task (at most pattern_limit, default 5) and insights.",
      object_schema({{"query", str(limits::max_description_chars, 0)},
                     {"domain", str(limits::max_name_chars)},
                     {"filter_by_domain", {{"type", "boolean"}}},
                     {"task_type", str_enum(task_types)},
                     {"language", str(limits::max_name_chars)},
                     {"framework", str(limits::max_name_chars)},
                     {"tags", tag_list()},
                     {"limit", int_range(1, 100)},
                     {"sort", str_enum({"relevance", "newest", "oldest", "reward"})},
                     {"full", {{"type", "boolean"}}},
                     {"pattern_limit", int_range(0, 50)}},
                    {"query"}),
      out({{"episodes", {{"type", "array"}}},
           {"patterns", {{"type", "array"}}},
           {"insights", any_object()},
           {"query_terms", {{"type", "array"}}},
           {"message", {{"type", "string"}}}},
          {"episodes", "patterns", "insights"}),
      true));
  v.back().target = tool_target::pattern_learner;
  return v;
}

std::vector<tool_def> tag_tools() {
  json change_out = out({{"success", {{"type", "boolean"}}},
                         {"episode_id", {{"type", "string"}}},
                         {"current_tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                         {"message", {{"type", "string"}}}},
                        {"success", "episode_id", "current_tags"});
  json change_in = object_schema({{"episode_id", uuid()}, {"tags", tag_list()}}, {"episode_id", "tags"});
  const std::string rule = " Tags are trimmed and lower-cased; 2-100 characters of letters, digits, '-' and '_'.";
  std::vector<tool_def> v;
  v.push_back(make("add_episode_tags", "Add episode tags", "Add tags to an episode (existing ones are kept)." + rule,
                   change_in, change_out, false));
  v.push_back(make("remove_episode_tags", "Remove episode tags", "Remove tags from an episode." + rule, change_in,
                   change_out, false));
  v.push_back(make("set_episode_tags", "Set episode tags", "Replace all tags of an episode ([] clears them)." + rule,
                   change_in, change_out, false));
  v.push_back(make("get_episode_tags", "Get episode tags", "The tags of an episode.",
                   object_schema({{"episode_id", uuid()}}, {"episode_id"}),
                   out({{"success", {{"type", "boolean"}}}, {"episode_id", {{"type", "string"}}}, {"tags", {{"type", "array"}}}},
                       {"success", "episode_id", "tags"}),
                   true));
  v.push_back(make("search_episodes_by_tags", "Search episodes by tags",
                   "Episodes carrying any (or, with require_all, all) of the tags, newest first.",
                   object_schema({{"tags", tag_list()},
                                  {"require_all", {{"type", "boolean"}}},
                                  {"limit", int_range(1, static_cast<int64_t>(limits::max_tag_search_results))}},
                                 {"tags"}),
                   out({{"success", {{"type", "boolean"}}},
                        {"count", {{"type", "integer"}}},
                        {"episodes", {{"type", "array"}, {"items", summary_schema()}}},
                        {"search_criteria", any_object()}},
                       {"success", "count", "episodes"}),
                   true));
  return v;
}

std::vector<tool_def> relationship_tools() {
  json pair_in = object_schema({{"from_episode_id", uuid()}, {"to_episode_id", uuid()}, {"relationship_type", str_enum(relationship_types)}},
                               {"from_episode_id", "to_episode_id", "relationship_type"});
  std::vector<tool_def> v;
  v.push_back(make("add_episode_relationship", "Relate two episodes",
                   "Add a typed, directed relationship. Self-relations and duplicates are refused; depends_on, "
                   "parent_child and blocks must stay acyclic (a cycle is refused with its path).",
                   object_schema({{"from_episode_id", uuid()},
                                  {"to_episode_id", uuid()},
                                  {"relationship_type", str_enum(relationship_types)},
                                  {"reason", str(limits::max_relationship_reason_chars, 0)},
                                  {"priority", int_range(1, 10)},
                                  {"created_by", str(limits::max_name_chars, 0)}},
                                 {"from_episode_id", "to_episode_id", "relationship_type"}),
                   out({{"success", {{"type", "boolean"}}}, {"relationship_id", {{"type", "string"}}}}, {"success", "relationship_id"}),
                   false, false, false));
  v.push_back(make("remove_episode_relationship", "Remove relationship", "Remove a relationship by its id.",
                   object_schema({{"relationship_id", uuid()}}, {"relationship_id"}),
                   out({{"success", {{"type", "boolean"}}}, {"relationship_id", {{"type", "string"}}}}, {"success", "relationship_id"}),
                   false, true, true));
  v.push_back(make("get_episode_relationships", "Episode relationships",
                   "Relationships of an episode: outgoing, incoming or both, optionally of one type.",
                   object_schema({{"episode_id", uuid()},
                                  {"direction", str_enum({"outgoing", "incoming", "both"})},
                                  {"relationship_type", str_enum(relationship_types)}},
                                 {"episode_id"}),
                   out({{"success", {{"type", "boolean"}}},
                        {"outgoing", {{"type", "array"}}},
                        {"incoming", {{"type", "array"}}},
                        {"total_count", {{"type", "integer"}}}},
                       {"success", "outgoing", "incoming", "total_count"}),
                   true));
  v.push_back(make("find_related_episodes", "Find related episodes",
                   "Episodes directly related to one episode, with the relationship and its direction.",
                   object_schema({{"episode_id", uuid()},
                                  {"relationship_type", str_enum(relationship_types)},
                                  {"limit", int_range(1, static_cast<int64_t>(limits::max_related))},
                                  {"include_metadata", {{"type", "boolean"}}}},
                                 {"episode_id"}),
                   out({{"success", {{"type", "boolean"}}}, {"related_episodes", {{"type", "array"}}}, {"count", {{"type", "integer"}}}},
                       {"success", "related_episodes", "count"}),
                   true));
  v.push_back(make("check_relationship_exists", "Check relationship", "Whether a relationship of the type exists.",
                   pair_in, out({{"success", {{"type", "boolean"}}}, {"exists", {{"type", "boolean"}}}}, {"success", "exists"}),
                   true));
  v.push_back(make("get_dependency_graph", "Dependency graph",
                   "The graph of episodes reachable from one episode through relationships in either direction, up "
                   "to depth hops (1-10), as JSON or also as Graphviz dot.",
                   object_schema({{"episode_id", uuid()},
                                  {"depth", int_range(1, static_cast<int64_t>(limits::max_graph_depth))},
                                  {"format", str_enum({"json", "dot"})}},
                                 {"episode_id"}),
                   out({{"success", {{"type", "boolean"}}},
                        {"root", {{"type", "string"}}},
                        {"node_count", {{"type", "integer"}}},
                        {"edge_count", {{"type", "integer"}}},
                        {"nodes", {{"type", "array"}}},
                        {"edges", {{"type", "array"}}},
                        {"dot", {{"type", "string"}}}},
                       {"success", "root", "nodes", "edges"}),
                   true));
  v.push_back(make("validate_no_cycles", "Validate relationship",
                   "Whether adding the relationship would create a cycle (only depends_on, parent_child and blocks "
                   "must be acyclic).",
                   pair_in,
                   out({{"success", {{"type", "boolean"}}},
                        {"would_create_cycle", {{"type", "boolean"}}},
                        {"is_valid", {{"type", "boolean"}}},
                        {"cycle_path", nullable("array")}},
                       {"success", "would_create_cycle", "is_valid"}),
                   true));
  v.push_back(make("get_topological_order", "Topological order",
                   "Order episodes so that dependencies come first (B before A when A depends_on B; parent before "
                   "child; blocker first; followed before follower).",
                   object_schema({{"episode_ids", {{"type", "array"}, {"minItems", 1}, {"maxItems", limits::max_topological_ids}, {"items", uuid()}}}},
                                 {"episode_ids"}),
                   out({{"success", {{"type", "boolean"}}},
                        {"order", {{"type", "array"}}},
                        {"count", {{"type", "integer"}}},
                        {"has_cycles", {{"type", "boolean"}}}},
                       {"success", "order", "has_cycles"}),
                   true));
  return v;
}

}  // namespace

std::vector<tool_def> episode_tools() {
  std::vector<tool_def> all;
  for (auto&& group : {lifecycle_tools(), query_tools(), tag_tools(), relationship_tools()})
    for (auto& t : group) all.push_back(t);
  return all;
}

}  // namespace memory_mcp
