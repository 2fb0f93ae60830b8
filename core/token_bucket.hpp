// Token-bucket arithmetic for the rate limiter. Pure: the caller passes `now`; no clocks, no I/O.
// Owned by whoever holds the bucket (the rate_limiter actor); not thread-safe.
#pragma once

#include <cstdint>

namespace memory_mcp {

struct bucket_params {
  double rate_per_s = 1;  // tokens added per second; REQUIRES > 0
  double burst = 1;       // capacity; REQUIRES >= 1
};

struct take_decision {
  bool allowed = false;
  int64_t retry_after_ms = 0;  // when denied: time until one token is available, rounded up; 0 when allowed
  double remaining = 0;        // tokens left after the decision
};

class token_bucket {
 public:
  // A full bucket at time `now_us` (microseconds on any monotonic clock).
  token_bucket(bucket_params params, int64_t now_us) noexcept;

  // Refills for the time elapsed since the last call, then takes one token if available.
  // A `now_us` earlier than a previous call is treated as no elapsed time (never adds tokens backwards).
  take_decision try_take(int64_t now_us) noexcept;

  // Last time this bucket was touched; used to evict idle buckets.
  int64_t last_seen_us() const noexcept { return last_us_; }

 private:
  void refill(int64_t now_us) noexcept;

  bucket_params params_;
  double tokens_;
  int64_t last_us_;
};

}  // namespace memory_mcp
