#include "actors/turso_syncer.hpp"

#include <caf/all.hpp>

namespace memory_mcp {

namespace {

struct syncer_state {
  static inline const char* name = "turso_syncer";
};

turso_syncer_actor::behavior_type syncer(turso_syncer_actor::stateful_pointer<syncer_state>, runtime_ptr rt) {
  return {
      [rt](status_atom) {
        if (rt->cfg.turso_url.empty())
          return component_status{"turso_syncer", "disabled", 0, "local only (TURSO_DATABASE_URL not set)"};
        return component_status{"turso_syncer", "unavailable", 0,
                                "replication to Turso is not implemented in this version; data stays local"};
      },
  };
}

}  // namespace

turso_syncer_actor spawn_turso_syncer(caf::actor_system& sys, runtime_ptr rt) {
  return sys.spawn(syncer, std::move(rt));
}

}  // namespace memory_mcp
