// RFC 5424 severity levels, as MCP's logging/setLevel and notifications/message use them.
// Pure; no I/O.
#pragma once

#include <optional>
#include <string_view>

namespace memory_mcp {

// Ordered from least to most severe, so `a >= b` means "a is at least as severe as b".
enum class log_level { debug, info, notice, warning, error, critical, alert, emergency };

// Parses the lower-case MCP name ("debug" ... "emergency"). Returns nullopt for anything else
// (case-sensitive, as the spec's enum is).
std::optional<log_level> parse_log_level(std::string_view name) noexcept;

// The MCP name of a level.
const char* to_string(log_level level) noexcept;

}  // namespace memory_mcp
