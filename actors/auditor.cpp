#include "actors/auditor.hpp"

#include <caf/all.hpp>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include "adapters/prometheus.hpp"
#include "core/redact.hpp"
#include "core/time_format.hpp"

#include <map>

namespace memory_mcp {

namespace {

// Redacts by key (the whole value) and by value pattern (inside every string).
nlohmann::ordered_json redact(const nlohmann::json& v) {
  if (v.is_object()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (auto it = v.begin(); it != v.end(); ++it)
      out[it.key()] = is_secret_key(it.key()) ? nlohmann::ordered_json("[REDACTED]") : redact(it.value());
    return out;
  }
  if (v.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (auto& e : v) out.push_back(redact(e));
    return out;
  }
  if (v.is_string()) return redact_secrets(v.get<std::string>());
  return nlohmann::ordered_json::parse(v.dump());
}

struct auditor_state {
  static inline const char* name = "auditor";
  runtime_ptr rt;
  int fd = -1;
  uint64_t written = 0;
  bool failing = false;
  std::map<std::pair<std::string, std::string>, uint64_t> events;  // (operation, result) -> count, sink or not
  uint64_t bulk = 0;
  uint64_t failures = 0;
  std::string last_error;
  ~auditor_state() {
    if (fd >= 0) ::close(fd);
  }
};

using auditor_ptr = auditor_actor::stateful_pointer<auditor_state>;

// (Re)opens the sink for the current settings. A file is opened append-only and created 0600; reopening after a
// rename (logrotate) starts a new file at the configured path.
void open_sink(auditor_ptr self) {
  auto& s = self->state;
  if (s.fd >= 0) {
    ::close(s.fd);
    s.fd = -1;
  }
  s.last_error.clear();
  const auto& ac = s.rt->cfg.audit;
  if (ac.enabled && ac.destination == audit_destination::file) {
    s.fd = ::open(ac.file_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (s.fd < 0) {
      s.last_error = "cannot open " + ac.file_path + ": " + std::strerror(errno);
      s.rt->log->log(log_level::error, "auditor", s.last_error);
    }
  }
  if (ac.enabled && ac.destination == audit_destination::syslog) ::openlog("memory-mcp-server", LOG_PID, LOG_AUTHPRIV);
}

// Counts and writes one event. Returns whether the line reached the sink (true when audit logging is off:
// nothing is required then). A failed file write is retried once on a freshly opened file.
bool write_event(auditor_ptr self, const audit_event& ev) {
  auto& s = self->state;
  ++s.events[{ev.operation, ev.result}];
  if (ev.details.value.is_object() && ev.details.value.value("bulk", false)) ++s.bulk;
  if (!s.rt->cfg.audit.enabled) return true;
  auto line = render_audit_line(ev, wall_clock_us());
  bool ok = true;
  switch (s.rt->cfg.audit.destination) {
    case audit_destination::file: {
      line += '\n';
      auto write_line = [&] { return s.fd >= 0 && ::write(s.fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()); };
      ok = write_line();
      if (!ok) {
        open_sink(self);
        ok = write_line();
        if (!ok && s.last_error.empty()) s.last_error = std::string("cannot write ") + s.rt->cfg.audit.file_path + ": " + std::strerror(errno);
      }
      break;
    }
    case audit_destination::stderr_stream:
      line += '\n';
      ok = std::fwrite(line.data(), 1, line.size(), stderr) == line.size() && std::fflush(stderr) == 0;
      break;
    case audit_destination::syslog:
      ::syslog(LOG_INFO, "%s", line.c_str());
      break;
  }
  if (ok) ++s.written;
  else ++s.failures;
  if (ok == s.failing) {  // log transitions only, not every failed line
    s.failing = !ok;
    s.rt->log->log(ok ? log_level::notice : log_level::error, "auditor",
                   ok ? "audit sink writable again" : "audit sink cannot be written: " + s.last_error);
  }
  return ok;
}

auditor_actor::behavior_type auditor(auditor_ptr self, runtime_ptr rt) {
  self->state.rt = std::move(rt);
  open_sink(self);
  return {
      [=](audit_atom, const audit_event& ev) { write_event(self, ev); },
      [=](check_atom, const audit_event& ev) { return write_event(self, ev); },
      [=](status_atom) {
        auto& s = self->state;
        if (!s.rt->cfg.audit.enabled) return component_status{"auditor", "disabled", 0, "AUDIT_LOG_ENABLED is false"};
        std::string detail = std::to_string(s.written) + " lines written, " + std::to_string(s.failures) + " failed";
        if (!s.last_error.empty()) detail += "; " + s.last_error;
        return component_status{"auditor", s.failures || !s.last_error.empty() ? "degraded" : "running", 0, detail};
      },
      [=](reload_atom, const config_update& update) {
        self->state.rt = with_config(self->state.rt, *update.cfg);
        open_sink(self);
      },
      // Counted for every event, whether or not audit logging writes it anywhere. The first three names are the
      // ones the operator guide's alert rules use.
      [=](metrics_atom) {
        auto& s = self->state;
        auto count = [&](const std::string& op, const std::string& result) {
          auto it = s.events.find({op, result});
          return it == s.events.end() ? 0.0 : static_cast<double>(it->second);
        };
        double violations = 0;
        for (auto& [key, n] : s.events)
          if (key.first == "security_violation") violations += static_cast<double>(n);
        metrics_text m;
        m.family("audit_authentication_failures_total", "counter", "Failed authentications.",
                 {{{}, count("authentication", "failure")}});
        m.family("audit_security_violations_total", "counter",
                 "Security violations: oversized or malformed input, policy refusals.", {{{}, violations}});
        m.family("audit_bulk_operations_total", "counter", "Bulk operations (bulk reads, imports).",
                 {{{}, static_cast<double>(s.bulk)}});
        std::vector<std::pair<metric_labels, double>> all;
        for (auto& [key, n] : s.events) all.push_back({{{"operation", key.first}, {"result", key.second}}, static_cast<double>(n)});
        m.family("audit_events_total", "counter", "Audit events by operation and result.", all);
        m.family("audit_write_failures_total", "counter", "Audit lines the sink could not write.",
                 {{{}, static_cast<double>(s.failures)}});
        return m.text();
      },
  };
}

}  // namespace

std::string render_audit_line(const audit_event& ev, int64_t wall_us) {
  nlohmann::ordered_json line;
  line["timestamp"] = format_rfc3339_us(wall_us);
  line["level"] = ev.level;
  line["client_id"] = redact_secrets(ev.client_id);
  line["operation"] = ev.operation;
  line["result"] = ev.result;
  if (ev.details.value.is_object()) {
    auto details = redact(ev.details.value);
    for (auto it = details.begin(); it != details.end(); ++it)
      if (!line.contains(it.key())) line[it.key()] = it.value();
  }
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

auditor_actor spawn_auditor(caf::actor_system& sys, runtime_ptr rt) {
  return sys.spawn<caf::detached>(auditor, std::move(rt));
}

}  // namespace memory_mcp
