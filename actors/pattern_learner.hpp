// The pattern learner: computes reward, reflection and patterns and answers the learning tools.
// This version carries no learning tools yet; it exists in the actor graph so later tools slot in.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

pattern_learner_actor spawn_pattern_learner(caf::actor_system& sys, runtime_ptr rt);

}  // namespace memory_mcp
