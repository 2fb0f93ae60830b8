// Unit tests for adapters/json_schema: every supported keyword accepts what it should, rejects what it should,
// and the message names the dotted path, the limit and the actual value.
#include "adapters/json_schema.hpp"

#include <doctest/doctest.h>

using namespace memory_mcp;
using nlohmann::json;

namespace {
// The message for `value`, or "" when it validates.
std::string problem(const json& schema, const json& value, const std::string& path = "arguments") {
  auto p = validate_json(schema, value, path);
  return p ? *p : std::string();
}
bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("type: each JSON type matches only itself") {
  const json samples = {nullptr, true, 1, 1.5, "s", json::array(), json::object()};
  const char* names[] = {"null", "boolean", "integer", "number", "string", "array", "object"};
  for (size_t t = 0; t < 7; ++t) {
    for (size_t v = 0; v < samples.size(); ++v) {
      CAPTURE(names[t]);
      CAPTURE(samples[v].dump());
      bool expect_ok = t == v || (std::string(names[t]) == "number" && v == 2);  // an integer is a number
      CHECK(validate_json({{"type", names[t]}}, samples[v]).has_value() == !expect_ok);
    }
  }
}

TEST_CASE("type: the message names path, expected and actual types") {
  CHECK(problem(json::parse(R"({"type":"object","properties":{"ms":{"type":"integer"}}})"), {{"ms", "10"}}) ==
        "arguments.ms: must be integer (got string)");
  CHECK(problem({{"type", "string"}}, 3, "x") == "x: must be string (got integer)");
}

TEST_CASE("type integer: a number without fraction counts, with a fraction does not") {
  json s = {{"type", "integer"}};
  CHECK_FALSE(validate_json(s, json::parse("2.0")));
  CHECK_FALSE(validate_json(s, json::parse("-7")));
  CHECK_FALSE(validate_json(s, json::parse("18446744073709551615")));
  CHECK(problem(s, json::parse("2.5")) == "arguments: must be integer (got number)");
}

TEST_CASE("type integer: huge or tiny floats are judged without undefined behaviour") {
  json s = {{"type", "integer"}};
  // 1e300 has no fractional part: JSON Schema calls it an integer. Limits (maximum) reject it elsewhere.
  CHECK_FALSE(validate_json(s, json::parse("1e300")));
  CHECK_FALSE(validate_json(s, json::parse("-1e300")));
  CHECK(validate_json(s, json::parse("1e-300")));
  json bounded = {{"type", "integer"}, {"maximum", 60000}};
  CHECK(contains(problem(bounded, json::parse("1e300")), "must be <= 60000"));
}

TEST_CASE("type as an array accepts any listed type and lists them all when none matches") {
  json s = {{"type", {"string", "null"}}};
  CHECK_FALSE(validate_json(s, nullptr));
  CHECK_FALSE(validate_json(s, "x"));
  CHECK(problem(s, 1) == "arguments: must be string or null (got integer)");
}

TEST_CASE("anyOf: one branch must accept; the error names the types, or comes from the branch that fits") {
  json s = {{"anyOf", {{{"type", "string"}, {"maxLength", 3}}, {{"type", "null"}}}}};
  CHECK_FALSE(validate_json(s, nullptr));
  CHECK_FALSE(validate_json(s, "abc"));
  CHECK(problem(s, 1) == "arguments: must be string or null (got integer)");
  CHECK(problem(s, "abcd") == "arguments: length 4 exceeds the maximum of 3 characters");
  json ids = {{"anyOf", {{{"type", "array"}, {"maxItems", 2}, {"items", {{"type", "string"}}}}, {{"type", "string"}}}}};
  CHECK_FALSE(validate_json(ids, json::array({"a", "b"})));
  CHECK_FALSE(validate_json(ids, "a,b,c"));
  CHECK(problem(ids, json::array({"a", 1})) == "arguments[1]: must be string (got integer)");
  CHECK(problem(ids, json::array({"a", "b", "c"})) == "arguments: 3 items exceed the maximum of 2");
  CHECK(problem(ids, json::object()) == "arguments: must be array or string (got object)");
}

TEST_CASE("enum and const") {
  json e = {{"enum", {"a", "b", 3}}};
  CHECK_FALSE(validate_json(e, "a"));
  CHECK_FALSE(validate_json(e, 3));
  CHECK(problem(e, "c") == R"(arguments: must be one of "a", "b", 3 (got "c"))");
  json c = {{"const", "fixed"}};
  CHECK_FALSE(validate_json(c, "fixed"));
  CHECK(problem(c, "other") == R"(arguments: must be "fixed" (got "other"))");
}

TEST_CASE("minLength and maxLength count Unicode code points, not bytes") {
  json s = {{"type", "string"}, {"minLength", 2}, {"maxLength", 3}};
  CHECK_FALSE(validate_json(s, "ab"));
  CHECK_FALSE(validate_json(s, "\xC3\xA9\xC3\xA9\xC3\xA9"));  // 3 code points, 6 bytes
  CHECK(problem(s, "abcd") == "arguments: length 4 exceeds the maximum of 3 characters");
  CHECK(problem(s, "a") == "arguments: length 1 is below the minimum of 2 characters");
  CHECK(utf8_length("\xF0\x9F\x98\x80x") == 2);
  CHECK(utf8_length("") == 0);
}

TEST_CASE("pattern is searched, not anchored, and the message shows the pattern") {
  json s = {{"type", "string"}, {"pattern", "^[a-z_]+$"}};
  CHECK_FALSE(validate_json(s, "snake_case"));
  CHECK(problem(s, "Camel") == R"(arguments: must match ^[a-z_]+$ (got "Camel"))");
  CHECK_FALSE(validate_json({{"pattern", "b"}}, "abc"));
}

TEST_CASE("format uuid and date-time") {
  json u = {{"type", "string"}, {"format", "uuid"}};
  CHECK_FALSE(validate_json(u, "123e4567-e89b-12d3-a456-426614174000"));
  CHECK_FALSE(validate_json(u, "123E4567-E89B-12D3-A456-426614174000"));
  CHECK(contains(problem(u, "123e4567e89b12d3a456426614174000"), "must be a UUID"));
  CHECK(contains(problem(u, "123e4567-e89b-12d3-a456-42661417400g"), "must be a UUID"));
  json d = {{"type", "string"}, {"format", "date-time"}};
  CHECK_FALSE(validate_json(d, "2026-12-03T19:16:25.123456Z"));
  CHECK(contains(problem(d, "2026-12-03"), "must be an RFC 3339 date-time"));
  // Unknown formats are annotations only.
  CHECK_FALSE(validate_json({{"format", "email"}}, "not an email"));
}

TEST_CASE("minimum and maximum, with integer and fractional limits in the message") {
  json s = {{"type", "number"}, {"minimum", 0}, {"maximum", 1.5}};
  CHECK_FALSE(validate_json(s, 0));
  CHECK_FALSE(validate_json(s, 1.5));
  CHECK(problem(s, -1) == "arguments: must be >= 0 (got -1)");
  CHECK(problem(s, 2) == "arguments: must be <= 1.5 (got 2)");
}

TEST_CASE("arrays: minItems, maxItems, uniqueItems and items with indexed paths") {
  json s = {{"type", "array"},
            {"minItems", 1},
            {"maxItems", 3},
            {"uniqueItems", true},
            {"items", {{"type", "string"}}}};
  CHECK_FALSE(validate_json(s, {"a", "b"}));
  CHECK(problem(s, json::array()) == "arguments: needs at least 1 item(s) (got 0)");
  CHECK(problem(s, {"a", "b", "c", "d"}) == "arguments: 4 items exceed the maximum of 3");
  CHECK(problem(s, {"a", "a"}) == "arguments[1]: duplicate item");
  CHECK(problem(s, {"a", 2}) == "arguments[1]: must be string (got integer)");
}

TEST_CASE("objects: required, unknown fields, nested paths and maxProperties") {
  json s = json::parse(R"({
    "type": "object",
    "properties": {
      "ms": {"type": "integer"},
      "steps": {"type": "array", "items": {"type": "object", "properties": {"tool": {"type": "string"}},
                                           "required": ["tool"], "additionalProperties": false}}
    },
    "required": ["ms"],
    "additionalProperties": false,
    "maxProperties": 2
  })");
  CHECK_FALSE(validate_json(s, {{"ms", 1}}));
  CHECK(problem(s, json::object()) == "arguments.ms: is required");
  CHECK(problem(s, {{"ms", 1}, {"bogus", 2}}) == "arguments.bogus: unknown field (allowed: ms, steps)");
  CHECK(problem(s, json::parse(R"({"ms":1,"steps":[{"tool":"a"},{"tool":7}]})")) ==
        "arguments.steps[1].tool: must be string (got integer)");
  CHECK(problem(s, json::parse(R"({"ms":1,"steps":[{}]})")) == "arguments.steps[0].tool: is required");
  CHECK(problem(s, json::parse(R"({"ms":1,"steps":[{"tool":"a","x":1}]})")) ==
        "arguments.steps[0].x: unknown field (allowed: tool)");
  json three = {{"type", "object"}, {"maxProperties", 2}};
  CHECK(problem(three, {{"a", 1}, {"b", 2}, {"c", 3}}) == "arguments: 3 properties exceed the maximum of 2");
}

TEST_CASE("objects: additionalProperties false with no properties says none are allowed") {
  json s = {{"type", "object"}, {"additionalProperties", false}};
  CHECK_FALSE(validate_json(s, json::object()));
  CHECK(problem(s, {{"x", 1}}) == "arguments.x: unknown field (allowed: none)");
}

TEST_CASE("objects: additionalProperties as a schema validates the extra fields") {
  json s = {{"type", "object"}, {"additionalProperties", {{"type", "integer"}}}};
  CHECK_FALSE(validate_json(s, {{"a", 1}, {"b", 2}}));
  CHECK(problem(s, {{"a", "x"}}) == "arguments.a: must be integer (got string)");
  // Absent additionalProperties allows anything.
  CHECK_FALSE(validate_json({{"type", "object"}}, {{"anything", json::array()}}));
}

TEST_CASE("unsupported or annotation keywords are ignored; a non-object schema accepts everything") {
  CHECK_FALSE(validate_json({{"title", "t"}, {"description", "d"}, {"default", 1}, {"$schema", "x"}}, "v"));
  CHECK_FALSE(validate_json(true, 1));
  CHECK_FALSE(validate_json(json::array(), 1));
}

TEST_CASE("a long message value is shortened in the error") {
  json s = {{"enum", {"a"}}};
  auto p = problem(s, std::string(500, 'z'));
  CHECK(contains(p, "..."));
  CHECK(p.size() < 200);
}
