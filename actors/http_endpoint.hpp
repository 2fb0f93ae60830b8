// The HTTP endpoint: GET /health (liveness: 200 while the process serves), GET /ready (200 only when storage is
// open and the server is not draining; 503 otherwise), GET /metrics (Prometheus text, gathered by the supervisor
// from the actors that own the counters; when MEMORY_MCP_METRICS_TOKEN is set it needs "Authorization: Bearer
// <token>", and every attempt is audited as "authentication" with the peer address). Serves on cfg.http_addr, HTTPS when a certificate and key
// are configured. A bind failure does not stop the MCP service: the endpoint reports state "failed" with the
// reason, and health_check shows the server as degraded.
// Owns the httplib server and its thread; both stop when the actor exits.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

http_endpoint_actor spawn_http_endpoint(caf::actor_system& sys, runtime_ptr rt, supervisor_actor supervisor);

}  // namespace memory_mcp
