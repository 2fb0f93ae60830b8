// Unit tests for core/reward: each component for success, partial_success, failure and abstained outcomes, the
// abstention curve, clamping of efficiency and quality, the learning-bonus cap, and the total formula.
#include "core/reward.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace memory_mcp;

namespace {

step_fact step(const std::string& tool, step_result r, int64_t latency_ms = 10) {
  step_fact s;
  s.tool = tool;
  s.action = "do " + tool;
  s.result = r;
  s.latency_ms = latency_ms;
  if (r == step_result::error) s.error_message = "boom";
  return s;
}

episode_facts with_outcome(outcome_kind k) {
  episode_facts f;
  f.task_type = "debugging";
  f.domain = "web";
  f.outcome.kind = k;
  return f;
}

double expected_total(const reward_score& r) {
  double b = r.base + r.abstention;
  return (b < 0 ? 0 : b) * r.efficiency * r.complexity_bonus * r.quality_multiplier + r.learning_bonus;
}

}  // namespace

TEST_CASE("success with no steps and no duration: base 1, neutral quality, moderate bonus") {
  auto f = with_outcome(outcome_kind::success);
  auto r = compute_reward(f);
  CHECK(r.base == doctest::Approx(1.0));
  CHECK(r.abstention == doctest::Approx(0.0));
  // d = 1.5 (no duration), s = 0.5 (no steps): 0.5*1.5 + 0.5*0.5 = 1.0
  CHECK(r.efficiency == doctest::Approx(1.0));
  CHECK(r.complexity_bonus == doctest::Approx(1.1));
  CHECK(r.quality_multiplier == doctest::Approx(1.0));
  CHECK(r.learning_bonus == doctest::Approx(0.0));
  CHECK(r.total == doctest::Approx(1.1));
}

TEST_CASE("complexity bonus follows the level") {
  auto f = with_outcome(outcome_kind::success);
  f.complexity = complexity_level::simple;
  CHECK(compute_reward(f).complexity_bonus == doctest::Approx(1.0));
  CHECK(compute_reward(f).total == doctest::Approx(1.0));
  f.complexity = complexity_level::complex;
  CHECK(compute_reward(f).complexity_bonus == doctest::Approx(1.2));
  CHECK(compute_reward(f).total == doctest::Approx(1.2));
}

TEST_CASE("partial success: base is completed / (completed + failed), 0.5 when both are empty") {
  auto f = with_outcome(outcome_kind::partial_success);
  CHECK(compute_reward(f).base == doctest::Approx(0.5));
  f.outcome.completed = {"a", "b", "c"};
  f.outcome.failed = {"d"};
  CHECK(compute_reward(f).base == doctest::Approx(0.75));
  f.outcome.completed.clear();
  CHECK(compute_reward(f).base == doctest::Approx(0.0));
  f.outcome.completed = {"a"};
  f.outcome.failed.clear();
  CHECK(compute_reward(f).base == doctest::Approx(1.0));
}

TEST_CASE("partial success earns no success-only quality points from artifacts or coverage") {
  auto f = with_outcome(outcome_kind::partial_success);
  f.outcome.artifacts = {"test_report.txt", "a", "b"};
  f.metadata["test_coverage"] = "95";
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(1.0));
  f.outcome.kind = outcome_kind::success;
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(1.3));  // +0.1 test artifact, +0.05 >=3, +0.15 coverage
}

TEST_CASE("failure: base 0 so the total is only the learning bonus") {
  auto f = with_outcome(outcome_kind::failure);
  f.steps = {step("a", step_result::error), step("b", step_result::success)};
  f.duration_s = 10;
  auto r = compute_reward(f);
  CHECK(r.base == doctest::Approx(0.0));
  CHECK(r.abstention == doctest::Approx(0.0));
  CHECK(r.learning_bonus > 0);  // error -> success recovery, quick solve
  CHECK(r.total == doctest::Approx(r.learning_bonus));
}

TEST_CASE("a long failure (> 10 steps) carries an abstention penalty but the total never goes negative") {
  auto f = with_outcome(outcome_kind::failure);
  for (int i = 0; i < 11; ++i) f.steps.push_back(step("t", step_result::error));
  auto r = compute_reward(f);
  CHECK(r.abstention == doctest::Approx(-0.2));
  CHECK(r.total >= 0);
  CHECK(r.total == doctest::Approx(r.learning_bonus));
  f.steps.pop_back();  // exactly 10 steps: no penalty
  CHECK(compute_reward(f).abstention == doctest::Approx(0.0));
}

TEST_CASE("abstained: base 0.3, early stop rewarded, late stop penalised, linear in between") {
  auto f = with_outcome(outcome_kind::abstained);
  f.complexity = complexity_level::simple;
  f.outcome.stopped_at_step = 0;
  auto early = compute_reward(f);
  CHECK(early.base == doctest::Approx(0.3));
  CHECK(early.abstention == doctest::Approx(0.5));
  CHECK(early.total == doctest::Approx(0.8));  // efficiency 1, quality 1, bonus 1
  f.outcome.stopped_at_step = 3;
  CHECK(compute_reward(f).abstention == doctest::Approx(0.5));
  f.outcome.stopped_at_step = 6;
  CHECK(compute_reward(f).abstention == doctest::Approx(0.5 - 0.8 * 3.0 / 7.0));
  f.outcome.stopped_at_step = 10;
  auto late = compute_reward(f);
  CHECK(late.abstention == doctest::Approx(-0.3));
  CHECK(late.total == doctest::Approx(0.0));  // max(0, 0.3 - 0.3)
  f.outcome.stopped_at_step = 500;
  CHECK(compute_reward(f).abstention == doctest::Approx(-0.3));
  CHECK(compute_reward(f).total >= 0);
}

TEST_CASE("efficiency decreases with duration and step count and stays within 0.5..1.5") {
  auto f = with_outcome(outcome_kind::success);
  f.duration_s = 1;
  f.steps = {step("a", step_result::success)};
  double fast = compute_reward(f).efficiency;
  f.duration_s = 600;
  double slow = compute_reward(f).efficiency;
  CHECK(slow < fast);
  for (int i = 0; i < 200; ++i) f.steps.push_back(step("a", step_result::success));
  f.duration_s = 1e9;
  double worst = compute_reward(f).efficiency;
  CHECK(worst < slow);
  CHECK(worst >= 0.5);
  CHECK(worst == doctest::Approx(0.5).epsilon(0.001));
  for (double d : {-10.0, 0.0, 0.001, 29.0, 60.0, 3600.0}) {
    f.duration_s = d;
    for (size_t n : {size_t{0}, size_t{1}, size_t{5}, size_t{50}}) {
      f.steps.assign(n, step("a", step_result::success));
      auto e = compute_reward(f).efficiency;
      CHECK(e >= 0.5);
      CHECK(e <= 1.5);
    }
  }
}

TEST_CASE("a negative duration (clock went backwards) is treated like no duration, not as a bonus overflow") {
  auto f = with_outcome(outcome_kind::success);
  f.duration_s = -5;
  f.steps = {step("a", step_result::success)};
  auto r = compute_reward(f);
  CHECK(r.efficiency == doctest::Approx(0.5 * 1.5 + 0.5 * (0.5 + 0.951229424500714)));  // d = 1.5, s for 1 step
  CHECK(r.learning_bonus == doctest::Approx(0.0));  // no quick-solve bonus for a non-positive duration
}

TEST_CASE("quality: error rate adjustments and clamping to 0.5..1.5") {
  auto f = with_outcome(outcome_kind::failure);
  f.steps = {step("a", step_result::success)};
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(1.1));  // error rate 0
  f.steps = {step("a", step_result::success), step("a", step_result::success), step("a", step_result::success),
             step("a", step_result::success), step("a", step_result::success), step("a", step_result::success),
             step("a", step_result::success), step("a", step_result::success), step("a", step_result::error)};
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(0.9));  // 1/9 > 0.1
  f.steps = {step("a", step_result::error), step("a", step_result::success)};
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(0.8));  // 0.5 > 0.3
  f.steps = {step("a", step_result::none), step("a", step_result::timeout)};
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(0.8));  // no recorded result is not a success

  auto best = with_outcome(outcome_kind::success);
  best.outcome.artifacts = {"coverage.xml", "b", "c"};
  best.metadata = {{"test_coverage", "99"}, {"clippy_warnings", "0"}};
  best.steps = {step("a", step_result::success)};
  auto q = compute_reward(best).quality_multiplier;
  CHECK(q == doctest::Approx(1.45));
  CHECK(q <= 1.5);
}

TEST_CASE("quality ignores metadata values that are not plain numbers") {
  auto f = with_outcome(outcome_kind::success);
  f.metadata["test_coverage"] = "95%";
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(1.0));
  f.metadata["test_coverage"] = "";
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(1.0));
  f.metadata["test_coverage"] = "61";
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(1.1));
  f.metadata["clippy_warnings"] = "00";  // only exactly "0" counts
  CHECK(compute_reward(f).quality_multiplier == doctest::Approx(1.1));
}

TEST_CASE("learning bonus: tool diversity, success rate, recovery, quick solve, capped at 0.5") {
  auto f = with_outcome(outcome_kind::success);
  f.steps = {step("a", step_result::success), step("b", step_result::success), step("c", step_result::success)};
  // 3 distinct tools +0.1, 100% with >= 3 steps +0.15; no duration -> no quick bonus
  CHECK(compute_reward(f).learning_bonus == doctest::Approx(0.25));
  f.duration_s = 10;
  CHECK(compute_reward(f).learning_bonus == doctest::Approx(0.35));

  // Ten successes after one error, 5 tools: 0.15 (tools) + 0.2 (rate 10/11 > 0.9, >= 5) + 0.15 (recovery) = 0.5
  auto g = with_outcome(outcome_kind::success);
  g.steps.push_back(step("t0", step_result::error));
  for (int i = 0; i < 10; ++i) g.steps.push_back(step("t" + std::to_string(i % 5), step_result::success));
  g.duration_s = 10;  // 11 steps: no quick-solve bonus
  CHECK(compute_reward(g).learning_bonus == doctest::Approx(0.5));

  // The cap: every rule that can fire together never exceeds 0.5.
  for (int n = 0; n < 30; ++n) {
    auto h = with_outcome(outcome_kind::success);
    for (int i = 0; i < n; ++i)
      h.steps.push_back(step("t" + std::to_string(i % 7), i % 4 == 1 ? step_result::error : step_result::success));
    h.duration_s = 5;
    CHECK(compute_reward(h).learning_bonus <= 0.5);
  }
}

TEST_CASE("a step without a recorded result does not count as an error for the recovery bonus") {
  auto f = with_outcome(outcome_kind::success);
  f.steps = {step("a", step_result::none), step("b", step_result::success)};
  CHECK(compute_reward(f).learning_bonus == doctest::Approx(0.0));
  f.steps = {step("a", step_result::timeout), step("b", step_result::success)};
  CHECK(compute_reward(f).learning_bonus == doctest::Approx(0.15));
}

TEST_CASE("total is max(0, base + abstention) * efficiency * complexity * quality + learning") {
  for (auto k : {outcome_kind::success, outcome_kind::partial_success, outcome_kind::failure, outcome_kind::abstained}) {
    auto f = with_outcome(k);
    f.steps = {step("a", step_result::error), step("b", step_result::success), step("c", step_result::success)};
    f.duration_s = 95;
    f.outcome.completed = {"x"};
    f.outcome.failed = {"y", "z"};
    f.outcome.stopped_at_step = 5;
    f.complexity = complexity_level::complex;
    auto r = compute_reward(f);
    CHECK(r.total == doctest::Approx(expected_total(r)));
    CHECK(r.total >= 0);
  }
}

TEST_CASE("step_success_rate") {
  episode_facts f;
  CHECK(step_success_rate(f) == 0);
  f.steps = {step("a", step_result::success), step("a", step_result::error), step("a", step_result::none),
             step("a", step_result::success)};
  CHECK(step_success_rate(f) == doctest::Approx(0.5));
}

TEST_CASE("compute_reward is deterministic") {
  auto f = with_outcome(outcome_kind::success);
  f.steps = {step("a", step_result::error), step("b", step_result::success)};
  f.duration_s = 42.5;
  auto a = compute_reward(f), b = compute_reward(f);
  CHECK(a.total == b.total);
  CHECK(a.efficiency == b.efficiency);
}
