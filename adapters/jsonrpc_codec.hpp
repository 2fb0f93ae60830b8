// JSON-RPC 2.0 codec for MCP: bytes in, value or error out. Pure: no I/O, no state.
//
// Error table (internal -> JSON-RPC), used by the router:
//   malformed JSON, invalid UTF-8, nesting too deep   -> -32700 parse error (id null)
//   not a JSON-RPC 2.0 request/notification, too big  -> -32600 invalid request
//   unknown method                                    -> -32601 method not found
//   bad params, unknown tool, invalid cursor          -> -32602 invalid params
//   bug or unexpected failure                         -> -32603 internal error
//   rate limited                                      -> -32000 (data.retry_after_ms)
//   server not initialized / draining                 -> -32002 / -32003
// Tool failures (validation, not found, storage) are NOT protocol errors: they are results with isError: true.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace memory_mcp::jsonrpc {

inline constexpr int parse_error = -32700;
inline constexpr int invalid_request = -32600;
inline constexpr int method_not_found = -32601;
inline constexpr int invalid_params = -32602;
inline constexpr int internal_error = -32603;
inline constexpr int rate_limited = -32000;
inline constexpr int not_initialized = -32002;
inline constexpr int shutting_down = -32003;

struct decode_limits {
  size_t max_bytes = 4u << 20;
  size_t max_depth = 64;
};

// A decoding failure: the code to answer with, and the id if one could be recovered (else null).
struct decode_error {
  int code = parse_error;
  std::string message;
  nlohmann::json id;  // null when unknown
};

// Parses one line into a JSON value. Checks, in order: size (-32600), nesting depth of arrays/objects outside
// strings (-32700, checked before parsing so deep input cannot exhaust the stack), JSON syntax and UTF-8
// (-32700). On success the value is an object or an array (a batch); anything else is -32600.
struct decoded {
  bool ok = false;
  nlohmann::json value;
  decode_error error;
};
decoded decode_line(std::string_view line, const decode_limits& limits);

// A single JSON-RPC message after shape checks.
struct message {
  enum class kind { request, notification, response } what = kind::request;
  nlohmann::json id;      // string or integer for requests and responses; null for notifications
  std::string method;     // requests and notifications
  nlohmann::json params;  // object (or null when absent)
};

// Checks jsonrpc == "2.0", that method is a string, id a string or integer (not null, not fractional), and
// params an object when present (MCP never uses positional params). Responses from the client (to server
// requests we never send) are classified as responses and ignored by the router.
struct classified {
  bool ok = false;
  message msg;
  decode_error error;
};
classified classify(const nlohmann::json& value);

// Builders. The returned text never contains a raw newline; invalid UTF-8 inside strings is replaced.
std::string result_line(const nlohmann::json& id, const nlohmann::json& result);
std::string error_line(const nlohmann::json& id, int code, const std::string& message,
                       const nlohmann::json& data = nullptr);
nlohmann::json error_object(const nlohmann::json& id, int code, const std::string& message,
                            const nlohmann::json& data = nullptr);
nlohmann::json result_object(const nlohmann::json& id, const nlohmann::json& result);
std::string notification_line(const std::string& method, const nlohmann::json& params);
std::string to_line(const nlohmann::json& value);

}  // namespace memory_mcp::jsonrpc
