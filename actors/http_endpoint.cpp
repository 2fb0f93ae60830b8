#include "actors/http_endpoint.hpp"

#include <caf/all.hpp>
#include <httplib.h>
#include <atomic>
#include <thread>

#include "adapters/http_auth.hpp"

namespace memory_mcp {

namespace {

// The metrics token in force. Written by the actor on reload, read by httplib's worker threads; the shared_ptr is
// swapped with atomic_store/atomic_load, so a request sees either the old token or the new one, never a torn value.
struct metrics_auth {
  std::shared_ptr<const std::string> token;  // empty string: /metrics is open
  void set(const std::string& t) { std::atomic_store(&token, std::make_shared<const std::string>(t)); }
  std::shared_ptr<const std::string> get() const { return std::atomic_load(&token); }
};

// Checks the request against the metrics token and audits the attempt (operation "authentication", the peer
// address as client_id, so that the operator guide's fail2ban filter can ban it). False: answered with 401.
bool authorize_metrics(const metrics_auth& auth, const supervisor_actor& supervisor, const httplib::Request& req,
                       httplib::Response& res) {
  auto token = auth.get();
  if (!token || token->empty()) return true;
  auto verdict = check_bearer(req.get_header_value("Authorization"), *token);
  bool ok = verdict == bearer_check::ok;
  caf::anon_send(supervisor, audit_atom::value,
                 audit_event{ok ? "info" : "warning", req.remote_addr, "authentication", ok ? "success" : "failure",
                             json_msg{{{"endpoint", "/metrics"},
                                       {"scheme", "bearer"},
                                       {"reason", to_string(verdict)},
                                       {"remote_port", req.remote_port}}}});
  if (ok) return true;
  res.status = 401;
  res.set_header("WWW-Authenticate", "Bearer realm=\"memory-mcp metrics\"");
  res.set_content("unauthorized\n", "text/plain");
  return false;
}

struct http_state {
  static inline const char* name = "http_endpoint";
  std::shared_ptr<metrics_auth> auth = std::make_shared<metrics_auth>();
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  std::string state = "disabled";
  std::string detail;
  ~http_state() {
    if (server) server->stop();
    if (thread.joinable()) thread.join();
  }
};

// Asks the supervisor whether storage runs and nothing is draining. Runs on an httplib worker thread.
// `sync` receives the replication state (disabled, running, degraded, ...): degraded replication does not
// make the server unready, since agents keep working locally.
bool storage_ready(caf::actor_system& sys, const supervisor_actor& supervisor, std::string& why, std::string& sync) {
  caf::scoped_actor self{sys, true};
  bool ready = false;
  why = "supervisor did not answer";
  self->request(supervisor, std::chrono::seconds(1), status_atom::value)
      .receive(
          [&](const component_list& list) {
            why = "episode_store not running";
            for (auto& c : list) {
              if (c.name == "turso_syncer") sync = c.state;
              if (c.name == "supervisor" && c.state != "running") {
                why = "server is " + c.state;
                return;
              }
              if (c.name == "episode_store" && c.state == "running") ready = true;
            }
            if (ready) why.clear();
          },
          [&](caf::error&) {});
  return ready && why.empty();
}

http_endpoint_actor::behavior_type endpoint(http_endpoint_actor::stateful_pointer<http_state> self, runtime_ptr rt,
                                            supervisor_actor supervisor) {
  auto& st = self->state;
  const auto& cfg = rt->cfg;
  st.auth->set(cfg.metrics_token);
  if (cfg.http_addr != "off") {
    auto hp = parse_host_port(cfg.http_addr);
    if (!cfg.tls_cert_path.empty())
      st.server = std::make_unique<httplib::SSLServer>(cfg.tls_cert_path.c_str(), cfg.tls_key_path.c_str());
    else
      st.server = std::make_unique<httplib::Server>();
    if (!st.server->is_valid()) {
      st.state = "failed";
      st.detail = "cannot load TLS certificate or key";
      st.server.reset();
    } else {
      auto& sys = self->system();
      st.server->new_task_queue = [] { return new httplib::ThreadPool(2); };
      // One request per connection. httplib's stop() waits for its workers, and a worker keeps an idle
      // keep-alive connection open for up to 5 s: a probe or scraper holding one delayed shutdown (and a restart
      // of this actor) by that long. Probes are cheap to reconnect.
      st.server->set_keep_alive_max_count(1);
      st.server->set_read_timeout(1, 0);  // an idle connection cannot hold shutdown for long
      st.server->Get("/health", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"status":"ok"})", "application/json");
      });
      st.server->Get("/ready", [&sys, supervisor](const httplib::Request&, httplib::Response& res) {
        std::string why, sync = "unknown";
        if (storage_ready(sys, supervisor, why, sync)) {
          res.set_content(nlohmann::json({{"status", "ready"}, {"sync", sync}}).dump(), "application/json");
        } else {
          res.status = 503;
          res.set_content(nlohmann::json({{"status", "not_ready"}, {"reason", why}, {"sync", sync}}).dump(),
                          "application/json");
        }
      });
      st.server->Get("/metrics", [&sys, supervisor, auth = st.auth](const httplib::Request& req, httplib::Response& res) {
        if (!authorize_metrics(*auth, supervisor, req, res)) return;
        caf::scoped_actor asker{sys, true};
        std::string text;
        bool ok = false;
        asker->request(supervisor, std::chrono::seconds(3), metrics_atom::value)
            .receive([&](std::string& t) { text = std::move(t), ok = true; }, [&](caf::error&) {});
        if (!ok) {
          res.status = 503;
          res.set_content("metrics unavailable\n", "text/plain");
          return;
        }
        res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
      });
      int port = hp->port == 0 ? st.server->bind_to_any_port(hp->host) : (st.server->bind_to_port(hp->host, hp->port) ? hp->port : -1);
      if (port <= 0) {
        st.state = "failed";
        st.detail = "cannot bind " + cfg.http_addr + " (address in use or not permitted)";
        st.server.reset();
      } else {
        st.state = "running";
        st.detail = std::string(cfg.tls_cert_path.empty() ? "http" : "https") + "://" + hp->host + ":" +
                    std::to_string(port);
        auto* srv = st.server.get();
        st.thread = std::thread([srv] { srv->listen_after_bind(); });
      }
    }
    rt->log->log(st.state == "running" ? log_level::info : log_level::warning, "http_endpoint",
                 st.state == "running" ? "listening on " + st.detail : st.detail);
  }
  return {
      [=](status_atom) {
        return component_status{"http_endpoint", self->state.state, 0,
                                self->state.state == "disabled" ? "MEMORY_MCP_HTTP_ADDR=off" : self->state.detail};
      },
      [=](reload_atom, const config_update& update) {
        if (update.cfg) self->state.auth->set(update.cfg->metrics_token);
      },
  };
}

}  // namespace

http_endpoint_actor spawn_http_endpoint(caf::actor_system& sys, runtime_ptr rt, supervisor_actor supervisor) {
  return sys.spawn<caf::detached>(endpoint, std::move(rt), std::move(supervisor));
}

}  // namespace memory_mcp
