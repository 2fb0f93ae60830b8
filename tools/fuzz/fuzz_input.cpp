// libFuzzer target over everything a client or an operator can feed the server before any actor or storage runs:
// a JSON-RPC line (size and depth limits, parsing, UTF-8, shape checks), tools/call params, the arguments of every
// catalog tool against its inputSchema, and the reply builders; plus the env-file parser, RFC 3339 parsing, the
// bearer-token check and search-term splitting. The property checked is the one the server promises: any input
// gets an answer or an error, never a crash, a hang, undefined behaviour or a reply line with a raw newline.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/http_auth.hpp"
#include "adapters/json_schema.hpp"
#include "adapters/jsonrpc_codec.hpp"
#include "adapters/mcp_protocol.hpp"
#include "adapters/tool_catalog.hpp"
#include "config/config.hpp"
#include "core/ranking.hpp"
#include "core/time_format.hpp"

using namespace memory_mcp;

namespace {

void check_line(const std::string& line) {
  if (line.find('\n') != std::string::npos) __builtin_trap();  // stdout carries one message per line
}

void fuzz_jsonrpc(std::string_view text) {
  jsonrpc::decode_limits limits;
  limits.max_bytes = 1 << 16;
  limits.max_depth = 64;
  auto d = jsonrpc::decode_line(text, limits);
  if (!d.ok) {
    check_line(jsonrpc::error_line(d.error.id, d.error.code, d.error.message));
    return;
  }
  auto handle = [](const nlohmann::json& v) {
    auto c = jsonrpc::classify(v);
    if (!c.ok) {
      check_line(jsonrpc::error_line(c.error.id, c.error.code, c.error.message));
      return;
    }
    if (c.msg.method == "initialize" && c.msg.params.is_object()) {
      auto version = c.msg.params.value("protocolVersion", nlohmann::json()).dump();
      check_line(jsonrpc::result_line(c.msg.id, mcp::initialize_result(mcp::negotiate_version(version), "fuzz")));
    }
    if (c.msg.method == "tools/call") {
      std::string name;
      nlohmann::json args;
      if (auto problem = mcp::read_call_params(c.msg.params, name, args)) {
        check_line(jsonrpc::error_line(c.msg.id, jsonrpc::invalid_params, *problem));
        return;
      }
      (void)mcp::progress_token(c.msg.params);
      // Unknown names are tried against every tool: the schemas are the real surface.
      auto& catalog = tool_catalog::instance();
      auto try_tool = [&](const tool_def& t) {
        auto problem = validate_json(t.input_schema, args);
        check_line(jsonrpc::result_line(c.msg.id, problem ? mcp::tool_failure(*problem) : mcp::tool_success(args)));
      };
      if (auto* t = catalog.find(name)) try_tool(*t);
      else
        for (auto& t : catalog.all()) try_tool(t);
    }
    check_line(jsonrpc::to_line(v));
  };
  if (d.value.is_array())
    for (auto& item : d.value) handle(item);
  else
    handle(d.value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the surface, so one corpus covers all of them.
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: fuzz_jsonrpc(text); break;
    case 1: (void)parse_env_file(text); break;
    case 2: (void)parse_rfc3339_us(text); break;
    case 3: (void)check_bearer(text, "0123456789abcdef-token"); break;
    case 4:
      for (auto& term : search_terms(text)) (void)search_prefix(term);
      break;
  }
  return 0;
}
