#include <doctest/doctest.h>

#include "core/evidence.hpp"

using namespace memory_mcp;

TEST_CASE("Wilson lower bound: more evidence, more confidence; known values") {
  CHECK(wilson_lower_bound(0, 0) == 0);
  CHECK(wilson_lower_bound(1, 1) == doctest::Approx(0.2065).epsilon(0.001));
  CHECK(wilson_lower_bound(10, 10) == doctest::Approx(0.7225).epsilon(0.001));
  CHECK(wilson_lower_bound(8, 10) == doctest::Approx(0.4902).epsilon(0.001));
  CHECK(wilson_lower_bound(0, 10) == doctest::Approx(0.0).epsilon(1e-9));
  CHECK(wilson_lower_bound(50, 50) > wilson_lower_bound(10, 10));
  CHECK(wilson_lower_bound(2.5, 5) < 0.5);
}

TEST_CASE("decay halves the weight every half-life and ignores the future") {
  CHECK(decay_weight(0, 30) == 1.0);
  CHECK(decay_weight(30, 30) == doctest::Approx(0.5));
  CHECK(decay_weight(90, 30) == doctest::Approx(0.125));
  CHECK(decay_weight(-5, 30) == 1.0);
  CHECK(decay_weight(1000, 0) == 1.0);
}

TEST_CASE("feedback effectiveness starts neutral and moves with helpful and unhelpful applications") {
  CHECK(feedback_effectiveness(0, 0) == 0.5);
  CHECK(feedback_effectiveness(1, 1) == doctest::Approx(2.0 / 3));
  CHECK(feedback_effectiveness(0, 1) == doctest::Approx(1.0 / 3));
  CHECK(feedback_effectiveness(5, 5) > feedback_effectiveness(1, 1));
  CHECK(feedback_effectiveness(7, 3) == doctest::Approx(4.0 / 5));  // helped is clamped to applied
}

TEST_CASE("quality: an ordinary documented episode scores well, an empty one poorly") {
  episode_facts f;
  for (auto t : {"grep", "edit_file", "run_tests"}) {
    step_fact s;
    s.tool = t;
    s.result = step_result::success;
    f.steps.push_back(s);
  }
  f.outcome.verdict = "fixed";
  reflection r;
  r.successes = {"a", "b"};
  r.insights = {"c", "d"};
  auto q = assess_quality(f, r);
  CHECK(q.steps == doctest::Approx(0.6));
  CHECK(q.results == 1.0);
  CHECK(q.outcome_detail == 1.0);
  CHECK(q.diversity == 1.0);
  CHECK(q.total == doctest::Approx(0.3 * 0.6 + 0.2 + 0.2 + 0.15 + 0.15 * 4 / 6));
  CHECK(q.total > 0.7);
  episode_facts empty;
  auto e = assess_quality(empty, reflection{});
  CHECK(e.total == doctest::Approx(0.1));  // only half the outcome credit: no verdict
}
