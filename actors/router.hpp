// The router: the MCP protocol over JSON-RPC, independent of the transport. It parses each line, negotiates the
// protocol version, answers protocol methods itself (initialize, ping, tools/list, logging/setLevel), asks the
// rate limiter before every tools/call, validates arguments against the tool's inputSchema, dispatches to the
// actor that runs the tool without waiting for it (so a slow call never delays a ping), and writes each response
// through the stdio writer. It tracks in-flight requests for cancellation, progress and draining.
#pragma once

#include <caf/actor_system.hpp>
#include <memory>
#include <string>

#include "actors/runtime.hpp"
#include "core/log_level.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

// Protocol revisions we speak, newest first. The client's requested version is echoed when listed here.
extern const char* const supported_protocol_versions[4];

// What initialize and logging/setLevel negotiated with the client. The supervisor creates one per process and
// hands the same instance to every router incarnation, so a restarted router continues the client's session
// (a client never re-sends initialize; without this it would get -32002 for the rest of its life). Only the live
// router reads or writes it; a new router is spawned only after the old one's down message reached the
// supervisor, which orders its writes before the new router's reads, so no lock is needed.
struct mcp_session {
  bool initialized = false;
  std::string protocol_version;
  log_level client_log_level = log_level::warning;
};

// Spawns a router that starts from `session` (a fresh one for a new process, the previous one on restart).
router_actor spawn_router(caf::actor_system& sys, runtime_ptr rt, supervisor_actor supervisor, peers handles,
                          std::shared_ptr<mcp_session> session);

}  // namespace memory_mcp
