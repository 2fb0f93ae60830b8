// Unit tests for adapters/jsonrpc_codec: decode_line limits (size, depth), syntax and UTF-8 errors, classify
// shape checks, and the line builders.
#include "adapters/jsonrpc_codec.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace memory_mcp;
using nlohmann::json;

namespace {
const jsonrpc::decode_limits limits{1024, 16};

std::string nested(size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}
}  // namespace

TEST_CASE("decode_line accepts a request object and a batch array") {
  auto obj = jsonrpc::decode_line(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", limits);
  REQUIRE(obj.ok);
  CHECK(obj.value["method"] == "ping");
  auto arr = jsonrpc::decode_line(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", limits);
  REQUIRE(arr.ok);
  CHECK(arr.value.is_array());
}

TEST_CASE("decode_line rejects a line over max_bytes with -32600 naming the sizes and the setting") {
  std::string line = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" + std::string(2000, 'x') + "\"}}";
  auto d = jsonrpc::decode_line(line, limits);
  CHECK_FALSE(d.ok);
  CHECK(d.error.code == jsonrpc::invalid_request);
  CHECK(d.error.id.is_null());
  CHECK(d.error.message.find(std::to_string(line.size())) != std::string::npos);
  CHECK(d.error.message.find("1024") != std::string::npos);
  CHECK(d.error.message.find("MEMORY_MCP_MAX_MESSAGE_BYTES") != std::string::npos);
}

TEST_CASE("decode_line accepts a line of exactly max_bytes") {
  std::string prefix = R"({"a":")";
  std::string line = prefix + std::string(limits.max_bytes - prefix.size() - 2, 'x') + "\"}";
  REQUIRE(line.size() == limits.max_bytes);
  CHECK(jsonrpc::decode_line(line, limits).ok);
}

TEST_CASE("decode_line rejects nesting deeper than max_depth with -32700 before parsing") {
  CHECK(jsonrpc::decode_line("{\"a\":" + nested(15) + "}", limits).ok);  // depth 16: at the limit
  auto d = jsonrpc::decode_line("{\"a\":" + nested(16) + "}", limits);
  CHECK_FALSE(d.ok);
  CHECK(d.error.code == jsonrpc::parse_error);
  CHECK(d.error.message.find("16") != std::string::npos);
  CHECK(d.error.message.find("MEMORY_MCP_MAX_JSON_DEPTH") != std::string::npos);
  // Objects count as well as arrays.
  std::string objs;
  for (int i = 0; i < 20; ++i) objs += "{\"a\":";
  objs += "1" + std::string(20, '}');
  CHECK(jsonrpc::decode_line(objs, limits).error.code == jsonrpc::parse_error);
}

TEST_CASE("decode_line survives 100k levels of nesting (no stack exhaustion)") {
  jsonrpc::decode_limits big{1u << 20, 64};
  auto d = jsonrpc::decode_line(nested(100000), big);
  CHECK_FALSE(d.ok);
  CHECK(d.error.code == jsonrpc::parse_error);
  // Unbalanced: only openers.
  auto open_only = jsonrpc::decode_line(std::string(100000, '['), big);
  CHECK_FALSE(open_only.ok);
  CHECK(open_only.error.code == jsonrpc::parse_error);
}

TEST_CASE("brackets inside strings do not count towards the depth") {
  std::string line = R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"s":")" + std::string(100, '[') +
                     R"(\"[[[[[[[[[[[[[[[[[[[[[["}})";
  auto d = jsonrpc::decode_line(line, limits);
  CHECK(d.ok);
}

TEST_CASE("decode_line reports malformed JSON as -32700 with the position") {
  for (const char* bad : {"{", "{\"a\":}", "not json", "{\"a\":1,}", "{'a':1}", "{\"a\":1}{}", "\x01"}) {
    CAPTURE(bad);
    auto d = jsonrpc::decode_line(bad, limits);
    CHECK_FALSE(d.ok);
    CHECK(d.error.code == jsonrpc::parse_error);
    CHECK(d.error.id.is_null());
    CHECK(d.error.message.rfind("parse error", 0) == 0);
    CHECK(d.error.message.find("json.exception") == std::string::npos);  // the library's tag is stripped
  }
}

TEST_CASE("decode_line reports a number too large for a double as -32700, not an exception (found by fuzzing)") {
  for (const char* bad : {R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":1e400}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":-22.2e10222}})"}) {
    CAPTURE(bad);
    jsonrpc::decoded d;
    CHECK_NOTHROW(d = jsonrpc::decode_line(bad, limits));
    CHECK_FALSE(d.ok);
    CHECK(d.error.code == jsonrpc::parse_error);
    CHECK(d.error.message.find("number overflow") != std::string::npos);
    CHECK(d.error.message.find("json.exception") == std::string::npos);
  }
}

TEST_CASE("decode_line rejects invalid UTF-8 as -32700") {
  // Lone continuation byte, overlong encoding, truncated sequence, UTF-16 surrogate encoded in UTF-8.
  for (std::string bad : {std::string("{\"a\":\"\x80\"}"), std::string("{\"a\":\"\xC0\xAF\"}"),
                          std::string("{\"a\":\"\xE2\x82\"}"), std::string("{\"a\":\"\xED\xA0\x80\"}"),
                          std::string("{\"a\":\"\xFF\"}"), std::string("\xFF{}")}) {
    CAPTURE(bad);
    auto d = jsonrpc::decode_line(bad, limits);
    CHECK_FALSE(d.ok);
    CHECK(d.error.code == jsonrpc::parse_error);
  }
  CHECK(jsonrpc::decode_line("{\"a\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"}", limits).ok);  // é € 😀
}

TEST_CASE("decode_line rejects JSON scalars as -32600") {
  for (const char* scalar : {"1", "\"ping\"", "null", "true"}) {
    CAPTURE(scalar);
    auto d = jsonrpc::decode_line(scalar, limits);
    CHECK_FALSE(d.ok);
    CHECK(d.error.code == jsonrpc::invalid_request);
  }
}

TEST_CASE("decode_line rejects an empty line as a parse error") {
  auto d = jsonrpc::decode_line("", limits);
  CHECK_FALSE(d.ok);
  CHECK(d.error.code == jsonrpc::parse_error);
}

TEST_CASE("classify recognises requests, notifications and responses") {
  auto req = jsonrpc::classify(json::parse(R"({"jsonrpc":"2.0","id":"a","method":"tools/list","params":{}})"));
  REQUIRE(req.ok);
  CHECK(req.msg.what == jsonrpc::message::kind::request);
  CHECK(req.msg.id == "a");
  CHECK(req.msg.method == "tools/list");
  CHECK(req.msg.params.is_object());

  auto note = jsonrpc::classify(json::parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  REQUIRE(note.ok);
  CHECK(note.msg.what == jsonrpc::message::kind::notification);
  CHECK(note.msg.id.is_null());
  CHECK(note.msg.params.is_null());

  auto resp = jsonrpc::classify(json::parse(R"({"jsonrpc":"2.0","id":7,"result":{}})"));
  REQUIRE(resp.ok);
  CHECK(resp.msg.what == jsonrpc::message::kind::response);
  CHECK(resp.msg.id == 7);
  auto err_resp = jsonrpc::classify(json::parse(R"({"jsonrpc":"2.0","id":7,"error":{"code":1,"message":"x"}})"));
  REQUIRE(err_resp.ok);
  CHECK(err_resp.msg.what == jsonrpc::message::kind::response);
}

TEST_CASE("classify accepts integer ids of any sign and size, and null params") {
  for (const char* text : {R"({"jsonrpc":"2.0","id":0,"method":"ping"})", R"({"jsonrpc":"2.0","id":-5,"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":"","method":"ping","params":null})"}) {
    CAPTURE(text);
    CHECK(jsonrpc::classify(json::parse(text)).ok);
  }
}

TEST_CASE("classify rejects a wrong or missing jsonrpc version with -32600") {
  for (const char* text : {R"({"id":1,"method":"ping"})", R"({"jsonrpc":"1.0","id":1,"method":"ping"})",
                           R"({"jsonrpc":2.0,"id":1,"method":"ping"})"}) {
    CAPTURE(text);
    auto c = jsonrpc::classify(json::parse(text));
    CHECK_FALSE(c.ok);
    CHECK(c.error.code == jsonrpc::invalid_request);
    CHECK(c.error.message.find("jsonrpc") != std::string::npos);
    CHECK(c.error.id == 1);  // the id is recovered so the client can correlate the error
  }
}

TEST_CASE("classify rejects ids that are not strings or integers") {
  for (const char* text : {R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":[1],"method":"ping"})", R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":true,"method":"ping"})", R"({"jsonrpc":"2.0","id":null,"method":"ping"})"}) {
    CAPTURE(text);
    auto c = jsonrpc::classify(json::parse(text));
    CHECK_FALSE(c.ok);
    CHECK(c.error.code == jsonrpc::invalid_request);
    CHECK(c.error.message.find("'id'") != std::string::npos);
    CHECK(c.error.id.is_null());  // an unusable id is never echoed back
  }
}

TEST_CASE("classify rejects a missing or non-string method") {
  auto missing = jsonrpc::classify(json::parse(R"({"jsonrpc":"2.0","id":3})"));
  CHECK_FALSE(missing.ok);
  CHECK(missing.error.code == jsonrpc::invalid_request);
  CHECK(missing.error.id == 3);
  auto number = jsonrpc::classify(json::parse(R"({"jsonrpc":"2.0","id":3,"method":42})"));
  CHECK_FALSE(number.ok);
  CHECK(number.error.code == jsonrpc::invalid_request);
  CHECK(number.error.message.find("'method'") != std::string::npos);
}

TEST_CASE("classify rejects params that are not an object with -32602 and keeps the id") {
  for (const char* text : {R"({"jsonrpc":"2.0","id":"x","method":"tools/list","params":[1,2]})",
                           R"({"jsonrpc":"2.0","id":"x","method":"tools/list","params":"a"})",
                           R"({"jsonrpc":"2.0","id":"x","method":"tools/list","params":3})"}) {
    CAPTURE(text);
    auto c = jsonrpc::classify(json::parse(text));
    CHECK_FALSE(c.ok);
    CHECK(c.error.code == jsonrpc::invalid_params);
    CHECK(c.error.id == "x");
    CHECK(c.error.message.find("'params'") != std::string::npos);
  }
}

TEST_CASE("classify rejects non-objects (batch elements that are scalars or arrays)") {
  for (const char* text : {"1", "[]", "\"x\"", "null"}) {
    CAPTURE(text);
    auto c = jsonrpc::classify(json::parse(text));
    CHECK_FALSE(c.ok);
    CHECK(c.error.code == jsonrpc::invalid_request);
    CHECK(c.error.id.is_null());
  }
}

TEST_CASE("builders produce single-line JSON-RPC 2.0 messages") {
  auto r = json::parse(jsonrpc::result_line(5, {{"a", "line1\nline2"}}));
  CHECK(r["jsonrpc"] == "2.0");
  CHECK(r["id"] == 5);
  CHECK(r["result"]["a"] == "line1\nline2");
  CHECK(jsonrpc::result_line(5, {{"a", "line1\nline2"}}).find('\n') == std::string::npos);

  auto e = json::parse(jsonrpc::error_line(nullptr, jsonrpc::method_not_found, "no"));
  CHECK(e["id"].is_null());
  CHECK(e["error"]["code"] == -32601);
  CHECK(e["error"]["message"] == "no");
  CHECK_FALSE(e["error"].contains("data"));
  auto with_data = jsonrpc::error_object("i", jsonrpc::rate_limited, "slow down", {{"retry_after_ms", 10}});
  CHECK(with_data["error"]["data"]["retry_after_ms"] == 10);

  auto n = json::parse(jsonrpc::notification_line("notifications/progress", {{"progress", 1}}));
  CHECK(n["method"] == "notifications/progress");
  CHECK_FALSE(n.contains("id"));
}

TEST_CASE("to_line replaces invalid UTF-8 instead of throwing") {
  json v = {{"s", std::string("bad\xFF")}};
  std::string line;
  CHECK_NOTHROW(line = jsonrpc::to_line(v));
  CHECK(json::parse(line)["s"] == "bad\xEF\xBF\xBD");
}
