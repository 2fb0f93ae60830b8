#include "actors/turso_syncer.hpp"

#include <caf/all.hpp>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <random>

#include "adapters/hrana_client.hpp"
#include "adapters/logger.hpp"
#include "adapters/prometheus.hpp"
#include "adapters/replication.hpp"
#include "adapters/sqlite_db.hpp"

namespace memory_mcp {

namespace {

using nlohmann::json;

// The worker: owns the replication connection and the Hrana client; blocks on both. Internal to this file.
//   (tick)                  run one cycle (push, then pull), report, and schedule the next tick
//   (reload, config_update) use the new token from the next request on; retry at once
using sync_worker_actor = caf::typed_actor<caf::reacts_to<tick_atom>, caf::reacts_to<reload_atom, config_update>>;

constexpr int max_batches_per_cycle = 20;          // then pull, report, and continue at once
constexpr int64_t max_backoff_ms = 30000;
constexpr int failures_to_open_circuit = 3;

struct worker_state {
  static inline const char* name = "turso_sync_worker";
  std::unique_ptr<SQLite::Database> db;
  std::unique_ptr<hrana_client> client;
  std::string origin;
  bool remote_ready = false;
  int consecutive_failures = 0;
  int64_t backoff_ms = 0;
  std::mt19937 rng{std::random_device{}()};
  // Figures reported to the front.
  int64_t pushed_changes = 0, pushed_batches = 0, pulled_changes = 0, applied = 0, skipped = 0, snapshot_rows = 0;
  int64_t last_push_ok_us = 0, last_pull_ok_us = 0, last_success_us = 0;
  std::map<std::string, int64_t> errors;  // by kind
  std::string last_error;
  std::string state = "starting";
  int64_t next_attempt_us = 0;  // monotonic: no cycle before this (backoff)
};

using worker_ptr = sync_worker_actor::stateful_pointer<worker_state>;

hrana_endpoint endpoint_of(const config& cfg) {
  auto hp = parse_libsql_url(cfg.turso_url);
  hrana_endpoint e;
  e.host = hp ? hp->host : "";
  e.port = hp ? hp->port : 443;
  e.ca_cert_path = cfg.turso_ca_cert_path;
  e.client_cert_path = cfg.turso_tls_cert_path;
  e.client_key_path = cfg.turso_tls_key_path;
  return e;
}

class sync_logic {
 public:
  sync_logic(worker_ptr self, runtime_ptr rt, turso_syncer_actor front, supervisor_actor supervisor)
      : self_(self), rt_(std::move(rt)), front_(std::move(front)), supervisor_(std::move(supervisor)) {}

  void on_reload(const config& cfg) {
    bool token_changed = cfg.turso_auth_token != rt_->cfg.turso_auth_token;
    rt_ = with_config(rt_, cfg);
    if (st().client) st().client->set_token(cfg.turso_auth_token);
    if (token_changed) {
      rt_->log->log(log_level::notice, "turso_syncer", "new auth token in use");
      st().backoff_ms = 0;  // try the new token now
      st().consecutive_failures = 0;
    }
  }

  // One cycle; returns the delay in ms before the next.
  int64_t cycle() {
    if (!open_local()) return report(), 1000;
    if (!st().client) st().client = std::make_unique<hrana_client>(endpoint_of(rt_->cfg), rt_->cfg.turso_auth_token);
    bool more = false;
    bool ok = (st().remote_ready || prepare_remote()) && push(more) && pull(more);
    if (ok) {
      st().consecutive_failures = 0;
      st().backoff_ms = 0;
      st().last_success_us = wall_clock_us();
      st().state = "running";
    } else {
      ++st().consecutive_failures;
      // Exponential backoff with jitter (0.5x..1.5x), capped.
      int64_t base = std::min<int64_t>(max_backoff_ms, rt_->cfg.sync_interval_ms << std::min(st().consecutive_failures, 10));
      std::uniform_real_distribution<double> jitter(0.5, 1.5);
      st().backoff_ms = std::min<int64_t>(max_backoff_ms, static_cast<int64_t>(static_cast<double>(base) * jitter(st().rng)));
      st().state = "degraded";
    }
    report();
    if (!ok) return st().backoff_ms;
    return more ? 0 : rt_->cfg.sync_interval_ms;
  }

  // Sends the current figures to the front (also between cycles, while backing off).
  void report() {
    json r = {{"state", st().state},
              {"origin", st().origin},
              {"consecutive_failures", st().consecutive_failures},
              {"backoff_ms", st().backoff_ms},
              {"circuit_open", st().consecutive_failures >= failures_to_open_circuit},
              {"pushed_changes", st().pushed_changes},
              {"pushed_batches", st().pushed_batches},
              {"pulled_changes", st().pulled_changes},
              {"applied", st().applied},
              {"skipped", st().skipped},
              {"snapshot_rows", st().snapshot_rows},
              {"last_push_ok_us", st().last_push_ok_us},
              {"last_pull_ok_us", st().last_pull_ok_us},
              {"last_success_us", st().last_success_us},
              {"errors", st().errors},
              {"last_error", st().last_error}};
    if (st().db) {
      try {
        auto o = read_outbox_stats(*st().db);
        r["outbox_depth"] = o.depth;
        r["oldest_outbox_at_us"] = o.oldest_at_us;
        r["pulled_seq"] = pulled_seq(*st().db);
      } catch (const std::exception&) {
      }
    }
    self_->send(front_, report_atom::value, json_msg{r});
  }

 private:
  worker_state& st() { return self_->state; }

  bool open_local() {
    if (st().db) return true;
    auto db = open_database(rt_->cfg.db_path, open_options{5000, false});
    if (!db || current_schema_version(*db.value()) < latest_schema_version()) {
      st().last_error = db ? "local database not migrated yet" : db.err().message;
      return false;
    }
    st().db = std::move(db.value());
    try {
      SQLite::Transaction tx(*st().db, SQLite::TransactionBehavior::IMMEDIATE);
      st().origin = sync_origin(*st().db);
      st().snapshot_rows = enable_capture(*st().db);
      tx.commit();
    } catch (const std::exception& e) {
      st().last_error = std::string("cannot enable change capture: ") + e.what();
      st().db.reset();
      return false;
    }
    if (st().snapshot_rows > 0)
      rt_->log->log(log_level::info, "turso_syncer",
                    "first sync: queued " + std::to_string(st().snapshot_rows) + " existing rows for replication");
    return true;
  }

  void failed(const hrana_error& e, const char* during) {
    ++st().errors[to_string(e.what)];
    st().last_error = std::string(during) + ": " + e.message;
    if (e.what == hrana_error::kind::auth) {
      self_->send(supervisor_, audit_atom::value,
                  audit_event{"warning", "turso_syncer", "sync_authentication", "failure",
                              json_msg{{{"host", endpoint_of(rt_->cfg).host}, {"http_status", e.http_status}}}});
    }
    if (st().consecutive_failures == 0)
      rt_->log->log(log_level::warning, "turso_syncer", st().last_error + "; writes continue locally and are queued");
    if (e.what != hrana_error::kind::sql) st().remote_ready = false;  // re-check the remote schema after an outage
  }

  bool prepare_remote() {
    auto& db = *st().db;
    auto created = st().client->transaction(remote_schema(db));
    if (!created.ok()) return failed(created.error, "creating the remote schema"), false;
    std::vector<hrana_stmt> migrate;
    for (auto& t : replicated_tables()) {
      auto cols = st().client->execute({"SELECT name FROM pragma_table_info(?)", {t.name}});
      if (!cols.ok()) return failed(cols.error, "reading the remote schema"), false;
      std::vector<std::string> names;
      for (auto& r : cols.value->rows)
        if (!r.empty() && r[0].is_string()) names.push_back(r[0].get<std::string>());
      for (auto& s : remote_missing_columns(db, t, names)) migrate.push_back(s);
    }
    if (!migrate.empty()) {
      auto m = st().client->transaction(migrate);
      if (!m.ok()) return failed(m.error, "migrating the remote schema"), false;
    }
    st().remote_ready = true;
    return true;
  }

  bool push(bool& more) {
    auto& db = *st().db;
    for (int batch = 0; batch < max_batches_per_cycle; ++batch) {
      std::vector<outbox_entry> entries;
      std::vector<change> changes;
      {
        SQLite::Transaction snapshot(db);  // one consistent read of the outbox and the rows
        entries = read_outbox(db, rt_->cfg.sync_batch_rows);
        changes = collect_changes(db, entries);
        snapshot.commit();
      }
      if (entries.empty()) return true;
      std::vector<hrana_stmt> stmts;
      for (auto& c : changes)
        for (auto& s : remote_statements(c, st().origin)) stmts.push_back(std::move(s));
      if (!stmts.empty()) {
        auto r = st().client->transaction(stmts);
        if (!r.ok()) return failed(r.error, "shipping changes"), false;
      }
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      trim_outbox(db, entries.back().seq);
      tx.commit();
      st().pushed_changes += static_cast<int64_t>(changes.size());
      ++st().pushed_batches;
      st().last_push_ok_us = wall_clock_us();
      if (entries.size() < rt_->cfg.sync_batch_rows) return true;
    }
    more = true;  // the outbox still holds entries: continue without waiting
    return true;
  }

  bool pull(bool& more) {
    auto& db = *st().db;
    auto after = pulled_seq(db);
    auto r = st().client->pipeline({{"SELECT COALESCE(MAX(seq), 0) FROM mm_changes", {}},
                                    remote_feed_query(after, st().origin, rt_->cfg.sync_batch_rows)});
    if (!r.ok()) return failed(r.error, "reading the change feed"), false;
    int64_t newest = 0;
    if (!(*r.value)[0].rows.empty() && (*r.value)[0].rows[0][0].is_number_integer())
      newest = (*r.value)[0].rows[0][0].get<int64_t>();
    std::vector<remote_change> changes;
    for (auto& row : (*r.value)[1].rows)
      if (auto c = feed_row(row)) changes.push_back(std::move(*c));
    bool full = changes.size() >= rt_->cfg.sync_batch_rows;
    int64_t through = full ? changes.back().seq : std::max(newest, changes.empty() ? after : changes.back().seq);
    if (through <= after && changes.empty()) {
      st().last_pull_ok_us = wall_clock_us();
      return true;
    }
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto applied = apply_remote_changes(db, changes, rt_->cfg.learning_min_quality);
    set_pulled_seq(db, through);
    tx.commit();
    for (auto& p : applied.problems) rt_->log->log(log_level::warning, "turso_syncer", "skipped a remote change: " + p);
    st().pulled_changes += static_cast<int64_t>(changes.size());
    st().applied += applied.applied;
    st().skipped += applied.skipped_older + applied.skipped_deleted + applied.skipped_invalid;
    st().last_pull_ok_us = wall_clock_us();
    if (full) more = true;
    return true;
  }

  worker_ptr self_;
  runtime_ptr rt_;
  turso_syncer_actor front_;
  supervisor_actor supervisor_;
};

sync_worker_actor::behavior_type worker(worker_ptr self, runtime_ptr rt, turso_syncer_actor front,
                                        supervisor_actor supervisor) {
  auto logic = std::make_shared<sync_logic>(self, rt, front, supervisor);
  self->send(self, tick_atom::value);
  return {
      [=](tick_atom) {
        // While backing off, wake every second to report fresh local figures (the outbox keeps growing).
        auto now = monotonic_us();
        int64_t delay = 1000;
        if (now < self->state.next_attempt_us) {
          logic->report();
          delay = std::min<int64_t>(1000, (self->state.next_attempt_us - now) / 1000 + 1);
        } else {
          try {
            delay = logic->cycle();
          } catch (const std::exception& e) {
            // A local storage error (busy past the timeout, disk full): nothing was trimmed or applied; retry.
            rt->log->log(log_level::error, "turso_syncer", std::string("sync cycle failed: ") + e.what());
          }
          self->state.next_attempt_us = now + delay * 1000;
          delay = std::min<int64_t>(delay, 1000);
        }
        if (delay <= 0) self->send(self, tick_atom::value);
        else self->delayed_send(self, std::chrono::milliseconds(delay), tick_atom::value);
      },
      [=](reload_atom, const config_update& update) {
        if (update.cfg) logic->on_reload(*update.cfg);
        self->state.next_attempt_us = 0;  // try at once (e.g. with a new token)
        self->send(self, tick_atom::value);
      },
  };
}

struct syncer_state {
  static inline const char* name = "turso_syncer";
  json report = json::object();
  sync_worker_actor worker;
  std::string reported_state;  // last state told to the supervisor
};

using syncer_ptr = turso_syncer_actor::stateful_pointer<syncer_state>;

component_status status_of(const runtime_ptr& rt, const syncer_state& st) {
  if (rt->cfg.turso_url.empty())
    return component_status{"turso_syncer", "disabled", 0, "local only (TURSO_DATABASE_URL not set)"};
  const auto& r = st.report;
  if (r.empty()) return component_status{"turso_syncer", "running", 0, "starting"};
  auto state = r.value("state", "starting");
  std::string detail = "outbox " + std::to_string(r.value("outbox_depth", int64_t{0})) + " change(s); pushed " +
                       std::to_string(r.value("pushed_changes", int64_t{0})) + ", pulled " +
                       std::to_string(r.value("pulled_changes", int64_t{0}));
  if (state != "running") detail += "; " + r.value("last_error", std::string()) + "; retrying";
  return component_status{"turso_syncer", state == "running" ? "running" : "degraded", 0, detail};
}

std::string metrics_of(const syncer_state& st) {
  const auto& r = st.report;
  metrics_text m;
  if (r.empty()) return m.text();
  auto now = wall_clock_us();
  auto oldest = r.value("oldest_outbox_at_us", int64_t{0});
  m.family("memory_mcp_sync_outbox_depth", "gauge", "Local changes waiting to reach Turso.",
           {{{}, static_cast<double>(r.value("outbox_depth", int64_t{0}))}});
  m.family("memory_mcp_sync_lag_seconds", "gauge", "Age of the oldest change not yet on Turso (0 when none waits).",
           {{{}, oldest > 0 ? std::max(0.0, static_cast<double>(now - oldest) / 1e6) : 0.0}});
  auto seconds = [](int64_t us) { return static_cast<double>(us) / 1e6; };
  m.family("memory_mcp_sync_last_success_timestamp_seconds", "gauge",
           "When a full sync cycle (push and pull) last succeeded (0: never).",
           {{{}, seconds(r.value("last_success_us", int64_t{0}))}});
  m.family("memory_mcp_sync_last_push_timestamp_seconds", "gauge", "When changes last reached Turso (0: never).",
           {{{}, seconds(r.value("last_push_ok_us", int64_t{0}))}});
  m.family("memory_mcp_sync_pushed_changes_total", "counter", "Changes shipped to Turso.",
           {{{}, static_cast<double>(r.value("pushed_changes", int64_t{0}))}});
  m.family("memory_mcp_sync_pulled_changes_total", "counter", "Changes of other servers read from Turso.",
           {{{}, static_cast<double>(r.value("pulled_changes", int64_t{0}))}});
  std::vector<std::pair<metric_labels, double>> errors;
  for (const char* k : {"network", "tls", "auth", "http", "protocol", "sql"})
    errors.push_back({{{"kind", k}}, static_cast<double>(r["errors"].value(k, int64_t{0}))});
  m.family("memory_mcp_sync_errors_total", "counter", "Failed sync requests by kind (auth: 401/403 from Turso).", errors);
  m.family("memory_mcp_sync_up", "gauge", "1 when the last sync cycle succeeded.",
           {{{}, r.value("state", "") == "running" ? 1.0 : 0.0}});
  m.family("memory_mcp_sync_circuit_open", "gauge",
           "1 after 3 failed cycles in a row: no request until the backoff ends, then one probe cycle.",
           {{{}, r.value("circuit_open", false) ? 1.0 : 0.0}});
  return m.text();
}

turso_syncer_actor::behavior_type syncer(syncer_ptr self, runtime_ptr rt, supervisor_actor supervisor) {
  if (!rt->cfg.turso_url.empty())
    self->state.worker = self->spawn<caf::detached + caf::linked>(worker, rt, caf::actor_cast<turso_syncer_actor>(self),
                                                                 supervisor);
  return {
      [=](status_atom) { return status_of(rt, self->state); },
      [=](metrics_atom) { return metrics_of(self->state); },
      [=](reload_atom, const config_update& update) {
        if (self->state.worker) self->send(self->state.worker, reload_atom::value, update);
      },
      [=](report_atom, json_msg& r) {
        self->state.report = std::move(r.value);
        auto s = status_of(rt, self->state);
        if (s.state != self->state.reported_state) {
          self->state.reported_state = s.state;
          self->send(supervisor, status_atom::value, s);
        }
      },
  };
}

}  // namespace

turso_syncer_actor spawn_turso_syncer(caf::actor_system& sys, runtime_ptr rt, supervisor_actor supervisor) {
  return sys.spawn(syncer, std::move(rt), std::move(supervisor));
}

}  // namespace memory_mcp
