// Unit tests for core/token_bucket: refill arithmetic, denial with retry_after_ms, clock going backwards.
#include "core/token_bucket.hpp"

#include <doctest/doctest.h>

using namespace memory_mcp;

namespace {
constexpr int64_t ms = 1000;  // microseconds per millisecond
constexpr int64_t s = 1000000;
}  // namespace

TEST_CASE("a new bucket is full: burst takes succeed at the same instant, the next is denied") {
  token_bucket b({10, 3}, 0);
  auto d1 = b.try_take(0);
  CHECK(d1.allowed);
  CHECK(d1.retry_after_ms == 0);
  CHECK(d1.remaining == doctest::Approx(2));
  CHECK(b.try_take(0).allowed);
  auto d3 = b.try_take(0);
  CHECK(d3.allowed);
  CHECK(d3.remaining == doctest::Approx(0));
  auto d4 = b.try_take(0);
  CHECK_FALSE(d4.allowed);
  CHECK(d4.remaining == doctest::Approx(0));
}

TEST_CASE("retry_after_ms is the time until one whole token, rounded up") {
  token_bucket b({1, 1}, 0);
  REQUIRE(b.try_take(0).allowed);
  auto d = b.try_take(0);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_ms == 1000);
  auto half = b.try_take(500 * ms);
  CHECK_FALSE(half.allowed);
  CHECK(half.retry_after_ms == 500);
  CHECK(half.remaining == doctest::Approx(0.5));

  token_bucket fast({3, 1}, 0);  // one token per 333.3 ms
  REQUIRE(fast.try_take(0).allowed);
  CHECK(fast.try_take(0).retry_after_ms == 334);
}

TEST_CASE("retry_after_ms is at least 1 when denied") {
  token_bucket b({1000000, 1}, 0);  // a token every microsecond
  REQUIRE(b.try_take(0).allowed);
  auto d = b.try_take(0);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_ms >= 1);
}

TEST_CASE("tokens refill at rate_per_s and a take succeeds once a whole token accrued") {
  token_bucket b({2, 1}, 0);
  REQUIRE(b.try_take(0).allowed);
  CHECK_FALSE(b.try_take(499 * ms).allowed);
  CHECK(b.try_take(500 * ms).allowed);
  CHECK_FALSE(b.try_take(500 * ms).allowed);
}

TEST_CASE("refill never exceeds burst, however long the bucket was idle") {
  token_bucket b({100, 5}, 0);
  for (int i = 0; i < 5; ++i) REQUIRE(b.try_take(0).allowed);
  REQUIRE_FALSE(b.try_take(0).allowed);
  auto d = b.try_take(3600 * s);
  CHECK(d.allowed);
  CHECK(d.remaining == doctest::Approx(4));
  for (int i = 0; i < 4; ++i) CHECK(b.try_take(3600 * s).allowed);
  CHECK_FALSE(b.try_take(3600 * s).allowed);
}

TEST_CASE("a clock going backwards adds no tokens and does not move last_seen back") {
  token_bucket b({1, 1}, 10 * s);
  REQUIRE(b.try_take(10 * s).allowed);
  CHECK_FALSE(b.try_take(5 * s).allowed);
  CHECK(b.last_seen_us() == 10 * s);
  // Time resumes from the last seen instant, not from the earlier value.
  CHECK_FALSE(b.try_take(10 * s + 999 * ms).allowed);
  CHECK(b.try_take(11 * s).allowed);
  CHECK(b.last_seen_us() == 11 * s);
}

TEST_CASE("fractional rates and bursts are honoured") {
  token_bucket b({0.5, 1.5}, 0);  // one token per 2 s, capacity 1.5
  REQUIRE(b.try_take(0).allowed);
  auto d = b.try_take(0);
  CHECK_FALSE(d.allowed);
  CHECK(d.remaining == doctest::Approx(0.5));
  CHECK(d.retry_after_ms == 1000);
  CHECK(b.try_take(1 * s).allowed);
}
