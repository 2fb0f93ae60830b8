// Terse builders for the tool catalog's JSON Schemas (2020-12) and tool definitions, shared by the
// adapters/tools_*.cpp files. Header-only; pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/tool_catalog.hpp"

namespace memory_mcp::schema {

using nlohmann::json;

inline json str(size_t max_chars, size_t min_chars = 1) {
  return {{"type", "string"}, {"minLength", min_chars}, {"maxLength", max_chars}};
}
inline json uuid() { return {{"type", "string"}, {"format", "uuid"}}; }
inline json str_enum(std::vector<std::string> values) { return {{"type", "string"}, {"enum", values}}; }
inline json int_range(int64_t lo, int64_t hi) { return {{"type", "integer"}, {"minimum", lo}, {"maximum", hi}}; }
inline json str_list(size_t max_items, size_t max_chars) {
  return {{"type", "array"}, {"maxItems", max_items}, {"items", str(max_chars, 0)}};
}
inline json tag_list() { return {{"type", "array"}, {"maxItems", 100}, {"items", {{"type", "string"}, {"maxLength", 200}}}}; }
// A nullable value as anyOf branches of one type each: portable to clients that map schemas onto a single-`type`
// dialect (type arrays are legal JSON Schema but trip those; the Inspector's --strict check flags them).
inline json nullable(json schema) { return {{"anyOf", {std::move(schema), {{"type", "null"}}}}}; }
inline json nullable(const char* type) { return nullable(json{{"type", type}}); }
inline json any_object() { return {{"type", "object"}}; }
// An object schema inside another (object_schema without the top-level "$schema" keyword).
inline json nested_object(json properties, std::vector<std::string> required = {}) {
  json s = object_schema(std::move(properties), std::move(required));
  s.erase("$schema");
  return s;
}
inline json out(json properties, std::vector<std::string> required) {
  return {{"type", "object"}, {"properties", properties}, {"required", required}};
}

inline const std::vector<std::string> task_types = {"code_generation", "debugging",     "refactoring", "testing",
                                             "analysis",        "documentation", "other"};
inline const std::vector<std::string> relationship_types = {"parent_child", "depends_on", "follows",   "related_to",
                                                     "blocks",       "duplicates", "references"};

inline tool_def make(std::string name, std::string title, std::string description, json input, json output,
              bool read_only, bool destructive = false, bool idempotent = true) {
  tool_def t;
  t.name = std::move(name);
  t.title = std::move(title);
  t.description = std::move(description);
  t.input_schema = std::move(input);
  t.output_schema = std::move(output);
  t.read_only = read_only;
  t.destructive = destructive;
  t.idempotent = idempotent;
  t.target = tool_target::episode_store;
  return t;
}

}  // namespace memory_mcp::schema
