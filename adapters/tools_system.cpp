// Tools about the server itself: health_check; and, in test builds only, the fault-injection hooks.
#include "adapters/tool_catalog.hpp"

namespace memory_mcp {

using nlohmann::json;

std::vector<tool_def> system_tools() {
  json component = {{"type", "object"},
                    {"properties",
                     {{"name", {{"type", "string"}}},
                      {"state", {{"type", "string"}}},
                      {"restarts", {{"type", "integer"}}},
                      {"detail", {{"type", "string"}}}}},
                    {"required", {"name", "state", "restarts"}}};
  json output = {{"type", "object"},
                 {"properties",
                  {{"status", {{"type", "string"}, {"enum", {"healthy", "degraded", "unhealthy"}}}},
                   {"version", {{"type", "string"}}},
                   {"timestamp", {{"type", "string"}, {"format", "date-time"}}},
                   {"uptime_seconds", {{"type", "number"}}},
                   {"protocol_version", {{"type", "string"}}},
                   {"storage",
                    {{"type", "object"},
                     {"properties",
                      {{"open", {{"type", "boolean"}}},
                       {"path", {{"type", "string"}}},
                       {"schema_version", {{"type", "integer"}}},
                       {"detail", {{"type", "string"}}}}},
                     {"required", {"open"}}}},
                   {"components", {{"type", "array"}, {"items", component}}}}},
                 {"required", {"status", "version", "timestamp", "uptime_seconds", "storage", "components"}}};
  tool_def health;
  health.name = "health_check";
  health.title = "Health check";
  health.description =
      "Report the server's real state: storage open and migrated, each actor's state and restart count, uptime "
      "and version. status is healthy when storage is open and every actor runs, degraded when an optional part "
      "(HTTP endpoint, sync) is down, unhealthy when storage is not open.";
  health.input_schema = object_schema(json::object());
  health.output_schema = output;
  return {health};
}

std::vector<tool_def> test_hook_tools() {
#ifdef MEMORY_MCP_TEST_HOOKS
  tool_def sleep;
  sleep.name = "debug_sleep";
  sleep.title = "Test hook: slow storage call";
  sleep.description = "Test builds only. Occupies the episode store for ms milliseconds in `steps` slices, "
                      "sending progress after each slice when the call carries a progressToken.";
  sleep.input_schema = object_schema({{"ms", {{"type", "integer"}, {"minimum", 0}, {"maximum", 60000}}},
                                      {"steps", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}}},
                                     {"ms"});
  sleep.output_schema = {{"type", "object"}, {"properties", {{"slept_ms", {{"type", "integer"}}}}}};
  sleep.target = tool_target::episode_store;

  tool_def crash;
  crash.name = "debug_crash";
  crash.title = "Test hook: crash an actor";
  crash.description = "Test builds only. Makes the supervisor kill the named actor abnormally, as a crash would.";
  crash.input_schema = object_schema(
      {{"actor",
        {{"type", "string"},
         {"enum", {"rate_limiter", "auditor", "episode_store", "pattern_learner", "turso_syncer", "http_endpoint",
                   "stdio_writer", "stdio_reader", "router"}}}}},
      {"actor"});
  crash.output_schema = {{"type", "object"}, {"properties", {{"crashed", {{"type", "string"}}}}}};
  crash.read_only = false;
  crash.destructive = true;
  crash.idempotent = false;
  return {sleep, crash};
#else
  return {};
#endif
}

}  // namespace memory_mcp
