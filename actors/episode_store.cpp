#include "actors/episode_store.hpp"

#include <caf/all.hpp>

#include "adapters/prometheus.hpp"
#include "adapters/sqlite_db.hpp"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include "adapters/store_commands.hpp"

namespace memory_mcp {

namespace {

// Checkpoint the WAL once it holds this many pages (SQLite's own default threshold), on another connection.
constexpr int wal_pages_checkpoint = 4000;

// The checkpointer: a connection of its own that copies the WAL into the database when the store asks. SQLite's
// automatic checkpoint would run inside a COMMIT and add tens of milliseconds to whichever call it hit;
// on this connection it runs beside the store's writes (a PASSIVE checkpoint never blocks readers or writers).
// Internal to the store, linked to it.
using checkpointer_actor = caf::typed_actor<caf::reacts_to<tick_atom>>;

struct checkpointer_state {
  static inline const char* name = "episode_store_checkpointer";
  std::unique_ptr<SQLite::Database> db;
};

checkpointer_actor::behavior_type checkpointer(checkpointer_actor::stateful_pointer<checkpointer_state> self,
                                               std::string path) {
  return {
      [=](tick_atom) {
        auto& st = self->state;
        try {
          if (!st.db) st.db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE, 5000);
          st.db->exec("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (const std::exception&) {
          st.db.reset();  // the data stays in the WAL; the next request tries again
        }
      },
  };
}

struct pending_reply {
  caf::typed_response_promise<tool_reply> promise;
  tool_reply reply;
};

struct store_state {
  static inline const char* name = "episode_store";
  std::unique_ptr<SQLite::Database> db;
  std::unique_ptr<statement_cache> statements;  // of db
  bool in_group = false;               // a BEGIN IMMEDIATE is open
  std::vector<pending_reply> pending;  // replies waiting for the group's COMMIT
  uint64_t groups = 0;
  uint64_t calls = 0;
  int wal_pages = 0;          // frames in the WAL after the last commit (sqlite3_wal_hook)
  uint64_t checkpoints = 0;   // requested from the checkpointer
  checkpointer_actor checkpoints_to;
  std::string last_metrics_error;
  ~store_state() {
    if (db && in_group) {
      try {
        db->exec("ROLLBACK");  // never acknowledged, so nothing is lost
      } catch (...) {
      }
    }
  }
};

using store_ptr = episode_store_actor::stateful_pointer<store_state>;

void commit_group(store_ptr self) {
  auto& st = self->state;
  if (!st.in_group) return;
  st.in_group = false;
  bool committed = true;
  std::string why;
  try {
    st.db->exec("COMMIT");
  } catch (const std::exception& e) {
    committed = false;
    why = e.what();
    try {
      st.db->exec("ROLLBACK");
    } catch (...) {
    }
  }
  ++st.groups;
  auto pending = std::move(st.pending);
  st.pending.clear();
  for (auto& p : pending) {
    if (committed || p.reply.is_error) p.promise.deliver(std::move(p.reply));
    else p.promise.deliver(tool_error("storage", "commit failed, nothing was written: " + why));
  }
  if (st.wal_pages >= wal_pages_checkpoint && st.checkpoints_to) {
    self->send(st.checkpoints_to, tick_atom::value);
    st.wal_pages = 0;  // the hook reports the WAL's size again after the next commit
    ++st.checkpoints;
  }
}

// Before the store exits (shutdown, crash, fault injection): roll back the open group and tell every waiting
// caller that nothing was written, so no client waits for a reply that will never come.
void abandon_group(store_ptr self, const std::string& why) {
  auto& st = self->state;
  if (st.in_group && st.db) {
    try {
      st.db->exec("ROLLBACK");
    } catch (...) {
    }
  }
  st.in_group = false;
  auto pending = std::move(st.pending);
  st.pending.clear();
  for (auto& p : pending) p.promise.deliver(tool_error("unavailable", "storage stopped (" + why + "); nothing was written, retry"));
}

episode_store_actor::behavior_type store(store_ptr self, runtime_ptr rt) {
  self->set_exit_handler([=](caf::exit_msg& em) {
    abandon_group(self, self->system().render(em.reason));
    self->quit(em.reason);
  });
  self->set_exception_handler([=](std::exception_ptr& eptr) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    abandon_group(self, what);
    return caf::make_error(caf::sec::runtime_error, what);
  });
  auto opened = open_database(rt->cfg.db_path);
  if (opened) {
    self->state.db = std::move(opened.value());
    self->state.db->exec("PRAGMA wal_autocheckpoint=0");  // the checkpointer does it, off this thread
    self->state.checkpoints_to = self->spawn<caf::detached + caf::linked>(checkpointer, rt->cfg.db_path);
    sqlite3_wal_hook(
        self->state.db->getHandle(),
        [](void* pages, sqlite3*, const char*, int n) {
          *static_cast<int*>(pages) = n;
          return SQLITE_OK;
        },
        &self->state.wal_pages);
    self->state.statements = std::make_unique<statement_cache>(*self->state.db);
  } else {
    // Exit abnormally: the supervisor restarts the store with backoff and gives up after too many attempts.
    rt->log->log(log_level::error, "episode_store", opened.err().message);
    self->quit(caf::make_error(caf::sec::runtime_error, opened.err().message));
  }
  return {
      [=](call_atom, tool_call& call) -> caf::result<tool_reply> {
        auto& st = self->state;
        ++st.calls;
        if (!st.in_group) {
          try {
            st.db->exec("BEGIN IMMEDIATE");
          } catch (const std::exception& e) {
            return tool_error("unavailable", std::string("database is busy, nothing was done; retry: ") + e.what());
          }
          st.in_group = true;
          // Every call already queued runs before this message, so they all share one commit.
          self->send(self, commit_atom::value);
        }
        auto sink = caf::actor_cast<router_actor>(call.progress_to);
        auto token = call.progress_token;
        command_context ctx{*st.db, call.client_id,
                            [&](double done, double total, const std::string& text) {
                              if (sink && !token.value.is_null())
                                self->send(sink, progress_atom::value, token, done, total, text);
                            },
                            learning_settings{rt->cfg.learning_min_quality, rt->cfg.feedback_half_life_days},
                            st.statements.get()};
        tool_reply reply;
        try {
          ctx.prepared("SAVEPOINT call").exec();
          auto r = run_store_command(ctx, call.tool, call.arguments.value);
          if (!r) ctx.prepared("ROLLBACK TO call").exec();
          ctx.prepared("RELEASE call").exec();
          reply = to_tool_reply(r);
        } catch (const std::exception& e) {
          try {
            st.db->exec("ROLLBACK TO call; RELEASE call");
          } catch (...) {
          }
          reply = tool_error("storage", std::string("storage error, nothing was written: ") + e.what());
        }
        auto promise = self->make_response_promise<tool_reply>();
        st.pending.push_back(pending_reply{promise, std::move(reply)});
        return promise;
      },
      [=](commit_atom) { commit_group(self); },
      [=](metrics_atom) -> std::string {
        auto& st = self->state;
        metrics_text m;
        std::vector<std::pair<metric_labels, double>> episodes;
        try {
          SQLite::Statement q(*st.db,
                              "SELECT end_time_us IS NOT NULL, COUNT(*) FROM episodes GROUP BY end_time_us IS NOT NULL");
          double done = 0, open = 0;
          while (q.executeStep()) (q.getColumn(0).getInt() ? done : open) = static_cast<double>(q.getColumn(1).getInt64());
          episodes = {{{{"status", "in_progress"}}, open}, {{{"status", "completed"}}, done}};
        } catch (const std::exception& e) {
          st.last_metrics_error = e.what();
        }
        if (!episodes.empty()) m.family("memory_mcp_episodes", "gauge", "Stored episodes by status.", episodes);
        std::vector<std::pair<metric_labels, double>> patterns;
        try {
          for (const char* kind : {"tool_sequence", "decision_point", "error_recovery", "context_pattern", "heuristic"})
            patterns.push_back({{{"kind", kind}}, 0.0});
          SQLite::Statement q(*st.db, "SELECT kind, COUNT(*) FROM patterns GROUP BY kind");
          while (q.executeStep())
            for (auto& [labels, value] : patterns)
              if (labels[0].second == q.getColumn(0).getString()) value = static_cast<double>(q.getColumn(1).getInt64());
        } catch (const std::exception& e) {
          st.last_metrics_error = e.what();
          patterns.clear();
        }
        if (!patterns.empty()) m.family("memory_mcp_patterns", "gauge", "Learned patterns by kind.", patterns);
        m.family("memory_mcp_store_calls_total", "counter", "Storage commands run.", {{{}, static_cast<double>(st.calls)}});
        m.family("memory_mcp_store_commits_total", "counter", "Group commits (one fsync each).",
                 {{{}, static_cast<double>(st.groups)}});
        m.family("memory_mcp_store_checkpoints_total", "counter", "WAL checkpoints requested from the checkpointer connection.",
                 {{{}, static_cast<double>(st.checkpoints)}});
        return m.text();
      },
      [=](status_atom) {
        auto& st = self->state;
        return store_status{true, current_schema_version(*st.db), rt->cfg.db_path,
                            "SQLite " + std::string(SQLite::getLibVersion()) + ", WAL; " + std::to_string(st.calls) +
                                " calls in " + std::to_string(st.groups) + " commits"};
      },
  };
}

}  // namespace

tool_reply tool_error(const std::string& kind, const std::string& message) {
  tool_reply r;
  r.is_error = true;
  r.error_kind = kind;
  r.message = message;
  return r;
}

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
