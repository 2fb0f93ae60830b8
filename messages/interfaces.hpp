// The vocabulary between actors: atoms, the typed interface of every actor, and the one type-ID block.
// Each interface lists request -> reply; the comments give meaning, errors and side effects.
#pragma once

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "messages/types.hpp"

namespace memory_mcp {

using line_atom = caf::atom_constant<caf::atom("line")>;
using oversized_atom = caf::atom_constant<caf::atom("oversized")>;
using eof_atom = caf::atom_constant<caf::atom("eof")>;
using write_atom = caf::atom_constant<caf::atom("write")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using call_atom = caf::atom_constant<caf::atom("call")>;
using check_atom = caf::atom_constant<caf::atom("check")>;
using audit_atom = caf::atom_constant<caf::atom("audit")>;
using crash_atom = caf::atom_constant<caf::atom("crash")>;
using wire_atom = caf::atom_constant<caf::atom("wire")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using log_atom = caf::atom_constant<caf::atom("log")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using reload_atom = caf::atom_constant<caf::atom("reload")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;
using report_atom = caf::atom_constant<caf::atom("report")>;
using tick_atom = caf::tick_atom;

// stdio writer: owns stdout. Writes each line followed by '\n' and flushes; nothing else ever touches stdout.
//   (write, line)            -> (no reply)   line MUST NOT contain '\n'
//   (drain)                  -> ok           after every earlier write is flushed
using stdio_writer_actor =
    caf::typed_actor<caf::reacts_to<write_atom, std::string>, caf::replies_to<drain_atom>::with<caf::ok_atom>>;

// rate limiter: owns the bucket table.
//   (check, client_id, is_write) -> rate_decision   takes one token from the client's read or write bucket
//   (status)                     -> component_status
//   (reload, config_update)     -> (no reply)   new rates apply to new calls; the bucket table starts afresh
using rate_limiter_actor = caf::typed_actor<caf::replies_to<check_atom, std::string, bool>::with<rate_decision>,
                                            caf::replies_to<status_atom>::with<component_status>,
                                            caf::reacts_to<reload_atom, config_update>,
                                            caf::replies_to<metrics_atom>::with<std::string>>;

// auditor: owns the audit sink (file, stderr or syslog).
//   (audit, event)  -> (no reply)   writes one JSON line; failures are counted and reported in status
//   (check, event)  -> bool         writes one JSON line and says whether it reached the sink (fail-closed mode:
//                                   the router runs a mutating call only after its "started" line was written)
//   (status)        -> component_status
//   (reload, config_update) -> (no reply)  applies the new audit settings and reopens the file (logrotate's
//                                          `create` rotation: the renamed file is closed, a new 0600 one opened)
using auditor_actor = caf::typed_actor<caf::reacts_to<audit_atom, audit_event>,
                                       caf::replies_to<check_atom, audit_event>::with<bool>,
                                       caf::replies_to<status_atom>::with<component_status>,
                                       caf::reacts_to<reload_atom, config_update>,
                                       caf::replies_to<metrics_atom>::with<std::string>>;

// episode store: owns the SQLite connection; runs detached because SQLite blocks.
//   (call, tool_call) -> tool_reply     runs one storage command; replies only after its transaction committed
//                                       (group commit: calls queued together share one transaction and fsync;
//                                       each runs in its own savepoint, so one failure rolls back only itself)
//   (commit)          -> (no reply)     internal: ends the current group, commits, then delivers the replies
//   (status)          -> store_status
using episode_store_actor = caf::typed_actor<caf::replies_to<call_atom, tool_call>::with<tool_reply>,
                                             caf::reacts_to<commit_atom>,
                                             caf::replies_to<status_atom>::with<store_status>,
                                             caf::replies_to<metrics_atom>::with<std::string>>;

// pattern learner: the learning half of complete_episode and every recall tool, on its own read connection.
//   (call, tool_call)  -> tool_reply   complete_episode: prepares reward, reflection, quality and pattern
//                                      observations, has the store apply them (apply_completion) and answers with
//                                      the store's reply once committed; re-prepares when steps arrived meanwhile.
//                                      Recall tools (query_memory, *_patterns, recommend_playbook, ...): read only,
//                                      except that recommend_* with episode_id record a session through the store.
//   (wire, store)      -> (no reply)   the current episode store (sent again after every store restart)
//   (status)           -> component_status
//   (tick)             -> (no reply)   internal: build the in-memory recall index a slice at a time
using pattern_learner_actor = caf::typed_actor<caf::replies_to<call_atom, tool_call>::with<tool_reply>,
                                               caf::reacts_to<wire_atom, episode_store_actor>,
                                               caf::replies_to<status_atom>::with<component_status>,
                                               caf::reacts_to<tick_atom>>;

// Turso syncer: replication to Turso/libSQL when configured (adapters/replication.hpp). A detached worker it
// owns does the blocking work (SQLite, HTTPS) and reports after each cycle; this actor answers from the latest
// report at once, so health and metrics never wait for the network.
//   (status)                -> component_status   disabled, running, or degraded (remote unreachable or refusing;
//                                                 writes continue locally and queue in the outbox)
//   (metrics)               -> std::string        Prometheus text: outbox depth, lag, last success, errors
//   (reload, config_update) -> (no reply)         a new TURSO_AUTH_TOKEN applies to the next request
//   (report, json_msg)      -> (no reply)         internal: the worker's latest figures
using turso_syncer_actor = caf::typed_actor<caf::replies_to<status_atom>::with<component_status>,
                                            caf::replies_to<metrics_atom>::with<std::string>,
                                            caf::reacts_to<reload_atom, config_update>,
                                            caf::reacts_to<report_atom, json_msg>>;

// HTTP endpoint: health, readiness and metrics over HTTP.
//   (status) -> component_status   "listening on ADDR", "disabled", or the bind failure
//   (reload, config_update) -> (no reply)   a new MEMORY_MCP_METRICS_TOKEN applies to the next request
using http_endpoint_actor = caf::typed_actor<caf::replies_to<status_atom>::with<component_status>,
                                             caf::reacts_to<reload_atom, config_update>>;

// The handles the router needs. The supervisor sends a fresh copy whenever it restarts one of them.
struct peers {
  stdio_writer_actor writer;
  rate_limiter_actor limiter;
  auditor_actor auditor;
  episode_store_actor store;
  pattern_learner_actor learner;
  turso_syncer_actor syncer;
  http_endpoint_actor http;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peers& x) {
  return f(caf::meta::type_name("peers"), x.writer, x.limiter, x.auditor, x.store, x.learner, x.syncer, x.http);
}

// router: the MCP protocol, transport-agnostic. Transports feed it lines; it answers through the writer.
//   (line, text)                 -> (no reply)   one complete JSON-RPC message (no trailing newline)
//   (oversized, bytes)           -> (no reply)   the transport dropped a line longer than the limit
//   (eof)                        -> (no reply)   the client closed its side; the router asks for shutdown
//   (drain)                      -> ok           once no request is in flight (or the shutdown timeout passed)
//   (wire, peers)                -> (no reply)   new handles after a restart
//   (log, level, logger, text)   -> (no reply)   forwarded to the client as notifications/message if enabled
//   (progress, token, done, total, text) -> (no reply)  notifications/progress for a live request with that
//                                                 progressToken; dropped if the request finished or was cancelled
using router_actor = caf::typed_actor<
    caf::reacts_to<line_atom, std::string>, caf::reacts_to<oversized_atom, uint64_t>, caf::reacts_to<eof_atom>,
    caf::replies_to<drain_atom>::with<caf::ok_atom>, caf::reacts_to<wire_atom, peers>,
    caf::reacts_to<log_atom, std::string, std::string, std::string>,
    caf::reacts_to<progress_atom, json_msg, double, double, std::string>,
    caf::reacts_to<reload_atom, config_update>, caf::replies_to<metrics_atom>::with<std::string>>;

// supervisor: the root. Spawns, watches and restarts every other actor.
//   (status)                -> component_list   every child's state and restart count
//   (shutdown, exit_code)   -> (no reply)       drain, stop children in order, then quit with exit_code
//   (restart, name)         -> (no reply)       internal: backoff timer fired for `name`
//   (crash, name)           -> bool             test builds only: crash the named child (false if unknown)
//   (reload, config_update) -> (no reply)       SIGHUP: later spawns use it; limiter, auditor, router and HTTP
//                                               endpoint get it
//   (audit, event)          -> (no reply)       forwarded to the auditor that runs now (for actors that must not
//                                               hold an auditor handle across its restarts, e.g. HTTP handlers)
//   (status, component_status) -> (no reply)    a running child reports its own state (e.g. the syncer:
//                                               degraded); status and /ready show it
using supervisor_actor =
    caf::typed_actor<caf::replies_to<status_atom>::with<component_list>, caf::reacts_to<shutdown_atom, int32_t>,
                     caf::reacts_to<restart_atom, std::string>, caf::replies_to<crash_atom, std::string>::with<bool>,
                     caf::reacts_to<reload_atom, config_update>, caf::replies_to<metrics_atom>::with<std::string>,
                     caf::reacts_to<audit_atom, audit_event>, caf::reacts_to<status_atom, component_status>>;

}  // namespace memory_mcp

CAF_BEGIN_TYPE_ID_BLOCK(memory_mcp, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::json_msg))
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::tool_call))
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::tool_reply))
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::component_status))
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::component_list))
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::rate_decision))
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::audit_event))
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::store_status))
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::peers))
  CAF_ADD_TYPE_ID(memory_mcp, (memory_mcp::config_update))
CAF_END_TYPE_ID_BLOCK(memory_mcp)
