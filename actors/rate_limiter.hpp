// The rate limiter: one read and one write token bucket per client id; owns the bucket table.
// The table is bounded by cfg.rate_limit.max_clients; beyond it the least recently seen client is evicted
// (a fresh client starts with a full bucket, so eviction can only ever favour the evicted client).
#pragma once

#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

rate_limiter_actor spawn_rate_limiter(caf::actor_system& sys, runtime_ptr rt);

}  // namespace memory_mcp
