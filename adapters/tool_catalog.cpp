#include "adapters/tool_catalog.hpp"

namespace memory_mcp {

namespace {
constexpr const char* cursor_prefix = "tools:";
}

const tool_catalog& tool_catalog::instance() {
  static const tool_catalog catalog = [] {
    std::vector<tool_def> all;
    for (auto&& group : {system_tools(), episode_tools(), learning_tools(), test_hook_tools()})
      for (auto& t : group) all.push_back(t);
    return tool_catalog(std::move(all));
  }();
  return catalog;
}

tool_catalog::tool_catalog(std::vector<tool_def> tools) : tools_(std::move(tools)) {
  for (size_t i = 0; i < tools_.size(); ++i) by_name_.emplace(tools_[i].name, i);
}

const tool_def* tool_catalog::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &tools_[it->second];
}

nlohmann::json tool_catalog::to_json(const tool_def& t) {
  return {{"name", t.name},
          {"title", t.title},
          {"description", t.description},
          {"inputSchema", t.input_schema},
          {"outputSchema", t.output_schema},
          {"annotations",
           {{"title", t.title},
            {"readOnlyHint", t.read_only},
            {"destructiveHint", t.destructive},
            {"idempotentHint", t.idempotent},
            {"openWorldHint", false}}}};
}

bool tool_catalog::page(const std::string& cursor, size_t page_size, nlohmann::json& out) const {
  size_t start = 0;
  if (!cursor.empty()) {
    if (cursor.rfind(cursor_prefix, 0) != 0) return false;
    auto digits = cursor.substr(std::char_traits<char>::length(cursor_prefix));
    if (digits.empty() || digits.size() > 6) return false;
    for (char c : digits)
      if (c < '0' || c > '9') return false;
    start = std::stoul(digits);
    if (start == 0 || start >= tools_.size()) return false;
  }
  if (page_size == 0) page_size = tools_.size();
  auto tools = nlohmann::json::array();
  size_t end = std::min(tools_.size(), start + page_size);
  for (size_t i = start; i < end; ++i) tools.push_back(to_json(tools_[i]));
  out = {{"tools", tools}};
  if (end < tools_.size()) out["nextCursor"] = cursor_prefix + std::to_string(end);
  return true;
}

nlohmann::json object_schema(nlohmann::json properties, std::vector<std::string> required) {
  nlohmann::json s = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                      {"type", "object"},
                      {"properties", properties.is_null() ? nlohmann::json::object() : properties},
                      {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

}  // namespace memory_mcp
