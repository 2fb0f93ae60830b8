// Unit tests for adapters/mcp_protocol: version negotiation, batching rule, initialize result, tool result
// shapes, tools/call params and progress tokens.
#include "adapters/mcp_protocol.hpp"

#include <doctest/doctest.h>

using namespace memory_mcp;
using nlohmann::json;

TEST_CASE("the four supported protocol versions are echoed") {
  for (const char* v : {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}) {
    CAPTURE(v);
    CHECK(mcp::is_supported_version(v));
    CHECK(mcp::negotiate_version(v) == v);
  }
}

TEST_CASE("an unsupported version negotiates to the latest") {
  for (const char* v : {"2024-10-07", "2026-07-28", "", "2025-11-25 ", "latest"}) {
    CAPTURE(v);
    CHECK_FALSE(mcp::is_supported_version(v));
    CHECK(mcp::negotiate_version(v) == "2025-11-25");
  }
  CHECK(std::string(mcp::latest_version) == "2025-11-25");
}

TEST_CASE("batches are allowed only under 2025-03-26") {
  CHECK(mcp::batches_allowed("2025-03-26"));
  CHECK_FALSE(mcp::batches_allowed("2025-11-25"));
  CHECK_FALSE(mcp::batches_allowed("2025-06-18"));
  CHECK_FALSE(mcp::batches_allowed("2024-11-05"));
  CHECK_FALSE(mcp::batches_allowed(""));
}

TEST_CASE("initialize_result carries version, capabilities, serverInfo and instructions") {
  auto r = mcp::initialize_result("2025-06-18", "9.9.9");
  CHECK(r["protocolVersion"] == "2025-06-18");
  CHECK(r["capabilities"]["tools"].is_object());
  CHECK(r["capabilities"]["logging"].is_object());
  CHECK(r["serverInfo"]["name"] == "memory-mcp-server");
  CHECK(r["serverInfo"]["version"] == "9.9.9");
  CHECK(r["instructions"].is_string());
  // Capabilities we do not implement are not declared.
  CHECK_FALSE(r["capabilities"].contains("prompts"));
  CHECK_FALSE(r["capabilities"].contains("completions"));
}

TEST_CASE("tool_success mirrors structuredContent as JSON text") {
  json structured = {{"status", "healthy"}, {"n", 2}};
  auto r = mcp::tool_success(structured);
  CHECK(r["isError"] == false);
  CHECK(r["structuredContent"] == structured);
  REQUIRE(r["content"].size() == 1);
  CHECK(r["content"][0]["type"] == "text");
  CHECK(json::parse(r["content"][0]["text"].get<std::string>()) == structured);
}

TEST_CASE("tool_failure is an isError result with the message and no structuredContent") {
  auto r = mcp::tool_failure("arguments.ms: must be integer (got string)");
  CHECK(r["isError"] == true);
  CHECK_FALSE(r.contains("structuredContent"));
  REQUIRE(r["content"].size() == 1);
  CHECK(r["content"][0]["text"] == "arguments.ms: must be integer (got string)");
}

TEST_CASE("read_call_params accepts name with object, null or absent arguments") {
  std::string name;
  json args;
  CHECK_FALSE(mcp::read_call_params({{"name", "health_check"}, {"arguments", {{"a", 1}}}}, name, args));
  CHECK(name == "health_check");
  CHECK(args == json{{"a", 1}});
  CHECK_FALSE(mcp::read_call_params({{"name", "x"}}, name, args));
  CHECK(args == json::object());
  CHECK_FALSE(mcp::read_call_params({{"name", "y"}, {"arguments", nullptr}}, name, args));
  CHECK(name == "y");
  CHECK(args == json::object());
}

TEST_CASE("read_call_params rejects missing params, a non-string name and non-object arguments") {
  std::string name;
  json args;
  auto none = mcp::read_call_params(nullptr, name, args);
  REQUIRE(none);
  CHECK(none->find("tools/call") != std::string::npos);
  auto no_name = mcp::read_call_params(json::object(), name, args);
  REQUIRE(no_name);
  CHECK(no_name->find("params.name") != std::string::npos);
  CHECK(mcp::read_call_params({{"name", 5}}, name, args)->find("params.name") != std::string::npos);
  CHECK(mcp::read_call_params({{"name", "x"}, {"arguments", json::array()}}, name, args)->find("params.arguments") !=
        std::string::npos);
  CHECK(mcp::read_call_params({{"name", "x"}, {"arguments", "a=1"}}, name, args)->find("params.arguments") !=
        std::string::npos);
}

TEST_CASE("progress_token reads params._meta.progressToken when it is a string or integer") {
  CHECK(mcp::progress_token({{"_meta", {{"progressToken", "t1"}}}}) == "t1");
  CHECK(mcp::progress_token({{"_meta", {{"progressToken", 0}}}}) == 0);
  CHECK(mcp::progress_token({{"_meta", {{"progressToken", 1.5}}}}).is_null());
  CHECK(mcp::progress_token({{"_meta", {{"progressToken", nullptr}}}}).is_null());
  CHECK(mcp::progress_token({{"_meta", "x"}}).is_null());
  CHECK(mcp::progress_token(json::object()).is_null());
  CHECK(mcp::progress_token(nullptr).is_null());
}
