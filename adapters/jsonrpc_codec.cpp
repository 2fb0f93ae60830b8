#include "adapters/jsonrpc_codec.hpp"

namespace memory_mcp::jsonrpc {

namespace {

// Depth of nested arrays/objects, ignoring brackets inside strings. Stops early once over `limit`.
size_t nesting_depth(std::string_view s, size_t limit) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > limit) return max_depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

// Best effort: recover the id of a request that failed shape checks, so the error can be correlated.
nlohmann::json usable_id(const nlohmann::json& v) {
  if (!v.is_object()) return nullptr;
  auto it = v.find("id");
  if (it == v.end()) return nullptr;
  if (it->is_string() || it->is_number_integer() || it->is_number_unsigned()) return *it;
  return nullptr;
}

}  // namespace

decoded decode_line(std::string_view line, const decode_limits& limits) {
  decoded out;
  if (line.size() > limits.max_bytes) {
    out.error = {invalid_request,
                 "message of " + std::to_string(line.size()) + " bytes exceeds the maximum of " +
                     std::to_string(limits.max_bytes) + " bytes (MEMORY_MCP_MAX_MESSAGE_BYTES)",
                 nullptr};
    return out;
  }
  if (nesting_depth(line, limits.max_depth) > limits.max_depth) {
    out.error = {parse_error,
                 "JSON nesting deeper than " + std::to_string(limits.max_depth) + " levels (MEMORY_MCP_MAX_JSON_DEPTH)",
                 nullptr};
    return out;
  }
  try {
    out.value = nlohmann::json::parse(line.begin(), line.end());
  } catch (const nlohmann::json::exception& e) {
    // Not only parse_error: a number too large for a double ("1e400") is out_of_range.406, thrown by the same
    // parse. Found by tools/fuzz; before, it escaped and crashed the router.
    std::string what = e.what();
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
    auto pos = what.find("] ");
    std::string detail = pos == std::string::npos ? what : what.substr(pos + 2);
    out.error = {parse_error, detail.rfind("parse error", 0) == 0 ? detail : "parse error: " + detail, nullptr};
    return out;
  }
  if (!out.value.is_object() && !out.value.is_array()) {
    out.error = {invalid_request, "a JSON-RPC message must be an object (or a batch array)", nullptr};
    return out;
  }
  out.ok = true;
  return out;
}

classified classify(const nlohmann::json& v) {
  classified out;
  auto fail = [&](int code, std::string msg) {
    out.error = {code, std::move(msg), usable_id(v)};
    return out;
  };
  if (!v.is_object()) return fail(invalid_request, "a JSON-RPC message must be an object");
  auto version = v.find("jsonrpc");
  if (version == v.end() || !version->is_string() || *version != "2.0")
    return fail(invalid_request, "field 'jsonrpc' must be the string \"2.0\"");
  auto method = v.find("method");
  auto id = v.find("id");
  if (method == v.end()) {
    if (v.contains("result") || v.contains("error")) {
      out.msg.what = message::kind::response;
      out.msg.id = id == v.end() ? nlohmann::json(nullptr) : *id;
      out.ok = true;
      return out;
    }
    return fail(invalid_request, "field 'method' is required");
  }
  if (!method->is_string()) return fail(invalid_request, "field 'method' must be a string");
  out.msg.method = method->get<std::string>();
  if (id == v.end()) {
    out.msg.what = message::kind::notification;
  } else {
    if (!(id->is_string() || id->is_number_integer() || id->is_number_unsigned()))
      return fail(invalid_request, "field 'id' must be a string or an integer");
    out.msg.what = message::kind::request;
    out.msg.id = *id;
  }
  auto params = v.find("params");
  if (params != v.end()) {
    if (!params->is_object() && !params->is_null())
      return fail(invalid_params, "field 'params' must be an object");
    out.msg.params = *params;
  }
  out.ok = true;
  return out;
}

std::string to_line(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json result_object(const nlohmann::json& id, const nlohmann::json& result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", result}};
}

nlohmann::json error_object(const nlohmann::json& id, int code, const std::string& message,
                            const nlohmann::json& data) {
  nlohmann::json err = {{"code", code}, {"message", message}};
  if (!data.is_null()) err["data"] = data;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", err}};
}

std::string result_line(const nlohmann::json& id, const nlohmann::json& result) {
  return to_line(result_object(id, result));
}

std::string error_line(const nlohmann::json& id, int code, const std::string& message, const nlohmann::json& data) {
  return to_line(error_object(id, code, message, data));
}

std::string notification_line(const std::string& method, const nlohmann::json& params) {
  return to_line({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

}  // namespace memory_mcp::jsonrpc
