#include "actors/router.hpp"

#include <caf/all.hpp>
#include <cmath>
#include <map>

#include "adapters/json_schema.hpp"
#include "adapters/jsonrpc_codec.hpp"
#include "adapters/mcp_protocol.hpp"
#include "adapters/prometheus.hpp"
#include "adapters/tool_catalog.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

const char* const supported_protocol_versions[4] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

namespace {

using nlohmann::json;

// A request whose response has not been written yet.
struct inflight_request {
  json id;
  std::string what;        // method or tool name, for logs
  json progress_token;     // null when the client asked for no progress
  bool cancelled = false;  // notifications/cancelled arrived: drop the response
  int64_t batch = 0;       // owning batch, 0 for a single message
  int64_t started_us = 0;  // monotonic, for the latency histogram
};

// A JSON-RPC batch being answered: responses collect here until every request in it is done.
struct batch_state {
  json responses = json::array();
  size_t outstanding = 0;  // async requests not yet answered
  bool sealed = false;     // every element has been dispatched
};

struct router_state {
  static inline const char* name = "router";
  peers handles;
  bool initialize_seen = false;
  std::string protocol_version;
  log_level client_log_level = log_level::warning;
  std::map<std::string, inflight_request> inflight;  // key: id.dump()
  std::map<int64_t, batch_state> batches;
  int64_t next_batch = 1;
  bool draining = false;
  std::vector<caf::typed_response_promise<caf::ok_atom>> drain_waiters;
  std::string client_id = "stdio";
  std::shared_ptr<mcp_session> session;  // survives restarts; updated on initialize and logging/setLevel
  std::map<metric_labels, double> tool_results;            // {tool, result} -> calls
  std::map<metric_labels, latency_histogram> tool_latency;  // {tool} -> seconds from receipt to reply
};

using router_ptr = router_actor::stateful_pointer<router_state>;

class router_logic {
 public:
  router_logic(router_ptr self, runtime_ptr rt, supervisor_actor supervisor)
      : self_(self), rt_(std::move(rt)), supervisor_(std::move(supervisor)) {}

  void on_line(const std::string& line) {
    auto decoded = jsonrpc::decode_line(line, {rt_->cfg.max_message_bytes, rt_->cfg.max_json_depth});
    if (!decoded.ok) {
      write(jsonrpc::error_line(nullptr, decoded.error.code, decoded.error.message));
      security_violation("malformed_input", decoded.error.message);
      return;
    }
    if (decoded.value.is_array()) return on_batch(decoded.value);
    on_message(decoded.value, 0);
  }

  void on_oversized(uint64_t bytes) {
    auto msg = "message of " + std::to_string(bytes) + " bytes exceeds the maximum of " +
               std::to_string(rt_->cfg.max_message_bytes) + " bytes (MEMORY_MCP_MAX_MESSAGE_BYTES)";
    write(jsonrpc::error_line(nullptr, jsonrpc::invalid_request, msg));
    security_violation("oversized_input", msg);
  }

  void on_eof() {
    rt_->log->log(log_level::info, "router", "stdin closed; shutting down");
    self_->send(supervisor_, shutdown_atom::value, int32_t{0});
  }

  caf::result<caf::ok_atom> on_drain() {
    state().draining = true;
    if (state().inflight.empty()) return caf::ok_atom::value;
    auto promise = self_->make_response_promise<caf::ok_atom>();
    state().drain_waiters.push_back(promise);
    return promise;
  }

  void on_log(const std::string& level, const std::string& logger_name, const std::string& text) {
    auto lvl = parse_log_level(level);
    if (!lvl || *lvl < state().client_log_level || !state().initialize_seen) return;
    write(jsonrpc::notification_line("notifications/message",
                                     {{"level", level}, {"logger", logger_name}, {"data", text}}));
  }

  // Limits of new messages follow the reloaded configuration; requests in flight are unaffected.
  void on_reload(const config& cfg) { rt_ = with_config(rt_, cfg); }

  void on_progress(const json& token, double done, double total, const std::string& text) {
    for (auto& [key, req] : state().inflight) {
      if (req.cancelled || req.progress_token.is_null() || req.progress_token != token) continue;
      json params = {{"progressToken", token}, {"progress", done}};
      if (total > 0) params["total"] = total;
      if (!text.empty()) params["message"] = text;
      write(jsonrpc::notification_line("notifications/progress", params));
      return;
    }
  }

 private:
  router_state& state() { return self_->state; }

  void write(std::string line) { self_->send(state().handles.writer, write_atom::value, std::move(line)); }

  void security_violation(const std::string& kind, const std::string& detail) {
    self_->send(state().handles.auditor, audit_atom::value,
                audit_event{"warning", state().client_id, "security_violation", "denied",
                            json_msg{{{"kind", kind}, {"detail", detail}}}});
  }

  // --- responses ---------------------------------------------------------------------------------------------

  // Emits a response for a message that is not (or no longer) tracked as in flight.
  void emit(json response, int64_t batch) {
    if (batch == 0) return write(jsonrpc::to_line(response));
    auto it = state().batches.find(batch);
    if (it == state().batches.end()) return;
    it->second.responses.push_back(std::move(response));
  }

  void maybe_flush_batch(int64_t batch) {
    auto it = state().batches.find(batch);
    if (it == state().batches.end() || !it->second.sealed || it->second.outstanding > 0) return;
    if (!it->second.responses.empty()) write(jsonrpc::to_line(it->second.responses));
    state().batches.erase(it);
  }

  // Completes an in-flight request: writes its response unless it was cancelled.
  void finish(const std::string& key, json response) {
    auto it = state().inflight.find(key);
    if (it == state().inflight.end()) return;
    auto req = std::move(it->second);
    state().inflight.erase(it);
    if (req.batch != 0) {
      auto b = state().batches.find(req.batch);
      if (b != state().batches.end()) {
        if (!req.cancelled) b->second.responses.push_back(std::move(response));
        --b->second.outstanding;
        maybe_flush_batch(req.batch);
      }
    } else if (!req.cancelled) {
      write(jsonrpc::to_line(response));
    }
    if (state().inflight.empty() && state().draining) {
      for (auto& p : state().drain_waiters) p.deliver(caf::ok_atom::value);
      state().drain_waiters.clear();
    }
  }

  // --- dispatch ----------------------------------------------------------------------------------------------

  void on_batch(const json& array) {
    if (!state().initialize_seen || !mcp::batches_allowed(state().protocol_version)) {
      write(jsonrpc::error_line(nullptr, jsonrpc::invalid_request,
                                "JSON-RPC batches are only supported when protocol version 2025-03-26 is negotiated "
                                "(negotiated: " +
                                    (state().protocol_version.empty() ? std::string("none") : state().protocol_version) +
                                    ")"));
      return;
    }
    if (array.empty()) {
      write(jsonrpc::error_line(nullptr, jsonrpc::invalid_request, "empty batch"));
      return;
    }
    int64_t batch = state().next_batch++;
    state().batches[batch] = {};
    for (auto& element : array) on_message(element, batch);
    state().batches[batch].sealed = true;
    maybe_flush_batch(batch);
  }

  void on_message(const json& value, int64_t batch) {
    auto c = jsonrpc::classify(value);
    if (!c.ok) return emit(jsonrpc::error_object(c.error.id, c.error.code, c.error.message), batch);
    auto& m = c.msg;
    // A handler must not throw; if one does anyway (a bug, e.g. a JSON accessor meeting an unexpected type), the
    // request gets -32603 and the router keeps its state (protocol session, requests in flight) instead of dying
    // with them.
    try {
      switch (m.what) {
        case jsonrpc::message::kind::response: return;  // we send no requests; ignore stray responses
        case jsonrpc::message::kind::notification: return on_notification(m);
        case jsonrpc::message::kind::request: return on_request(m, batch);
      }
    } catch (const std::exception& e) {
      rt_->log->log(log_level::error, "router", "bug: handling " + m.method + " threw: " + e.what());
      if (m.what == jsonrpc::message::kind::request && !state().inflight.count(m.id.dump()))
        emit(jsonrpc::error_object(m.id, jsonrpc::internal_error, "internal error while handling " + m.method +
                                                                      "; nothing was done"),
             batch);
    }
  }

  void on_notification(const jsonrpc::message& m) {
    if (m.method == "notifications/cancelled") {
      if (!m.params.is_object() || !m.params.contains("requestId")) return;
      auto it = state().inflight.find(m.params["requestId"].dump());
      if (it != state().inflight.end()) {
        it->second.cancelled = true;
        rt_->log->log(log_level::debug, "router", "request " + it->first + " cancelled by the client");
      }
    }
    // notifications/initialized and unknown notifications need no answer.
  }

  void on_request(const jsonrpc::message& m, int64_t batch) {
    const auto& id = m.id;
    if (m.method == "ping") return emit(jsonrpc::result_object(id, json::object()), batch);
    if (m.method == "initialize") return on_initialize(m, batch);
    if (!state().initialize_seen)
      return emit(jsonrpc::error_object(id, jsonrpc::not_initialized,
                                        "server not initialized: send initialize first"),
                  batch);
    if (state().draining)
      return emit(jsonrpc::error_object(id, jsonrpc::shutting_down, "server is shutting down"), batch);
    if (m.method == "tools/list") return on_tools_list(m, batch);
    if (m.method == "tools/call") return on_tools_call(m, batch);
    if (m.method == "resources/templates/list")
      return emit(jsonrpc::result_object(id, {{"resourceTemplates",
                                               {{{"uriTemplate", "memory://episodes/{id}"},
                                                 {"name", "episode"},
                                                 {"title", "Episode by id"},
                                                 {"description", "One episode with steps, outcome, reward and reflection"},
                                                 {"mimeType", "application/json"}}}}}),
                  batch);
    if (m.method == "resources/list" || m.method == "resources/read") return on_resource_request(m, batch);
    if (m.method == "logging/setLevel") {
      auto level = m.params.is_object() && m.params.contains("level") && m.params["level"].is_string()
                       ? parse_log_level(m.params["level"].get<std::string>())
                       : std::nullopt;
      if (!level)
        return emit(jsonrpc::error_object(id, jsonrpc::invalid_params,
                                          "params.level: must be one of debug, info, notice, warning, error, "
                                          "critical, alert, emergency"),
                    batch);
      state().client_log_level = *level;
      state().session->client_log_level = *level;
      return emit(jsonrpc::result_object(id, json::object()), batch);
    }
    emit(jsonrpc::error_object(id, jsonrpc::method_not_found, "method not found: " + m.method), batch);
  }

  void on_initialize(const jsonrpc::message& m, int64_t batch) {
    if (batch != 0)
      return emit(jsonrpc::error_object(m.id, jsonrpc::invalid_request, "initialize must not be part of a batch"),
                  batch);
    if (state().initialize_seen)
      return emit(jsonrpc::error_object(m.id, jsonrpc::invalid_request, "initialize was already received"), batch);
    if (!m.params.is_object() || !m.params.contains("protocolVersion") || !m.params["protocolVersion"].is_string())
      return emit(jsonrpc::error_object(m.id, jsonrpc::invalid_params,
                                        "params.protocolVersion: required, must be a string"),
                  batch);
    state().initialize_seen = true;
    state().protocol_version = mcp::negotiate_version(m.params["protocolVersion"].get<std::string>());
    *state().session = mcp_session{true, state().protocol_version, state().client_log_level};
    std::string client = "unknown";
    if (m.params.contains("clientInfo") && m.params["clientInfo"].is_object() &&
        m.params["clientInfo"].contains("name") && m.params["clientInfo"]["name"].is_string())
      client = m.params["clientInfo"]["name"].get<std::string>();
    rt_->log->log(log_level::info, "router",
                  "client '" + client + "' initialized with protocol " + state().protocol_version);
    emit(jsonrpc::result_object(m.id, mcp::initialize_result(state().protocol_version, MEMORY_MCP_VERSION)), batch);
  }

  void on_tools_list(const jsonrpc::message& m, int64_t batch) {
    std::string cursor;
    if (m.params.is_object() && m.params.contains("cursor")) {
      if (!m.params["cursor"].is_string())
        return emit(jsonrpc::error_object(m.id, jsonrpc::invalid_params, "params.cursor: must be a string"), batch);
      cursor = m.params["cursor"].get<std::string>();
    }
    json page;
    if (!tool_catalog::instance().page(cursor, rt_->cfg.tools_page_size, page))
      return emit(jsonrpc::error_object(m.id, jsonrpc::invalid_params, "params.cursor: not a cursor this server issued"),
                  batch);
    emit(jsonrpc::result_object(m.id, page), batch);
  }

  void on_tools_call(const jsonrpc::message& m, int64_t batch) {
    std::string name;
    json args;
    if (auto problem = mcp::read_call_params(m.params, name, args))
      return emit(jsonrpc::error_object(m.id, jsonrpc::invalid_params, *problem), batch);
    const tool_def* tool = tool_catalog::instance().find(name);
    if (!tool) return emit(jsonrpc::error_object(m.id, jsonrpc::invalid_params, "Unknown tool: " + name), batch);
    if (auto problem = validate_json(tool->input_schema, args))
      return emit(jsonrpc::result_object(m.id, mcp::tool_failure(*problem)), batch);
    auto key = m.id.dump();
    if (state().inflight.count(key))
      return emit(jsonrpc::error_object(m.id, jsonrpc::invalid_request,
                                        "id " + key + " is already used by a request in flight"),
                  batch);
    state().inflight[key] = inflight_request{m.id, name, mcp::progress_token(m.params), false, batch};
    if (batch != 0) ++state().batches[batch].outstanding;
    state().inflight[key].started_us = monotonic_us();

    bool is_write = tool->writes(args);
    if (!rt_->cfg.rate_limit.enabled) return run_tool(key, *tool, args);  // no bucket to ask
    self_->request(state().handles.limiter, std::chrono::seconds(5), check_atom::value, state().client_id, is_write)
        .then(
            [=](const rate_decision& d) {
              if (!d.allowed) return deny(key, *tool, is_write, d);
              run_tool(key, *tool, args);
            },
            [=](caf::error&) {
              // The limiter is restarting: fail open for this call rather than refuse service.
              rt_->log->log(log_level::warning, "router", "rate limiter unavailable; allowing " + name);
              run_tool(key, *tool, args);
            });
  }

  // resources/list and resources/read run in the store like a read tool, but answer as protocol methods:
  // not_found -> -32002 (the spec's "Resource not found"), invalid_argument -> -32602.
  void on_resource_request(const jsonrpc::message& m, int64_t batch) {
    auto key = m.id.dump();
    if (state().inflight.count(key))
      return emit(jsonrpc::error_object(m.id, jsonrpc::invalid_request,
                                        "id " + key + " is already used by a request in flight"),
                  batch);
    state().inflight[key] = inflight_request{m.id, m.method, nullptr, false, batch};
    if (batch != 0) ++state().batches[batch].outstanding;
    auto id = m.id;
    auto method = m.method;
    auto params = m.params.is_null() ? json::object() : m.params;
    // Resources are reads: they take a token from the client's read bucket like read tools do.
    self_->request(state().handles.limiter, std::chrono::seconds(5), check_atom::value, state().client_id, false)
        .then(
            [=](const rate_decision& d) {
              if (!d.allowed)
                return finish(key, jsonrpc::error_object(id, jsonrpc::rate_limited, "Rate limit exceeded",
                                                         {{"retry_after_ms", d.retry_after_ms},
                                                          {"limit_rps", d.limit_rps},
                                                          {"class", "read"}}));
              read_resource(key, id, method, params);
            },
            [=](caf::error&) { read_resource(key, id, method, params); });
  }

  void read_resource(const std::string& key, const json& id, const std::string& method, const json& params) {
    auto it = state().inflight.find(key);
    if (it == state().inflight.end()) return;
    if (it->second.cancelled) return finish(key, nullptr);
    tool_call call{method, json_msg{params}, state().client_id, json_msg{nullptr}, nullptr};
    self_->request(state().handles.store, caf::infinite, call_atom::value, std::move(call))
        .then(
            [=](const tool_reply& r) {
              if (!r.is_error) return finish(key, jsonrpc::result_object(id, r.structured.value));
              int code = r.error_kind == "not_found"          ? -32002
                         : r.error_kind == "invalid_argument" ? jsonrpc::invalid_params
                                                              : jsonrpc::internal_error;
              finish(key, jsonrpc::error_object(id, code, r.message));
            },
            [=](caf::error&) {
              finish(key, jsonrpc::error_object(id, jsonrpc::internal_error, "storage is unavailable (restarting); retry"));
            });
  }

  void deny(const std::string& key, const tool_def& tool, bool is_write, const rate_decision& d) {
    auto it = state().inflight.find(key);
    if (it == state().inflight.end()) return;
    json data = {{"retry_after_ms", d.retry_after_ms},
                 {"limit_rps", d.limit_rps},
                 {"class", is_write ? "write" : "read"}};
    self_->send(state().handles.auditor, audit_atom::value,
                audit_event{"warning", state().client_id, "rate_limit", "denied",
                            json_msg{{{"tool", tool.name}, {"retry_after_ms", d.retry_after_ms}}}});
    record(key, tool.name, "denied");
    finish(key, jsonrpc::error_object(it->second.id, jsonrpc::rate_limited, "Rate limit exceeded", data));
  }

  void record(const std::string& key, const std::string& tool, const std::string& result) {
    state().tool_results[{{"tool", tool}, {"result", result}}] += 1;
    auto it = state().inflight.find(key);
    if (it != state().inflight.end())
      state().tool_latency[{{"tool", tool}}].observe(static_cast<double>(monotonic_us() - it->second.started_us) / 1e6);
  }

 public:
  std::string metrics() {
    metrics_text m;
    std::vector<std::pair<metric_labels, double>> calls(state().tool_results.begin(), state().tool_results.end());
    m.family("memory_mcp_tool_calls_total", "counter", "tools/call requests by tool and result (success, error, denied).",
             calls);
    m.histogram("memory_mcp_tool_call_duration_seconds", "Time from receiving a tools/call to its reply.",
                state().tool_latency);
    m.family("memory_mcp_requests_in_flight", "gauge", "Requests received and not yet answered.",
             {{{}, static_cast<double>(state().inflight.size())}});
    return m.text();
  }

 private:

  // Fail-closed auditing: a mutating call runs only once its "started" audit line is written. If the sink
  // cannot be written the call is refused, nothing is done, and the client is told why.
  void run_tool(const std::string& key, const tool_def& tool_ref, const json& args) {
    const auto& audit = rt_->cfg.audit;
    if (!tool_ref.writes(args) || !audit.enabled || !audit.fail_closed) return execute_tool(key, tool_ref, args);
    const tool_def* tool = &tool_ref;  // captured by pointer: catalog entries live as long as the process
    auto refuse = [=](const std::string& why) {
      auto it = state().inflight.find(key);
      if (it == state().inflight.end()) return;
      record(key, tool->name, "error");
      finish(key, jsonrpc::result_object(it->second.id,
                                         mcp::tool_failure("audit log unavailable (" + why +
                                                           "); mutating calls are refused while it cannot be written "
                                                           "(AUDIT_LOG_FAIL_CLOSED=true); nothing was done")));
    };
    self_->request(state().handles.auditor, std::chrono::seconds(5), check_atom::value,
                   audit_event{"info", state().client_id, "tools/call", "started", json_msg{{{"tool", tool->name}}}})
        .then([=](bool written) { written ? execute_tool(key, *tool, args) : refuse("write failed"); },
              [=](caf::error&) { refuse("auditor restarting"); });
  }

  void execute_tool(const std::string& key, const tool_def& tool_ref, const json& args) {
    auto it = state().inflight.find(key);
    if (it == state().inflight.end()) return;
    if (it->second.cancelled) return finish(key, nullptr);
    auto id = it->second.id;
    // Lambdas capture the catalog entry by pointer: a copy of a tool_def copies its schemas.
    const tool_def* tool_ptr = &tool_ref;
    bool writes = tool_ref.writes(args);
    auto done = [=](const tool_reply& r) {
      const tool_def& tool = *tool_ptr;
      record(key, tool.name, r.is_error ? "error" : "success");
      bool bulk = tool.name == "bulk_episodes";
      if (writes || bulk) {
        json details = {{"tool", tool.name}};
        if (bulk) details["bulk"] = true;
        if (r.is_error) details["error"] = r.error_kind;
        self_->send(state().handles.auditor, audit_atom::value,
                    audit_event{r.is_error ? "warning" : "info", state().client_id, "tools/call",
                                r.is_error ? "failure" : "success", json_msg{details}});
      }
      finish(key, jsonrpc::result_object(id, r.is_error ? mcp::tool_failure(r.message)
                                                         : mcp::tool_success(r.structured.value)));
    };
    auto unavailable = [=](const std::string& who) {
      return [=](caf::error&) {
        tool_reply r;
        r.is_error = true;
        r.error_kind = "unavailable";
        r.message = who + " is unavailable (restarting); nothing was done, retry the call";
        done(r);
      };
    };
    tool_call call{tool_ref.name, json_msg{args}, state().client_id, json_msg{it->second.progress_token},
                   caf::actor_cast<caf::strong_actor_ptr>(self_)};
    switch (tool_ref.target) {
      case tool_target::episode_store:
        // No timeout: the store answers every call, also when it stops (it fails the open group); a timeout
        // would stay registered in CAF until it expired, however soon the answer came.
        self_->request(state().handles.store, caf::infinite, call_atom::value, std::move(call))
            .then(done, unavailable("storage"));
        return;
      case tool_target::pattern_learner:
        self_->request(state().handles.learner, std::chrono::minutes(1), call_atom::value, std::move(call))
            .then(done, unavailable("pattern learner"));
        return;
      case tool_target::router:
        return run_router_tool(key, tool_ref, args, done);
    }
  }

  template <class Done>
  void run_router_tool(const std::string& key, const tool_def& tool, const json& args, Done done) {
    if (tool.name == "health_check") return health_check(done);
    if (tool.name == "get_metrics") return get_metrics(args, done);
#ifdef MEMORY_MCP_TEST_HOOKS
    if (tool.name == "debug_crash") {
      auto actor = args.at("actor").get<std::string>();
      self_->request(supervisor_, std::chrono::seconds(5), crash_atom::value, actor)
          .then(
              [=](bool crashed) {
                if (crashed) return done(tool_reply{false, json_msg{{{"crashed", actor}}}, "", ""});
                done(tool_reply{true, {}, "unavailable",
                                actor + " is not running (restarting or stopped); nothing was crashed"});
              },
              [=](caf::error& err) {
                done(tool_reply{true, {}, "unavailable", "supervisor not answering: " + caf::to_string(err)});
              });
      return;
    }
#endif
    (void)args;
    (void)key;
    done(tool_reply{true, {}, "internal", "tool " + tool.name + " has no implementation in the router"});
  }

  // get_metrics: the learner's figures from storage plus this router's request figures and the process's.
  template <class Done>
  void get_metrics(const json& args, Done done) {
    auto type = args.value("metric_type", "all");
    json out = {{"metric_type", type}, {"timestamp", format_rfc3339_us(wall_clock_us())}};
    if (type == "all" || type == "performance") {
      json tools = json::object();
      for (auto& [labels, hist] : state().tool_latency) {
        const auto& name = labels.front().second;
        auto ms = [&](double q) {
          double s = hist.quantile_upper_bound(q);
          return std::isinf(s) ? json("> 10000") : json(s * 1000);
        };
        tools[name] = {{"calls", hist.count()},
                       {"mean_ms", hist.count() ? hist.sum() * 1000 / static_cast<double>(hist.count()) : 0.0},
                       {"p50_le_ms", ms(0.5)},
                       {"p99_le_ms", ms(0.99)}};
      }
      for (auto& [labels, calls] : state().tool_results) {
        const auto& name = labels[0].second;
        tools[name][labels[1].second] = calls;
      }
      out["performance"] = {{"tools", tools},
                            {"requests_in_flight", state().inflight.size()},
                            {"note", "p50_le_ms and p99_le_ms are histogram bucket bounds the quantile does not exceed"}};
    }
    if (type == "all" || type == "system")
      out["system"] = {{"version", MEMORY_MCP_VERSION},
                       {"uptime_seconds", static_cast<double>(monotonic_us() - rt_->started_mono_us) / 1e6},
                       {"resident_memory_bytes", process_resident_bytes()},
                       {"peak_resident_memory_bytes", process_peak_resident_bytes()}};
    if (type != "all" && type != "episodes") return done(tool_reply{false, json_msg{out}, "", ""});
    tool_call call{"get_metrics", json_msg{json::object()}, state().client_id, json_msg{nullptr}, nullptr};
    self_->request(state().handles.learner, std::chrono::seconds(30), call_atom::value, std::move(call))
        .then(
            [=](const tool_reply& r) mutable {
              if (r.is_error) return done(r);
              for (auto& [k, v] : r.structured.value.items()) out[k] = v;
              done(tool_reply{false, json_msg{out}, "", ""});
            },
            [=](caf::error&) {
              done(tool_reply{true, {}, "unavailable", "pattern learner is unavailable (restarting); retry"});
            });
  }

  // The supervisor knows which actors run and how often they restarted; each running actor knows its own state
  // (the HTTP endpoint whether it could bind, the auditor whether its sink writes). Both are merged.
  template <class Done>
  void health_check(Done done) {
    struct gather {
      component_list components;
      store_status store;
      int pending = 0;
    };
    auto g = std::make_shared<gather>();
    auto rt = rt_;
    auto version = state().protocol_version;
    auto finish_one = [=] {
      if (--g->pending == 0) done(health_reply(g->components, g->store, version));
    };
    auto merge = [=](const component_status& own) {
      for (auto& c : g->components)
        if (c.name == own.name && c.state == "running") {
          c.state = own.state;
          c.detail = own.detail;
        }
      finish_one();
    };
    auto ignore = [=](caf::error&) { finish_one(); };
    self_->request(supervisor_, std::chrono::seconds(5), status_atom::value)
        .then(
            [=](const component_list& components) {
              g->components = components;
              g->store.path = rt->cfg.db_path;
              g->pending = 6;
              const auto& h = state().handles;
              auto timeout = std::chrono::seconds(2);
              self_->request(h.store, timeout, status_atom::value)
                  .then([=](const store_status& st) { g->store = st; finish_one(); },
                        [=](caf::error& err) {
                          g->store.detail = "episode store not answering: " + caf::to_string(err);
                          finish_one();
                        });
              self_->request(h.limiter, timeout, status_atom::value).then(merge, ignore);
              self_->request(h.auditor, timeout, status_atom::value).then(merge, ignore);
              self_->request(h.learner, timeout, status_atom::value).then(merge, ignore);
              self_->request(h.syncer, timeout, status_atom::value).then(merge, ignore);
              self_->request(h.http, timeout, status_atom::value).then(merge, ignore);
            },
            [=](caf::error& err) {
              done(tool_reply{true, {}, "unavailable", "supervisor not answering: " + caf::to_string(err)});
            });
  }

  tool_reply health_reply(const component_list& components, const store_status& st, const std::string& version) {
    bool degraded = false;
    json list = json::array();
    for (auto& c : components) {
      if (c.state != "running" && c.state != "disabled") degraded = true;
      list.push_back({{"name", c.name}, {"state", c.state}, {"restarts", c.restarts}, {"detail", c.detail}});
    }
    std::string status = !st.open ? "unhealthy" : degraded ? "degraded" : "healthy";
    json out = {{"status", status},
                {"version", MEMORY_MCP_VERSION},
                {"timestamp", format_rfc3339_us(wall_clock_us())},
                {"uptime_seconds", static_cast<double>(monotonic_us() - rt_->started_mono_us) / 1e6},
                {"protocol_version", version},
                {"storage",
                 {{"open", st.open}, {"path", st.path}, {"schema_version", st.schema_version}, {"detail", st.detail}}},
                {"components", list}};
    return tool_reply{false, json_msg{out}, "", ""};
  }

  router_ptr self_;
  runtime_ptr rt_;
  supervisor_actor supervisor_;
};

router_actor::behavior_type router(router_ptr self, runtime_ptr rt, supervisor_actor supervisor, peers handles,
                                   std::shared_ptr<mcp_session> session) {
  self->state.handles = std::move(handles);
  self->state.initialize_seen = session->initialized;
  self->state.protocol_version = session->protocol_version;
  self->state.client_log_level = session->client_log_level;
  self->state.session = std::move(session);
  auto logic = std::make_shared<router_logic>(self, rt, supervisor);
  return {
      [=](line_atom, const std::string& line) { logic->on_line(line); },
      [=](oversized_atom, uint64_t bytes) { logic->on_oversized(bytes); },
      [=](eof_atom) { logic->on_eof(); },
      [=](drain_atom) { return logic->on_drain(); },
      [=](wire_atom, peers& fresh) { self->state.handles = std::move(fresh); },
      [=](log_atom, const std::string& level, const std::string& logger_name, const std::string& text) {
        logic->on_log(level, logger_name, text);
      },
      [=](progress_atom, const json_msg& token, double done, double total, const std::string& text) {
        logic->on_progress(token.value, done, total, text);
      },
      [=](reload_atom, const config_update& update) { logic->on_reload(*update.cfg); },
      [=](metrics_atom) { return logic->metrics(); },
  };
}

}  // namespace

router_actor spawn_router(caf::actor_system& sys, runtime_ptr rt, supervisor_actor supervisor, peers handles,
                          std::shared_ptr<mcp_session> session) {
  return sys.spawn(router, std::move(rt), std::move(supervisor), std::move(handles), std::move(session));
}

}  // namespace memory_mcp
