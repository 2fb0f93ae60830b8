// RFC 3339 timestamps in UTC with microsecond precision ("2026-12-03T19:16:25.123456Z").
// Pure: callers pass the time; no clock reads here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memory_mcp {

// Formats microseconds since the Unix epoch. Always 6 fractional digits and a "Z" suffix.
std::string format_rfc3339_us(int64_t unix_us);

// Parses RFC 3339 ("YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)", 'T' or 't' or ' ' as separator) into
// microseconds since the epoch. Fractions beyond microseconds are truncated. Returns nullopt on any syntax or
// range error (month 13, hour 24, ...).
std::optional<int64_t> parse_rfc3339_us(std::string_view text);

}  // namespace memory_mcp
