// The router: the MCP protocol over JSON-RPC, independent of the transport. It parses each line, negotiates the
// protocol version, answers protocol methods itself (initialize, ping, tools/list, logging/setLevel), asks the
// rate limiter before every tools/call, validates arguments against the tool's inputSchema, dispatches to the
// actor that runs the tool without waiting for it (so a slow call never delays a ping), and writes each response
// through the stdio writer. It tracks in-flight requests for cancellation, progress and draining.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

// Protocol revisions we speak, newest first. The client's requested version is echoed when listed here.
extern const char* const supported_protocol_versions[4];

router_actor spawn_router(caf::actor_system& sys, runtime_ptr rt, supervisor_actor supervisor, peers handles);

}  // namespace memory_mcp
