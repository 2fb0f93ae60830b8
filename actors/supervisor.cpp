#include "actors/supervisor.hpp"

#include <caf/all.hpp>
#include <deque>

#include "actors/auditor.hpp"
#include "actors/episode_store.hpp"
#include "actors/http_endpoint.hpp"
#include "actors/pattern_learner.hpp"
#include "actors/rate_limiter.hpp"
#include "actors/router.hpp"
#include "actors/stdio_transport.hpp"
#include "actors/turso_syncer.hpp"
#include "adapters/prometheus.hpp"

#include <cstdio>

namespace memory_mcp {

namespace {

// Start order; shutdown stops them in reverse.
const char* const child_names[] = {"auditor",      "rate_limiter", "episode_store", "pattern_learner", "turso_syncer",
                                   "stdio_writer", "router",       "http_endpoint", "stdio_reader"};

// How long stopped children may take to go down once told to, and the timer message that checks it.
constexpr std::chrono::milliseconds stop_deadline{3000};
constexpr const char* stop_deadline_name = "<stop deadline>";

struct child {
  std::string name;
  caf::strong_actor_ptr handle;
  std::string state = "stopped";  // running, restarting, stopped, failed
  int32_t restarts = 0;
  std::deque<int64_t> crashes_us;  // monotonic times of recent crashes
  std::string last_error;
  std::string reported_state;   // what a running child says of itself (e.g. degraded); empty: nothing said
  std::string reported_detail;
};

struct supervisor_state {
  static inline const char* name = "supervisor";
  std::vector<child> children;
  peers handles;
  router_actor router;
  caf::actor reader;
  std::shared_ptr<mcp_session> session = std::make_shared<mcp_session>();  // handed to every router incarnation
  bool shutting_down = false;
  std::string phase = "running";  // running, draining, stopping
};

using sup_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

class supervisor_logic {
 public:
  supervisor_logic(sup_ptr self, runtime_ptr rt, stdio_fds fds, std::shared_ptr<std::atomic<int>> exit_code)
      : self_(self), rt_(std::move(rt)), fds_(fds), exit_code_(std::move(exit_code)) {}

  void start() {
    for (auto* n : child_names) {
      state().children.push_back(child{n, nullptr, "stopped", 0, {}, "", "", ""});
      spawn_child(state().children.back());
    }
    rt_->log->log(log_level::info, "supervisor", "all actors started");
  }

  component_list status() {
    component_list out;
    out.push_back(component_status{"supervisor", state().phase, 0, ""});
    for (auto& c : state().children) {
      bool own = c.state == "running" && !c.reported_state.empty();
      out.push_back(component_status{c.name, own ? c.reported_state : c.state, c.restarts,
                                     own ? c.reported_detail : c.last_error});
    }
    return out;
  }

  void on_reported(const component_status& s) {
    auto* c = find(s.name);
    if (!c) return;
    c->reported_state = s.state == "running" ? "" : s.state;
    c->reported_detail = s.detail;
    if (!c->reported_state.empty())
      rt_->log->log(log_level::warning, "supervisor", s.name + " reports " + s.state + ": " + s.detail);
  }

  // Every child is monitored (down messages always arrive) and linked (so children die with a crashed
  // supervisor). A child that receives an exit message unlinks before quitting, so links alone cannot tell us.
  void on_down(const caf::down_msg& dm) {
    auto* c = find(dm.source);
    if (!c) return;  // not a child (e.g. an earlier incarnation); nothing to do
    on_child_exit(*c, dm.reason);
  }

  // An exit message from a linked child is handled through its down message; any other sender asks us to stop.
  void on_exit(const caf::exit_msg& em) {
    if (find(em.source)) return;
    if (em.reason) shutdown(em.reason == caf::exit_reason::user_shutdown ? 0 : 1);
  }

  void on_child_exit(child& child_ref, const caf::error& reason) {
    auto* c = &child_ref;
    rt_->log->log(log_level::debug, "supervisor", c->name + " exited: " + self_->system().render(reason));
    c->handle = nullptr;
    c->reported_state.clear();
    if (state().shutting_down) {
      c->state = "stopped";
      return maybe_finish();
    }
    if (!reason || reason == caf::exit_reason::user_shutdown) {
      // Finished on purpose (the reader after EOF). Not a crash.
      c->state = "stopped";
      return;
    }
    on_crash(*c, self_->system().render(reason));
  }

  void on_restart(const std::string& name) {
    if (name == stop_deadline_name) return on_stop_deadline();
    auto* c = find(name);
    if (!c || state().shutting_down || c->state != "restarting") return;
    ++c->restarts;
    spawn_child(*c);
    rt_->log->log(log_level::warning, "supervisor", "restarted " + name + " (restart " + std::to_string(c->restarts) + ")");
    notify_client("warning", "actor " + name + " crashed and was restarted (" + c->last_error + ")");
  }

  bool crash(const std::string& name) {
    auto* c = find(name);
    // Only a running child: one already hit is still "running" with a handle until its down message arrives,
    // and a second exit message would be a no-op reported as a crash.
    if (!c || !c->handle || c->state != "running") return false;
    rt_->log->log(log_level::warning, "supervisor", "fault injection: crashing " + name);
    self_->send_exit(caf::actor_cast<caf::actor_addr>(c->handle),
                     caf::make_error(caf::sec::runtime_error, "fault injection"));
    c->state = "crashing";  // until on_crash marks it restarting
    return true;
  }

  // SIGHUP: the new configuration is already validated by main. Actors spawned from now on (restarts) use it;
  // the rate limiter, auditor and router apply it at once. What cannot change without a restart of the process
  // (data directory, database path, HTTP address) keeps its old value and is logged.
  void reload(const config_update& update) {
    const auto& next = *update.cfg;
    const auto& cur = rt_->cfg;
    for (auto [name, changed] : {std::pair{"MEMORY_DATA_DIR", next.data_dir != cur.data_dir},
                                 std::pair{"MEMORY_DB_PATH", next.db_path != cur.db_path},
                                 std::pair{"MEMORY_MCP_HTTP_ADDR", next.http_addr != cur.http_addr}})
      if (changed)
        rt_->log->log(log_level::warning, "supervisor", std::string(name) + " changed; it applies after a restart of the process");
    auto kept = next;
    kept.data_dir = cur.data_dir;
    kept.db_path = cur.db_path;
    kept.http_addr = cur.http_addr;
    rt_ = with_config(rt_, kept);
    config_update applied{std::make_shared<const config>(kept), ""};
    auto& h = state().handles;
    self_->send(h.limiter, reload_atom::value, applied);
    self_->send(h.auditor, reload_atom::value, applied);
    if (state().router) self_->send(state().router, reload_atom::value, applied);
    if (h.http) self_->send(h.http, reload_atom::value, applied);
    if (h.syncer) self_->send(h.syncer, reload_atom::value, applied);
    self_->send(h.auditor, audit_atom::value,
                audit_event{"info", "system", "config_reload", "success",
                            json_msg{{{"env_file", kept.env_file}, {"rate_limit_enabled", kept.rate_limit.enabled},
                                      {"audit_enabled", kept.audit.enabled}}}});
    rt_->log->log(log_level::notice, "supervisor", "configuration reloaded");
  }

  // /metrics: the supervisor's own series plus each metric-bearing child's; a child that does not answer within
  // a second is left out of this scrape (its series simply go missing, as Prometheus expects of a failed target).
  caf::result<std::string> metrics() {
    struct gather {
      caf::typed_response_promise<std::string> promise;
      std::string text;
      int pending = 5;
    };
    auto g = std::make_shared<gather>();
    g->promise = self_->make_response_promise<std::string>();
    g->text = own_metrics();
    auto add = [g](const std::string& part) {
      g->text += part;
      if (--g->pending == 0) g->promise.deliver(g->text);
    };
    auto skip = [g](caf::error&) {
      if (--g->pending == 0) g->promise.deliver(g->text);
    };
    auto timeout = std::chrono::seconds(1);
    auto& h = state().handles;
    self_->request(state().router, timeout, metrics_atom::value).then(add, skip);
    self_->request(h.limiter, timeout, metrics_atom::value).then(add, skip);
    self_->request(h.auditor, timeout, metrics_atom::value).then(add, skip);
    self_->request(h.store, timeout, metrics_atom::value).then(add, skip);
    self_->request(h.syncer, timeout, metrics_atom::value).then(add, skip);
    return g->promise;
  }

  void forward_audit(const audit_event& ev) {
    if (state().handles.auditor) self_->send(state().handles.auditor, audit_atom::value, ev);
  }

  void audit_failed_reload(const std::string& why) {
    self_->send(state().handles.auditor, audit_atom::value,
                audit_event{"warning", "system", "config_reload", "failure", json_msg{{{"reason", why}}}});
  }

  void shutdown(int32_t code) {
    if (code > exit_code_->load()) exit_code_->store(code);
    if (state().shutting_down) return;
    state().shutting_down = true;
    state().phase = "draining";
    auto timeout = std::chrono::milliseconds(rt_->cfg.shutdown_timeout_ms);
    auto flush_and_stop = [=] {
      self_->request(state().handles.writer, std::chrono::seconds(2), drain_atom::value)
          .then([=](caf::ok_atom) { stop_children(); }, [=](caf::error&) { stop_children(); });
    };
    self_->request(state().router, timeout, drain_atom::value)
        .then([=](caf::ok_atom) { flush_and_stop(); },
              [=](caf::error& err) {
                rt_->log->log(log_level::warning, "supervisor",
                              "in-flight requests did not finish in time: " + self_->system().render(err));
                flush_and_stop();
              });
  }

 private:
  supervisor_state& state() { return self_->state; }

  std::string own_metrics() {
    metrics_text m;
    std::vector<std::pair<metric_labels, double>> restarts, up;
    for (auto& c : state().children) {
      restarts.push_back({{{"actor", c.name}}, static_cast<double>(c.restarts)});
      up.push_back({{{"actor", c.name}}, c.state == "running" ? 1.0 : 0.0});
    }
    m.family("memory_mcp_actor_restarts_total", "counter", "Restarts of each actor after a crash.", restarts);
    m.family("memory_mcp_actor_up", "gauge", "1 when the actor runs.", up);
    m.family("memory_mcp_build_info", "gauge", "Version of this server.", {{{{"version", MEMORY_MCP_VERSION}}, 1}});
    m.family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.",
             {{{}, static_cast<double>(rt_->started_wall_us) / 1e6}});
    m.family("memory_mcp_uptime_seconds", "gauge", "Seconds since the process started.",
             {{{}, static_cast<double>(monotonic_us() - rt_->started_mono_us) / 1e6}});
    if (auto rss = process_resident_bytes())
      m.family("process_resident_memory_bytes", "gauge", "Resident memory size.", {{{}, static_cast<double>(rss)}});
    return m.text();
  }

  child* find(const caf::actor_addr& addr) {
    for (auto& c : state().children)
      if (c.handle && caf::actor_cast<caf::actor_addr>(c.handle) == addr) return &c;
    return nullptr;
  }

  child* find(const std::string& name) {
    for (auto& c : state().children)
      if (c.name == name) return &c;
    return nullptr;
  }

  void notify_client(const std::string& level, const std::string& text) {
    if (state().router) self_->send(state().router, log_atom::value, level, std::string("supervisor"), text);
  }

  void spawn_child(child& c) {
    auto& sys = self_->system();
    auto& h = state().handles;
    const auto& n = c.name;
    if (n == "auditor") c.handle = caf::actor_cast<caf::strong_actor_ptr>(h.auditor = spawn_auditor(sys, rt_));
    else if (n == "rate_limiter") c.handle = caf::actor_cast<caf::strong_actor_ptr>(h.limiter = spawn_rate_limiter(sys, rt_));
    else if (n == "episode_store") c.handle = caf::actor_cast<caf::strong_actor_ptr>(h.store = spawn_episode_store(sys, rt_));
    else if (n == "pattern_learner") c.handle = caf::actor_cast<caf::strong_actor_ptr>(h.learner = spawn_pattern_learner(sys, rt_));
    else if (n == "turso_syncer") c.handle = caf::actor_cast<caf::strong_actor_ptr>(h.syncer = spawn_turso_syncer(sys, rt_, caf::actor_cast<supervisor_actor>(self_)));
    else if (n == "stdio_writer") c.handle = caf::actor_cast<caf::strong_actor_ptr>(h.writer = spawn_stdio_writer(sys, rt_, fds_.out));
    else if (n == "http_endpoint")
      c.handle = caf::actor_cast<caf::strong_actor_ptr>(
          h.http = spawn_http_endpoint(sys, rt_, caf::actor_cast<supervisor_actor>(self_)));
    else if (n == "router")
      c.handle = caf::actor_cast<caf::strong_actor_ptr>(
          state().router = spawn_router(sys, rt_, caf::actor_cast<supervisor_actor>(self_), h, state().session));
    else if (n == "stdio_reader")
      c.handle = caf::actor_cast<caf::strong_actor_ptr>(state().reader = spawn_stdio_reader(sys, rt_, state().router, fds_.in));
    self_->monitor(c.handle);
    self_->link_to(caf::actor_cast<caf::actor_addr>(c.handle));
    c.state = "running";
    // Tell the actors that hold handles about the new one.
    if ((n == "episode_store" || n == "pattern_learner") && h.learner && h.store)
      self_->send(h.learner, wire_atom::value, h.store);
    if (n == "router") {
      if (state().reader) caf::anon_send(state().reader, wire_atom::value, state().router);
    } else if (n != "stdio_reader" && state().router) {
      self_->send(state().router, wire_atom::value, h);
    }
  }

  void on_crash(child& c, const std::string& why) {
    auto now = monotonic_us();
    c.crashes_us.push_back(now);
    while (!c.crashes_us.empty() && now - c.crashes_us.front() > rt_->cfg.restart_window_ms * 1000)
      c.crashes_us.pop_front();
    c.last_error = why;
    auto recent = static_cast<int>(c.crashes_us.size());
    if (recent > rt_->cfg.max_restarts) {
      c.state = "failed";
      rt_->log->log(log_level::critical, "supervisor",
                    "fatal: actor " + c.name + " crashed " + std::to_string(recent) + " times within " +
                        std::to_string(rt_->cfg.restart_window_ms) + " ms (MEMORY_MCP_MAX_RESTARTS=" +
                        std::to_string(rt_->cfg.max_restarts) + "); last error: " + why +
                        ". Exiting with status 1 so the service manager restarts the process.");
      return shutdown(1);
    }
    int64_t backoff = rt_->cfg.restart_backoff_ms;
    for (int i = 1; i < recent && backoff < 5000; ++i) backoff *= 2;
    backoff = std::min<int64_t>(backoff, 5000);
    c.state = "restarting";
    rt_->log->log(log_level::error, "supervisor",
                  "actor " + c.name + " crashed (" + why + "); restarting in " + std::to_string(backoff) + " ms");
    self_->delayed_send(self_, std::chrono::milliseconds(backoff), restart_atom::value, c.name);
  }

  void stop_children() {
    state().phase = "stopping";
    for (auto it = state().children.rbegin(); it != state().children.rend(); ++it) {
      if (!it->handle) {
        if (it->state != "failed") it->state = "stopped";
        continue;
      }
      self_->send_exit(caf::actor_cast<caf::actor_addr>(it->handle), caf::exit_reason::user_shutdown);
    }
    // An actor blocked in a long call (a slow query) cannot take its exit message: do not wait for it forever.
    self_->delayed_send(self_, stop_deadline, restart_atom::value, std::string(stop_deadline_name));
    maybe_finish();
  }

  void on_stop_deadline() {
    if (state().phase != "stopping") return;
    std::string stuck;
    for (auto& c : state().children)
      if (c.handle) stuck += (stuck.empty() ? "" : ", ") + c.name;
    if (stuck.empty()) return;
    rt_->log->log(log_level::error, "supervisor", "actors did not stop within " +
                                                      std::to_string(stop_deadline.count()) + " ms: " + stuck +
                                                      "; exiting with status 1 (committed data is safe in SQLite)");
    if (exit_code_->load() == 0) exit_code_->store(1);
    self_->quit(caf::exit_reason::user_shutdown);
  }

  void maybe_finish() {
    if (state().phase != "stopping") return;
    for (auto& c : state().children)
      if (c.handle) return;
    rt_->log->log(log_level::info, "supervisor", "all actors stopped; exit status " + std::to_string(exit_code_->load()));
    state().handles = peers{};
    state().router = nullptr;
    state().reader = nullptr;
    self_->quit(caf::exit_reason::user_shutdown);
  }

  sup_ptr self_;
  runtime_ptr rt_;
  stdio_fds fds_;
  std::shared_ptr<std::atomic<int>> exit_code_;
};

supervisor_actor::behavior_type supervisor(sup_ptr self, runtime_ptr rt, stdio_fds fds,
                                           std::shared_ptr<std::atomic<int>> exit_code) {
  auto logic = std::make_shared<supervisor_logic>(self, rt, fds, exit_code);
  self->set_exit_handler([=](caf::exit_msg& em) { logic->on_exit(em); });
  self->set_down_handler([=](caf::down_msg& dm) { logic->on_down(dm); });
  logic->start();
  return {
      [=](status_atom) { return logic->status(); },
      [=](shutdown_atom, int32_t code) { logic->shutdown(code); },
      [=](restart_atom, const std::string& name) { logic->on_restart(name); },
      [=](metrics_atom) { return logic->metrics(); },
      [=](audit_atom, const audit_event& ev) { logic->forward_audit(ev); },
      [=](status_atom, const component_status& s) { logic->on_reported(s); },
      [=](reload_atom, const config_update& update) {
        if (update.cfg) logic->reload(update);
        else logic->audit_failed_reload(update.error);
      },
      [=](crash_atom, const std::string& name) -> bool {
#ifdef MEMORY_MCP_TEST_HOOKS
        return logic->crash(name);
#else
        (void)name;
        return false;
#endif
      },
  };
}

}  // namespace

supervisor_actor spawn_supervisor(caf::actor_system& sys, runtime_ptr rt, stdio_fds fds,
                                  std::shared_ptr<std::atomic<int>> exit_code) {
  return sys.spawn(supervisor, std::move(rt), fds, std::move(exit_code));
}

}  // namespace memory_mcp
