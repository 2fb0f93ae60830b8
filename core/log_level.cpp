#include "core/log_level.hpp"

#include <array>

namespace memory_mcp {

namespace {
constexpr std::array<const char*, 8> names = {"debug", "info",     "notice", "warning",
                                              "error", "critical", "alert",  "emergency"};
}

std::optional<log_level> parse_log_level(std::string_view name) noexcept {
  for (size_t i = 0; i < names.size(); ++i)
    if (name == names[i]) return static_cast<log_level>(i);
  return std::nullopt;
}

const char* to_string(log_level level) noexcept { return names[static_cast<size_t>(level)]; }

}  // namespace memory_mcp
