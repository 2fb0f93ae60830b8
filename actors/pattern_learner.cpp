#include "actors/pattern_learner.hpp"

#include <caf/all.hpp>
#include <malloc.h>
#include <SQLiteCpp/Database.h>

#include "actors/episode_store.hpp"
#include "adapters/completion.hpp"
#include "adapters/logger.hpp"
#include "adapters/recall_commands.hpp"
#include "adapters/recall_index.hpp"
#include "adapters/sqlite_db.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

namespace {

using nlohmann::json;

// complete_episode is prepared again when steps arrive between preparing and applying; after this many
// attempts the client is told to retry.
constexpr int max_completion_attempts = 5;
// Episodes read into the recall index per slice of the initial build, and at most per call afterwards.
constexpr size_t recall_build_slice_docs = 2000;
constexpr size_t recall_catch_up_docs = 20000;
constexpr std::chrono::seconds recall_sweep_interval{60};

struct learner_state {
  static inline const char* name = "pattern_learner";
  std::unique_ptr<SQLite::Database> db;  // read-only; opened on first use (the store creates and migrates)
  std::unique_ptr<statement_cache> statements;  // of db (declared after it: destroyed first)
  episode_store_actor store;             // wired by the supervisor
  recall_index recall;                   // the completed episodes in memory; built in slices, then kept current
  std::string recall_error;
  uint64_t calls = 0;
  uint64_t completions = 0;
  uint64_t completion_retries = 0;
  std::string last_error;
};

using learner_ptr = pattern_learner_actor::stateful_pointer<learner_state>;

learning_settings settings_of(const runtime_ptr& rt) {
  return learning_settings{rt->cfg.learning_min_quality, rt->cfg.feedback_half_life_days};
}

// Opens the read connection once the store has created and migrated the database.
bool ensure_open(learner_ptr self, const runtime_ptr& rt, std::string& why) {
  auto& st = self->state;
  if (st.db) return true;
  try {
    auto db = std::make_unique<SQLite::Database>(rt->cfg.db_path, SQLite::OPEN_READONLY, 5000);
    if (current_schema_version(*db) < latest_schema_version()) {
      why = "storage is not migrated yet";
      return false;
    }
    st.statements = std::make_unique<statement_cache>(*db);
    st.db = std::move(db);
    return true;
  } catch (const std::exception& e) {
    why = e.what();
    return false;
  }
}

// Runs `fn` in one read transaction, so every statement of a command sees the same snapshot; the cached
// statements are reset before it ends, so none keeps the snapshot for the next command.
template <class Fn>
result<json> in_snapshot(SQLite::Database& db, statement_cache& statements, Fn fn) {
  try {
    db.exec("BEGIN");
    auto r = fn();
    statements.reset_all();
    db.exec("COMMIT");
    return r;
  } catch (const std::exception& e) {
    try {
      statements.reset_all();
      db.exec("ROLLBACK");
    } catch (...) {
    }
    return make_error(error_code::storage, std::string("storage error while reading: ") + e.what());
  }
}

void complete(learner_ptr self, runtime_ptr rt, tool_call call, caf::typed_response_promise<tool_reply> promise,
              int attempt) {
  auto& st = self->state;
  auto plan = in_snapshot(*st.db, *st.statements, [&] { return prepare_completion(*st.db, call.arguments.value, settings_of(rt), wall_clock_us()); });
  if (!plan) {
    promise.deliver(to_tool_reply(plan));
    return;
  }
  tool_call apply{"apply_completion", json_msg{std::move(plan.value())}, call.client_id, json_msg{nullptr}, nullptr};
  self->request(st.store, caf::infinite, call_atom::value, std::move(apply))  // the store always answers
      .then(
          [=](tool_reply& r) mutable {
            if (!r.is_error && r.structured.value.contains("retry")) {
              ++self->state.completion_retries;
              if (attempt < max_completion_attempts) return complete(self, rt, call, promise, attempt + 1);
              promise.deliver(tool_error("conflict", "episode_id: steps kept arriving while completing; nothing "
                                                  "was written, retry complete_episode"));
              return;
            }
            if (!r.is_error) ++self->state.completions;
            promise.deliver(std::move(r));
          },
          [=](caf::error&) mutable {
            promise.deliver(tool_error("unavailable", "storage is unavailable (restarting); nothing was written, retry"));
          });
}

// A recall result that asks for a recommendation session: record it through the store, then answer with
// the session's attribution (or why it could not be recorded; the recommendations stand either way).
void answer_with_session(learner_ptr self, const tool_call& call, json result,
                         caf::typed_response_promise<tool_reply> promise) {
  auto request = result[session_request_key];
  result.erase(session_request_key);
  tool_call record{"record_recommendation_session", json_msg{request}, call.client_id, json_msg{nullptr}, nullptr};
  auto reply = std::make_shared<json>(std::move(result));
  self->request(self->state.store, caf::infinite, call_atom::value, std::move(record))
      .then(
          [=](const tool_reply& r) mutable {
            auto& out = *reply;
            if (r.is_error)
              out["attribution"] = {{"episode_id", request["episode_id"]},
                                    {"receipt", {{"state", "persistence_failed"}, {"reason", r.message}}}};
            else
              out["attribution"] = {{"session_id", r.structured.value["session_id"]},
                                    {"episode_id", request["episode_id"]},
                                    {"receipt", r.structured.value["receipt"]}};
            promise.deliver(tool_reply{false, json_msg{out}, "", ""});
          },
          [=](caf::error&) mutable {
            auto& out = *reply;
            out["attribution"] = {{"episode_id", request["episode_id"]},
                                  {"receipt", {{"state", "persistence_failed"}, {"reason", "storage unavailable"}}}};
            promise.deliver(tool_reply{false, json_msg{out}, "", ""});
          });
}

pattern_learner_actor::behavior_type learner(learner_ptr self, runtime_ptr rt) {
  self->send(self, tick_atom::value);
  return {
      [=](call_atom, tool_call& call) -> caf::result<tool_reply> {
        auto& st = self->state;
        ++st.calls;
        std::string why;
        if (!ensure_open(self, rt, why)) {
          st.last_error = why;
          return tool_error("unavailable", "storage is not ready (" + why + "); nothing was done, retry");
        }
        if (call.tool == "complete_episode") {
          auto promise = self->make_response_promise<tool_reply>();
          complete(self, rt, std::move(call), promise, 1);
          return promise;
        }
        if (!has_recall_command(call.tool)) return tool_error("internal", "pattern_learner has no tool named " + call.tool);
        command_context ctx{*st.db, call.client_id, [](double, double, const std::string&) {}, settings_of(rt), st.statements.get()};
        if (st.recall.ready()) {
          // Catch up with what was committed since the last call (usually nothing or a few episodes).
          try {
            st.recall.refresh(*st.statements, recall_catch_up_docs);
          } catch (const std::exception& e) {
            st.recall_error = e.what();
          }
          ctx.recall = &st.recall;
        }
        auto r = in_snapshot(*st.db, *st.statements, [&] { return run_recall_command(ctx, call.tool, call.arguments.value); });
        if (r && r.value().contains(session_request_key)) {
          auto promise = self->make_response_promise<tool_reply>();
          answer_with_session(self, call, std::move(r.value()), promise);
          return promise;
        }
        return to_tool_reply(r);
      },
      [=](wire_atom, episode_store_actor& store) { self->state.store = std::move(store); },
      [=](tick_atom) {
        // One slice of the initial build; other messages are served between slices (until it is ready, recall
        // uses SQLite's full-text index). Once built: now and then, forget deleted episodes.
        auto& st = self->state;
        if (st.recall.ready()) {
          try {
            st.recall.sweep(*st.db);
          } catch (const std::exception& e) {
            st.recall_error = e.what();
          }
          self->delayed_send(self, recall_sweep_interval, tick_atom::value);
          return;
        }
        std::string why;
        bool again = true;
        if (ensure_open(self, rt, why)) {
          try {
            again = !st.recall.refresh(*st.statements, recall_build_slice_docs);
          } catch (const std::exception& e) {
            st.recall_error = e.what();
          }
          if (!again) ::malloc_trim(0);  // give back what building the index left free
          if (!again)
            rt->log->log(log_level::info, "pattern_learner",
                         "recall index ready: " + std::to_string(st.recall.size()) + " episodes, ~" +
                             std::to_string(st.recall.memory_bytes() >> 20) + " MiB");
        }
        if (again) self->delayed_send(self, std::chrono::milliseconds(st.db ? 1 : 100), tick_atom::value);
        else self->delayed_send(self, recall_sweep_interval, tick_atom::value);
      },
      [=](status_atom) {
        auto& st = self->state;
        std::string detail = st.db ? "read connection open; " : "read connection not open yet; ";
        detail += st.recall.ready() ? "recall index: " + std::to_string(st.recall.size()) + " episodes; "
                                    : "recall index building (" + std::to_string(st.recall.size()) + " so far); ";
        detail += std::to_string(st.calls) + " calls, " + std::to_string(st.completions) + " completions (" +
                  std::to_string(st.completion_retries) + " re-prepared)";
        if (!st.last_error.empty() && !st.db) detail += "; last error: " + st.last_error;
        return component_status{"pattern_learner", "running", 0, detail};
      },
  };
}

}  // namespace

pattern_learner_actor spawn_pattern_learner(caf::actor_system& sys, runtime_ptr rt) {
  return sys.spawn<caf::detached>(learner, std::move(rt));
}

}  // namespace memory_mcp
