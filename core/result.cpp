#include "core/result.hpp"

namespace memory_mcp {

const char* to_string(error_code code) noexcept {
  switch (code) {
    case error_code::invalid_argument: return "invalid_argument";
    case error_code::not_found: return "not_found";
    case error_code::conflict: return "conflict";
    case error_code::unavailable: return "unavailable";
    case error_code::storage: return "storage";
    case error_code::internal: return "internal";
  }
  return "internal";
}

}  // namespace memory_mcp
