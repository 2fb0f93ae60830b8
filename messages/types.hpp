// Value types carried in messages between actors. Every type here has a 0.17-style inspect() so that it prints
// with deep_to_string and could be serialized. Plain structs: copied into messages, never shared.
#pragma once

#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/actor_control_block.hpp>
#include <caf/sec.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <memory>
#include <vector>

#include "config/config.hpp"

namespace memory_mcp {

// A JSON document in a message. nlohmann::json has no CAF inspect, so it travels inside this wrapper.
struct json_msg {
  nlohmann::json value;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, json_msg& x) {
  std::string text = x.value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto load = caf::meta::load_callback([&]() -> caf::error {
    x.value = nlohmann::json::parse(text, nullptr, false);
    return x.value.is_discarded() ? caf::make_error(caf::sec::invalid_argument) : caf::error{};
  });
  return f(caf::meta::type_name("json_msg"), text, load);
}

// Whether a tool reads or writes; decides the rate-limit class and whether the call is audited as a mutation.
enum class tool_class : uint8_t { read = 0, write = 1 };

// tools/call as the router hands it to the actor that implements the tool.
struct tool_call {
  std::string tool;                   // catalog name, already known to exist
  json_msg arguments;                 // already validated against the tool's inputSchema
  std::string client_id;              // who asked (for audit and attribution)
  json_msg progress_token;            // the request's _meta.progressToken, or null
  caf::strong_actor_ptr progress_to;  // a router_actor to send (progress, token, done, total, text) to, or null
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_call& x) {
  return f(caf::meta::type_name("tool_call"), x.tool, x.arguments, x.client_id, x.progress_token, x.progress_to);
}

// The outcome of a tool: structured content on success, or an error that becomes an `isError: true` result.
struct tool_reply {
  bool is_error = false;
  json_msg structured;     // on success: the structuredContent object
  std::string error_kind;  // on error: core error_code name (invalid_argument, not_found, ...)
  std::string message;     // on error: names the field and the problem
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_reply& x) {
  return f(caf::meta::type_name("tool_reply"), x.is_error, x.structured, x.error_kind, x.message);
}

// One actor's health as reported to the supervisor's status query and the health_check tool.
struct component_status {
  std::string name;
  std::string state;   // "running", "restarting", "stopped", "failed", or an actor-specific state
  int32_t restarts = 0;
  std::string detail;  // human-readable; never contains secrets
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, component_status& x) {
  return f(caf::meta::type_name("component_status"), x.name, x.state, x.restarts, x.detail);
}

using component_list = std::vector<component_status>;

// The rate limiter's answer for one call.
struct rate_decision {
  bool allowed = true;
  int64_t retry_after_ms = 0;
  double limit_rps = 0;
  double remaining = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rate_decision& x) {
  return f(caf::meta::type_name("rate_decision"), x.allowed, x.retry_after_ms, x.limit_rps, x.remaining);
}

// One audit record. The auditor renders it as one JSON line with keys in the order
// timestamp, level, client_id, operation, result, then the details (see actors/auditor.hpp).
struct audit_event {
  std::string level = "info";  // info, warning, error
  std::string client_id;
  std::string operation;  // e.g. "tools/call:create_episode", "rate_limit", "config_reload", "authentication"
  std::string result;     // "success", "failure", "denied"
  json_msg details;       // object; secrets are redacted by the auditor before writing
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_event& x) {
  return f(caf::meta::type_name("audit_event"), x.level, x.client_id, x.operation, x.result, x.details);
}

// A new configuration after SIGHUP, already validated. Shared read-only; only ever sent inside this process.
struct config_update {
  std::shared_ptr<const config> cfg;  // null when the reload was rejected
  std::string error;                  // why it was rejected (never contains a setting's value)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, config_update&) {
  return f(caf::meta::type_name("config_update"));
}

// Storage state reported by the episode store.
struct store_status {
  bool open = false;
  int32_t schema_version = 0;
  std::string path;
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_status& x) {
  return f(caf::meta::type_name("store_status"), x.open, x.schema_version, x.path, x.detail);
}

}  // namespace memory_mcp
