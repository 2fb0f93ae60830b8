// Unit tests for adapters/tool_catalog: pagination with opaque cursors, invalid cursors, and that every tool of
// this build carries input/output schemas and annotations in its wire form.
#include "adapters/tool_catalog.hpp"

#include <doctest/doctest.h>
#include <set>

#include "adapters/json_schema.hpp"

using namespace memory_mcp;
using nlohmann::json;

namespace {
tool_def make_tool(const std::string& name) {
  tool_def t;
  t.name = name;
  t.title = name;
  t.description = "d";
  t.input_schema = object_schema(json::object());
  t.output_schema = {{"type", "object"}};
  return t;
}

tool_catalog five() {
  return tool_catalog({make_tool("a"), make_tool("b"), make_tool("c"), make_tool("d"), make_tool("e")});
}

// Walks every page; returns the names in order. Fails the test on a bad page or a cursor loop.
std::vector<std::string> walk(const tool_catalog& cat, size_t page_size) {
  std::vector<std::string> names;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    json page;
    REQUIRE(cat.page(cursor, page_size, page));
    for (auto& t : page["tools"]) names.push_back(t["name"]);
    if (!page.contains("nextCursor")) return names;
    REQUIRE(page["nextCursor"].is_string());
    cursor = page["nextCursor"].get<std::string>();
  }
  FAIL("pagination did not terminate");
  return names;
}
}  // namespace

TEST_CASE("page size 1 walks every tool exactly once, in order") {
  auto cat = five();
  CHECK(walk(cat, 1) == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("page sizes that do not divide the count, equal it, exceed it, or are 0 (all) work") {
  auto cat = five();
  for (size_t size : {size_t{0}, size_t{2}, size_t{3}, size_t{5}, size_t{50}}) {
    CAPTURE(size);
    CHECK(walk(cat, size) == std::vector<std::string>{"a", "b", "c", "d", "e"});
  }
  json page;
  REQUIRE(cat.page("", 2, page));
  CHECK(page["tools"].size() == 2);
  CHECK(page.contains("nextCursor"));
  REQUIRE(cat.page("", 5, page));
  CHECK(page["tools"].size() == 5);
  CHECK_FALSE(page.contains("nextCursor"));  // no cursor after the last page
}

TEST_CASE("cursors not issued by the catalog are refused") {
  auto cat = five();
  json page;
  for (const char* bad : {"garbage", "tools:", "tools:0", "tools:5", "tools:99", "tools:-1", "tools:1x", "tools: 1",
                          "TOOLS:1", "tools:1234567", "x:tools:1"}) {
    CAPTURE(bad);
    CHECK_FALSE(cat.page(bad, 1, page));
  }
  CHECK(cat.page("tools:4", 1, page));
  CHECK(page["tools"][0]["name"] == "e");
}

TEST_CASE("an empty catalog has one empty page") {
  tool_catalog empty({});
  json page;
  REQUIRE(empty.page("", 1, page));
  CHECK(page["tools"].empty());
  CHECK_FALSE(page.contains("nextCursor"));
  CHECK_FALSE(empty.page("tools:1", 1, page));
}

TEST_CASE("find returns the tool by exact name, nullptr otherwise") {
  auto cat = five();
  REQUIRE(cat.find("c"));
  CHECK(cat.find("c")->name == "c");
  CHECK(cat.find("C") == nullptr);
  CHECK(cat.find("") == nullptr);
}

TEST_CASE("object_schema closes the object and lists required fields") {
  auto s = object_schema({{"ms", {{"type", "integer"}}}}, {"ms"});
  CHECK(s["type"] == "object");
  CHECK(s["additionalProperties"] == false);
  CHECK(s["required"] == json{"ms"});
  CHECK(s["properties"].contains("ms"));
  auto none = object_schema(nullptr);
  CHECK(none["properties"].is_object());
  CHECK_FALSE(none.contains("required"));
}

TEST_CASE("the catalog of this build: unique valid names, schemas and annotations on every tool") {
  const auto& cat = tool_catalog::instance();
  REQUIRE_FALSE(cat.all().empty());
  std::set<std::string> names;
  for (const auto& tool : cat.all()) {
    CAPTURE(tool.name);
    CHECK(names.insert(tool.name).second);
    // MCP 2025-11-25 tool-name guidance: 1-128 characters of [A-Za-z0-9_.-].
    CHECK(!tool.name.empty());
    CHECK(tool.name.size() <= 128);
    for (char c : tool.name) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'));
    CHECK(cat.find(tool.name) == &tool);

    auto wire = tool_catalog::to_json(tool);
    CHECK(wire["name"] == tool.name);
    CHECK(wire["description"].is_string());
    CHECK_FALSE(wire["description"].get<std::string>().empty());
    REQUIRE(wire["inputSchema"].is_object());
    CHECK(wire["inputSchema"]["type"] == "object");
    REQUIRE(wire["outputSchema"].is_object());
    CHECK(wire["outputSchema"]["type"] == "object");
    REQUIRE(wire["annotations"].is_object());
    for (const char* hint : {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"})
      CHECK(wire["annotations"][hint].is_boolean());
    CHECK(wire["annotations"]["readOnlyHint"] == tool.read_only);
    // A read-only tool cannot be destructive.
    if (tool.read_only) CHECK_FALSE(tool.destructive);
    // Every input schema is closed: an unknown field is refused.
    CHECK(validate_json(tool.input_schema, {{"__no_such_field__", 1}}).has_value());
  }
  CHECK(names.count("health_check") == 1);
}

TEST_CASE("the catalog of this build pages fully with page size 1") {
  const auto& cat = tool_catalog::instance();
  auto names = walk(cat, 1);
  REQUIRE(names.size() == cat.all().size());
  for (size_t i = 0; i < names.size(); ++i) CHECK(names[i] == cat.all()[i].name);
}

#ifdef MEMORY_MCP_TEST_HOOKS
TEST_CASE("test builds carry the debug hooks with their argument limits") {
  const auto& cat = tool_catalog::instance();
  auto* sleep = cat.find("debug_sleep");
  REQUIRE(sleep);
  CHECK(sleep->target == tool_target::episode_store);
  CHECK_FALSE(validate_json(sleep->input_schema, {{"ms", 10}, {"steps", 2}}));
  CHECK(*validate_json(sleep->input_schema, {{"ms", "10"}}) == "arguments.ms: must be integer (got string)");
  CHECK(validate_json(sleep->input_schema, {{"ms", 60001}}).has_value());
  auto* crash = cat.find("debug_crash");
  REQUIRE(crash);
  CHECK_FALSE(crash->read_only);
  CHECK(validate_json(crash->input_schema, {{"actor", "supervisor"}}).has_value());
}
#endif
