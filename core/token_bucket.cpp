#include "core/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace memory_mcp {

token_bucket::token_bucket(bucket_params params, int64_t now_us) noexcept
    : params_(params), tokens_(params.burst), last_us_(now_us) {}

void token_bucket::refill(int64_t now_us) noexcept {
  if (now_us <= last_us_) return;
  double elapsed_s = static_cast<double>(now_us - last_us_) / 1e6;
  tokens_ = std::min(params_.burst, tokens_ + elapsed_s * params_.rate_per_s);
  last_us_ = now_us;
}

take_decision token_bucket::try_take(int64_t now_us) noexcept {
  refill(now_us);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return {true, 0, tokens_};
  }
  double missing = 1.0 - tokens_;
  auto wait_ms = static_cast<int64_t>(std::ceil(missing / params_.rate_per_s * 1000.0));
  return {false, std::max<int64_t>(wait_ms, 1), tokens_};
}

}  // namespace memory_mcp
