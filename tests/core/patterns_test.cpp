#include <doctest/doctest.h>

#include <algorithm>

#include "core/patterns.hpp"

using namespace memory_mcp;

namespace {

step_fact step(std::string tool, std::string action, step_result r = step_result::success, std::string error = "") {
  step_fact s;
  s.tool = std::move(tool);
  s.action = std::move(action);
  s.result = r;
  s.error_message = std::move(error);
  s.latency_ms = 10;
  return s;
}

episode_facts episode(std::vector<step_fact> steps, outcome_kind kind = outcome_kind::success) {
  episode_facts f;
  f.task_type = "debugging";
  f.domain = "Web";
  f.language = "Python";
  f.framework = "Django";
  f.steps = std::move(steps);
  f.outcome.kind = kind;
  return f;
}

std::vector<pattern_observation> of_kind(const std::vector<pattern_observation>& all, pattern_kind k) {
  std::vector<pattern_observation> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out), [&](auto& o) { return o.kind == k; });
  return out;
}

}  // namespace

TEST_CASE("the tool sequence is the successful path with repeats collapsed, keyed by domain and tools") {
  auto obs = extract_patterns(episode({step("grep", "find usages"), step("read_file", "read a.py"),
                                       step("edit_file", "fix"), step("edit_file", "fix again"),
                                       step("run_tests", "run", step_result::error, "AssertionError: x"),
                                       step("run_tests", "rerun")}));
  auto seq = of_kind(obs, pattern_kind::tool_sequence);
  REQUIRE(seq.size() == 1);
  CHECK(seq[0].tools == std::vector<std::string>{"grep", "read_file", "edit_file", "run_tests"});
  CHECK(seq[0].key == "tool_sequence|web|grep>read_file>edit_file>run_tests");
  CHECK(seq[0].domain == "web");
  CHECK(seq[0].success == 1.0);
  CHECK(seq[0].latency_ms == 50);
}

TEST_CASE("the same workflow in two episodes yields the same keys; a different domain does not") {
  auto a = extract_patterns(episode({step("Read_File", "read x.py"), step("edit_file", "change")}));
  auto b = extract_patterns(episode({step("read_file", "read y.py "), step("edit_file", "other change")}));
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].key == b[i].key);
  auto other = episode({step("read_file", "read"), step("edit_file", "change")});
  other.domain = "data";
  CHECK(extract_patterns(other)[0].key != a[0].key);
}

TEST_CASE("error recovery: the failure, its class, and the tools that recovered up to the retry") {
  auto obs = extract_patterns(episode({step("run_tests", "run", step_result::error, "ImportError: No module named 'requests'"),
                                       step("pip_install", "install requests"), step("run_tests", "run again"),
                                       step("git_commit", "commit")}));
  auto rec = of_kind(obs, pattern_kind::error_recovery);
  REQUIRE(rec.size() == 1);
  CHECK(rec[0].failing_tool == "run_tests");
  CHECK(rec[0].error_type == "importerror");
  CHECK(rec[0].recovery_steps == std::vector<std::string>{"pip_install", "run_tests"});
  CHECK(rec[0].key == "error_recovery|web|run_tests|importerror|pip_install>run_tests");
}

TEST_CASE("error recovery: only the last failure of a run is recovered; timeouts and missing results have classes") {
  auto obs = extract_patterns(episode({step("deploy", "push", step_result::timeout), step("deploy", "push", step_result::none),
                                       step("deploy", "push again")}));
  auto rec = of_kind(obs, pattern_kind::error_recovery);
  REQUIRE(rec.size() == 1);
  CHECK(rec[0].error_type == "no result");
  CHECK(rec[0].recovery_steps == std::vector<std::string>{"deploy"});
  auto t = of_kind(extract_patterns(episode({step("deploy", "push", step_result::timeout), step("deploy", "retry")})),
                   pattern_kind::error_recovery);
  REQUIRE(t.size() == 1);
  CHECK(t[0].error_type == "timeout");
}

TEST_CASE("a failure never followed by success teaches no recovery") {
  auto obs = extract_patterns(episode({step("a", "x"), step("b", "y", step_result::error, "boom")}, outcome_kind::failure));
  CHECK(of_kind(obs, pattern_kind::error_recovery).empty());
}

TEST_CASE("decision points: explicit choice verbs and choice parameters, not substrings like 'is' or 'analysis'") {
  auto choose = step("db_query", "run query");
  choose.parameters = {{"strategy", "Batch Insert"}};
  auto obs = extract_patterns(episode({step("fs", "Check if /tmp/a.txt exists (try 2)"), step("analyzer", "analysis of this"),
                                       choose, step("fs", "verify the output")}));
  auto d = of_kind(obs, pattern_kind::decision_point);
  REQUIRE(d.size() == 3);
  CHECK(d[0].condition == "check if exists try");
  CHECK(d[0].action == "fs");
  CHECK(d[1].condition == "choose strategy batch insert");
  CHECK(d[2].condition == "verify the output");
}

TEST_CASE("context pattern: the context features and the first three distinct tools") {
  auto obs = extract_patterns(episode({step("grep", "a"), step("read_file", "b"), step("grep", "c"), step("edit_file", "d"),
                                       step("run_tests", "e")}));
  auto c = of_kind(obs, pattern_kind::context_pattern);
  REQUIRE(c.size() == 1);
  CHECK(c[0].context_features ==
        std::vector<std::string>{"domain:web", "task_type:debugging", "language:python", "framework:django"});
  CHECK(c[0].recommended_approach == "grep -> read_file -> edit_file");
}

TEST_CASE("heuristics: one per distinct consecutive pair of the successful path") {
  auto obs = extract_patterns(episode({step("edit_file", "a"), step("run_tests", "b"), step("edit_file", "c"),
                                       step("run_tests", "d")}));
  auto h = of_kind(obs, pattern_kind::heuristic);
  REQUIRE(h.size() == 2);
  CHECK(h[0].key == "heuristic|web|edit_file>run_tests");
  CHECK(h[1].key == "heuristic|web|run_tests>edit_file");
  CHECK(h[0].description == "In web tasks, after edit_file, run run_tests");
}

TEST_CASE("outcome weights: success 1, partial by subtasks, failure and abstention 0") {
  outcome_fact o;
  CHECK(outcome_success_weight(o) == 1.0);
  o.kind = outcome_kind::partial_success;
  CHECK(outcome_success_weight(o) == 0.5);
  o.completed = {"a", "b", "c"};
  o.failed = {"d"};
  CHECK(outcome_success_weight(o) == 0.75);
  o.kind = outcome_kind::failure;
  CHECK(outcome_success_weight(o) == 0.0);
  auto failed = extract_patterns(episode({step("a", "x"), step("b", "y")}, outcome_kind::failure));
  for (auto& f : failed) CHECK(f.success == 0.0);
}

TEST_CASE("an episode without steps teaches nothing; limits bound what one episode contributes") {
  CHECK(extract_patterns(episode({})).empty());
  std::vector<step_fact> many;
  for (int i = 0; i < 40; ++i) many.push_back(step("tool" + std::string(1, static_cast<char>('a' + i % 20)), "verify item"));
  auto obs = extract_patterns(episode(many));
  CHECK(of_kind(obs, pattern_kind::tool_sequence)[0].tools.size() == 8);
  CHECK(of_kind(obs, pattern_kind::heuristic).size() == 10);
  CHECK(of_kind(obs, pattern_kind::decision_point).size() == 5);
}

TEST_CASE("normalize_phrase and error_class drop instance details") {
  CHECK(normalize_phrase("Check if /tmp/a.txt exists (try 2)") == "check if exists try");
  CHECK(normalize_phrase("") == "");
  CHECK(normalize_phrase("one two three four five six seven eight nine", 3) == "one two three");
  CHECK(error_class("ModuleNotFoundError: No module named 'x'\nTraceback") == "modulenotfounderror");
  CHECK(error_class("error: cannot find symbol Foo in 3 files") == "cannot find symbol foo in files");
  CHECK(error_class("ENOENT: no such file") == "enoent");
  CHECK(error_class("") == "unknown error");
  CHECK(error_class("42") == "unknown error");
  CHECK(error_class("Error: Cannot find module 'supertest'") == "cannot find module");
  CHECK(error_class("requests.exceptions.ConnectionError: refused") == "connectionerror");
  CHECK(error_class("Bullet::Notification::UnoptimizedQueryError: USE eager loading detected Order => [:line_items]") ==
        "unoptimizedqueryerror");
  CHECK(normalize_phrase("install \"left-pad\" and 'lodash' now") == "install and now");
}
