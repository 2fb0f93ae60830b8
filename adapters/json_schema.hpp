// A validator for the subset of JSON Schema 2020-12 our tool inputSchemas use. Pure.
//
// Supported keywords: type (string or array; "integer" = a number without fraction), properties, required,
// additionalProperties (false or a schema), enum, const, minLength/maxLength (in Unicode code points),
// pattern (ECMAScript regex, searched), format ("uuid", "date-time"), minimum/maximum, minItems/maxItems, items,
// uniqueItems, maxProperties. Other keywords (title, description, default, examples, $schema) are ignored.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace memory_mcp {

// Returns nullopt when `value` satisfies `schema`, else one message naming the first offending location as a
// dotted path rooted at `path` (e.g. "arguments.steps[3].tool: must be a string") and, for limits, the limit
// and the actual value.
std::optional<std::string> validate_json(const nlohmann::json& schema, const nlohmann::json& value,
                                         const std::string& path = "arguments");

// Number of Unicode code points in a valid UTF-8 string.
size_t utf8_length(const std::string& s);

}  // namespace memory_mcp
