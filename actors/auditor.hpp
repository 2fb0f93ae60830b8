// The auditor: owns the audit sink and writes one JSON object per line with keys in the order
// timestamp (RFC 3339 UTC), level, client_id, operation, result, then the event's details, so that a fail2ban
// filter like "client_id":"<HOST>".*"operation":"authentication".*"result":"failure" matches.
// Secrets are redacted by key (token, secret, password, authorization, api_key, ...) before writing.
// Runs detached: file and syslog writes may block.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

namespace memory_mcp {

auditor_actor spawn_auditor(caf::actor_system& sys, runtime_ptr rt);

// Renders one audit line (without the trailing newline). Exposed for tests.
std::string render_audit_line(const audit_event& event, int64_t wall_us);

}  // namespace memory_mcp
