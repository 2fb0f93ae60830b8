// Unit tests for core/reflection: which rules fire for each outcome kind, the 5-entry cap, determinism, and that
// every produced string is valid UTF-8 even when inputs are cut (reflections are stored as JSON).
#include "core/reflection.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace memory_mcp;

namespace {

step_fact step(const std::string& tool, step_result r, const std::string& error = "", int64_t latency_ms = 10) {
  step_fact s;
  s.tool = tool;
  s.action = "use " + tool;
  s.result = r;
  s.error_message = error;
  s.latency_ms = latency_ms;
  return s;
}

episode_facts base(outcome_kind k) {
  episode_facts f;
  f.task_type = "debugging";
  f.domain = "web";
  f.outcome.kind = k;
  return f;
}

bool any_contains(const std::vector<std::string>& v, const std::string& needle) {
  return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

// True when `s` is well-formed UTF-8 (no truncated or stray continuation bytes).
bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;  // continuation bytes that must follow
    if (c < 0x80) n = 0;
    else if ((c >> 5) == 0x6) n = 1;
    else if ((c >> 4) == 0xE) n = 2;
    else if ((c >> 3) == 0x1E) n = 3;
    else return false;
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += n + 1;
  }
  return true;
}

bool all_valid_utf8(const reflection& r) {
  for (auto* list : {&r.successes, &r.improvements, &r.insights})
    for (auto& s : *list)
      if (!valid_utf8(s)) return false;
  return true;
}

}  // namespace

TEST_CASE("success: names the verdict and artifacts; a clean run is reusable") {
  auto f = base(outcome_kind::success);
  f.outcome.verdict = "all tests pass";
  f.outcome.artifacts = {"a.py", "b.py"};
  f.steps = {step("grep", step_result::success), step("edit", step_result::success), step("pytest", step_result::success)};
  f.duration_s = 12;
  f.language = "python";
  auto r = reflect(f);
  REQUIRE_FALSE(r.successes.empty());
  CHECK(r.successes[0] == "Completed the task: all tests pass");
  CHECK(any_contains(r.successes, "Produced 2 artifact(s)"));
  CHECK(any_contains(r.successes, "High step success rate: 100% of 3 steps"));
  CHECK(any_contains(r.successes, "Effective tool sequence: grep -> edit -> pytest"));
  CHECK(r.improvements.empty());
  CHECK(any_contains(r.insights, "Task in web domain with moderate complexity took 3 step(s)"));
  CHECK(any_contains(r.insights, "Language: python"));
  CHECK(any_contains(r.insights, "reused for similar debugging tasks"));
}

TEST_CASE("failure: the reason is the first improvement; unspecified when empty") {
  auto f = base(outcome_kind::failure);
  f.outcome.reason = "segfault in parser";
  auto r = reflect(f);
  REQUIRE_FALSE(r.improvements.empty());
  CHECK(r.improvements[0] == "Failure cause to address: segfault in parser");
  CHECK_FALSE(any_contains(r.successes, "Completed the task"));
  f.outcome.reason.clear();
  CHECK(reflect(f).improvements[0] == "Failure cause to address: unspecified");
}

TEST_CASE("partial success lists completed counts and unfinished subtasks (first 3)") {
  auto f = base(outcome_kind::partial_success);
  f.outcome.completed = {"a", "b"};
  f.outcome.failed = {"c", "d", "e", "f"};
  auto r = reflect(f);
  CHECK(any_contains(r.successes, "Completed 2 of 6 subtasks"));
  CHECK(std::count(r.improvements.begin(), r.improvements.end(), "Unfinished subtasks: c, d, e") == 1);
}

TEST_CASE("abstained: early stop is a success, late stop an improvement") {
  auto f = base(outcome_kind::abstained);
  f.outcome.stopped_at_step = 2;
  CHECK(any_contains(reflect(f).successes, "Recognised early (step 2)"));
  f.outcome.stopped_at_step = 12;
  auto late = reflect(f);
  CHECK_FALSE(any_contains(late.successes, "Recognised early"));
  CHECK(any_contains(late.improvements, "Stopped late (step 12)"));
}

TEST_CASE("failed steps: counts, repeated tools and repeated errors, recovery") {
  auto f = base(outcome_kind::success);
  f.outcome.verdict = "ok";
  f.steps = {step("cargo", step_result::error, "E0308 mismatched types"),
             step("cargo", step_result::error, "E0308 mismatched types"), step("edit", step_result::success),
             step("cargo", step_result::success)};
  auto r = reflect(f);
  CHECK(any_contains(r.improvements, "2 of 4 steps did not succeed"));
  CHECK(any_contains(r.improvements, "Tool 'cargo' failed 2 times"));
  CHECK(any_contains(r.improvements, "Repeated error (2x): E0308 mismatched types"));
  CHECK(any_contains(r.successes, "Recovered from 1 failed step(s)"));
  CHECK(any_contains(r.insights, "After 'cargo' failed, 'edit: use edit' recovered"));
}

TEST_CASE("bottleneck, long task and many steps are improvements") {
  auto f = base(outcome_kind::success);
  f.outcome.verdict = "ok";
  for (int i = 0; i < 60; ++i) f.steps.push_back(step("t", step_result::success, "", i == 7 ? 9000 : 10));
  f.duration_s = 400;
  auto r = reflect(f);
  CHECK(any_contains(r.improvements, "Bottleneck: one step took 9000 ms"));
  CHECK(any_contains(r.improvements, "Long task (400.0 s)"));
  CHECK(any_contains(r.improvements, "Many steps (60)"));
}

TEST_CASE("no list holds more than 5 entries") {
  auto f = base(outcome_kind::partial_success);
  f.outcome.completed = {"a"};
  f.outcome.failed = {"b"};
  f.language = "rust";
  for (int i = 0; i < 80; ++i)
    f.steps.push_back(step("tool" + std::to_string(i % 8), i % 2 ? step_result::error : step_result::success,
                           "error " + std::to_string(i % 3), i == 3 ? 50000 : 5));
  f.duration_s = 1000;
  auto r = reflect(f);
  CHECK(r.successes.size() <= 5);
  CHECK(r.improvements.size() == 5);  // many rules fire; capped
  CHECK(r.insights.size() <= 5);
}

TEST_CASE("empty episode: one insight, nothing else invented") {
  auto f = base(outcome_kind::failure);
  auto r = reflect(f);
  CHECK(r.successes.empty());
  CHECK(r.improvements.size() == 1);
  REQUIRE(r.insights.size() == 1);
  CHECK(r.insights[0] == "Task in web domain with moderate complexity took 0 step(s)");
}

TEST_CASE("reflect is deterministic") {
  auto f = base(outcome_kind::success);
  f.steps = {step("a", step_result::error, "x"), step("b", step_result::success)};
  auto a = reflect(f), b = reflect(f);
  CHECK(a.successes == b.successes);
  CHECK(a.improvements == b.improvements);
  CHECK(a.insights == b.insights);
}

TEST_CASE("cut texts stay valid UTF-8 (multi-byte characters around the 80-byte cut)") {
  // 'x' + 2-byte characters: byte 80 falls in the middle of a character.
  std::string accented = "x";
  for (int i = 0; i < 60; ++i) accented += "\xC3\xA9";  // U+00E9
  std::string cjk;
  for (int i = 0; i < 40; ++i) cjk += "\xE6\xBC\xA2";  // U+6F22, 3 bytes
  for (auto& text : {accented, cjk, "ab" + cjk}) {
    auto f = base(outcome_kind::success);
    f.outcome.verdict = "ok";
    f.steps = {step("t", step_result::error, text), step("t", step_result::error, text)};
    f.steps.push_back(step("u", step_result::success));
    f.steps.back().action = text;
    auto r = reflect(f);
    REQUIRE(any_contains(r.improvements, "Repeated error (2x): "));
    REQUIRE(any_contains(r.insights, "recovered"));
    CHECK(all_valid_utf8(r));
  }
}

TEST_CASE("the UTF-8 checker used above rejects a cut character (the test can fail)") {
  CHECK(valid_utf8("caf\xC3\xA9"));
  CHECK_FALSE(valid_utf8("caf\xC3"));
  CHECK_FALSE(valid_utf8("\xE6\xBC"));
  CHECK_FALSE(valid_utf8("a\xA9"));
}
