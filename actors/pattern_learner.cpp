#include "actors/pattern_learner.hpp"

#include <caf/all.hpp>

#include "actors/episode_store.hpp"

namespace memory_mcp {

namespace {

struct learner_state {
  static inline const char* name = "pattern_learner";
};

pattern_learner_actor::behavior_type learner(pattern_learner_actor::stateful_pointer<learner_state>, runtime_ptr) {
  return {
      [](call_atom, const tool_call& call) {
        return to_tool_reply(make_error(error_code::internal, "pattern_learner has no tool named " + call.tool));
      },
      [](status_atom) { return component_status{"pattern_learner", "running", 0, ""}; },
  };
}

}  // namespace

pattern_learner_actor spawn_pattern_learner(caf::actor_system& sys, runtime_ptr rt) {
  return sys.spawn(learner, std::move(rt));
}

}  // namespace memory_mcp
