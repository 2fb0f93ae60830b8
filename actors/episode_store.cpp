#include "actors/episode_store.hpp"

#include <caf/all.hpp>

#include "adapters/sqlite_db.hpp"
#include "adapters/store_commands.hpp"

namespace memory_mcp {

namespace {

struct store_state {
  static inline const char* name = "episode_store";
  std::unique_ptr<SQLite::Database> db;
};

episode_store_actor::behavior_type store(episode_store_actor::stateful_pointer<store_state> self, runtime_ptr rt) {
  auto opened = open_database(rt->cfg.db_path);
  if (opened) {
    self->state.db = std::move(opened.value());
  } else {
    // Exit abnormally: the supervisor restarts the store with backoff and gives up after too many attempts.
    rt->log->log(log_level::error, "episode_store", opened.err().message);
    self->quit(caf::make_error(caf::sec::runtime_error, opened.err().message));
  }
  return {
      [=](call_atom, tool_call& call) -> tool_reply {
        auto sink = caf::actor_cast<router_actor>(call.progress_to);
        auto token = call.progress_token;
        command_context ctx{*self->state.db, call.client_id,
                            [&](double done, double total, const std::string& text) {
                              if (sink && !token.value.is_null())
                                self->send(sink, progress_atom::value, token, done, total, text);
                            }};
        return to_tool_reply(run_store_command(ctx, call.tool, call.arguments.value));
      },
      [=](status_atom) {
        auto& db = *self->state.db;
        return store_status{true, current_schema_version(db), rt->cfg.db_path, "SQLite " + std::string(SQLite::getLibVersion()) + ", WAL"};
      },
  };
}

}  // namespace

tool_reply to_tool_reply(const result<nlohmann::json>& r) {
  tool_reply reply;
  if (r) {
    reply.structured.value = r.value();
  } else {
    reply.is_error = true;
    reply.error_kind = to_string(r.err().code);
    reply.message = r.err().message;
  }
  return reply;
}

episode_store_actor spawn_episode_store(caf::actor_system& sys, runtime_ptr rt) {
  return sys.spawn<caf::detached>(store, std::move(rt));
}

}  // namespace memory_mcp
