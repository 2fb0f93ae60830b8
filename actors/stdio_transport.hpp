// The stdio transport: a reader that turns stdin bytes into lines for the router, and a writer that owns stdout.
// Framing is newline-delimited JSON-RPC: one message per line, '\r' before '\n' tolerated.
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

// Spawns the writer (detached: writing may block). Writes go to file descriptor `fd` (1 in production).
stdio_writer_actor spawn_stdio_writer(caf::actor_system& sys, runtime_ptr rt, int fd);

// Spawns the reader (detached, blocking). It polls `fd` every 100 ms so it notices exit messages; sends
// (line) for each complete line, (oversized, bytes) for each line over cfg.max_message_bytes (the bytes are
// discarded up to the next newline, the server keeps serving), and (eof) once when the input ends, after which
// it finishes normally. It accepts (wire, router_actor) to follow a restarted router.
caf::actor spawn_stdio_reader(caf::actor_system& sys, runtime_ptr rt, router_actor router, int fd);

}  // namespace memory_mcp
