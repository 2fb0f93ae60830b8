// The MCP tool catalog: every tool's name, schemas, annotations, rate-limit class and the actor that runs it.
// Immutable after construction; safe to share read-only between actors.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace memory_mcp {

// Which actor executes a tool.
enum class tool_target { router, episode_store, pattern_learner };

struct tool_def {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;   // JSON Schema 2020-12, validated by adapters/json_schema before dispatch
  nlohmann::json output_schema;  // structuredContent conforms to it
  bool read_only = true;         // annotations.readOnlyHint; also the rate-limit class (read vs write)
  bool destructive = false;      // annotations.destructiveHint
  bool idempotent = true;        // annotations.idempotentHint
  tool_target target = tool_target::router;
  // For a tool that writes only sometimes (readOnlyHint false): the argument whose presence makes a call a
  // write (rate-limit class and mutation audit). Empty: the class follows read_only alone.
  std::string write_arg;
  // Whether a call with these arguments writes.
  bool writes(const nlohmann::json& args) const {
    return !read_only && (write_arg.empty() || (args.is_object() && args.contains(write_arg)));
  }
};

class tool_catalog {
 public:
  // The catalog of this build: the product's tools plus, in test builds, the test hooks.
  static const tool_catalog& instance();

  explicit tool_catalog(std::vector<tool_def> tools);
  // Not copyable: the name index refers into tools_.
  tool_catalog(const tool_catalog&) = delete;
  tool_catalog& operator=(const tool_catalog&) = delete;

  // nullptr when no tool has that name.
  const tool_def* find(std::string_view name) const;
  const std::vector<tool_def>& all() const { return tools_; }

  // The MCP wire form of one tool (name, title, description, inputSchema, outputSchema, annotations).
  static nlohmann::json to_json(const tool_def& tool);

  // One page of tools/list. `cursor` is the opaque cursor from a previous page ("" for the first).
  // Returns false when the cursor is not one we issued (the caller answers -32602).
  bool page(const std::string& cursor, size_t page_size, nlohmann::json& out) const;

 private:
  std::vector<tool_def> tools_;
  std::unordered_map<std::string_view, size_t> by_name_;  // views into tools_ names
};

// Helpers to declare schemas tersely.
nlohmann::json object_schema(nlohmann::json properties, std::vector<std::string> required = {});

// Tool groups, one per file in adapters/tools_*.cpp.
std::vector<tool_def> system_tools();
std::vector<tool_def> episode_tools();  // episodes, tags, relationships
std::vector<tool_def> learning_tools();  // patterns, recommendations, feedback, metrics
std::vector<tool_def> test_hook_tools();  // empty unless built with MEMORY_MCP_TEST_HOOKS

}  // namespace memory_mcp
