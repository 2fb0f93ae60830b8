#include "adapters/logger.hpp"

#include <chrono>

#include "core/time_format.hpp"

namespace memory_mcp {

void logger::log(log_level level, const std::string& component, const std::string& message) {
  if (!enabled(level)) return;
  std::string line = format_rfc3339_us(wall_clock_us()) + " " + to_string(level) + " " + component + ": " + message;
  for (auto& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  line += '\n';
  std::lock_guard<std::mutex> guard(mutex_);
  std::fwrite(line.data(), 1, line.size(), sink_);
  std::fflush(sink_);
}

int64_t wall_clock_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t monotonic_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace memory_mcp
