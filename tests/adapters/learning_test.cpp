// Learning on real SQLite files: patterns merge evidence across episodes, deletion and re-learning keep the
// aggregates equal to the evidence, the quality gate, the v3 -> v4 backfill, and feedback that moves rankings.
#include <doctest/doctest.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <set>

#include "adapters/pattern_repo.hpp"
#include "adapters/sqlite_schema.hpp"
#include "core/evidence.hpp"
#include "tests/adapters/store_fixture.hpp"

using namespace memory_mcp;
using namespace memory_mcp::test;

namespace {

// An episode with the given tools as successful steps (and optional failing first step), completed.
std::string run_episode(store& s, const std::vector<std::string>& tools, const std::string& outcome = "success",
                        const std::string& domain = "web", const std::string& description = "fix the login bug") {
  auto id = s.create(description, {{"domain", domain}, {"language", "python"}});
  int n = 0;
  for (auto& t : tools)
    s.ok("add_episode_step", {{"episode_id", id}, {"step_number", ++n}, {"tool", t}, {"action", "use " + t},
                              {"result", {{"type", "success"}, {"output", "ok"}}}});
  json done = {{"episode_id", id}, {"outcome_type", outcome}};
  if (outcome == "failure") done["reason"] = "tests still fail";
  else done["verdict"] = "done";
  s.ok("complete_episode", done);
  return id;
}

json pattern_by_key(store& s, const std::string& key) {
  auto p = load_pattern(*s.db, pattern_id_for_key(key));
  REQUIRE(p.has_value());
  return *p;
}

const std::vector<std::string> workflow = {"grep", "read_file", "edit_file", "run_tests"};
const std::string workflow_key = "tool_sequence|web|grep>read_file>edit_file>run_tests";

}  // namespace

TEST_SUITE("learning") {
  TEST_CASE("the same workflow in several episodes is one pattern whose evidence grows") {
    temp_dir dir;
    store s(dir.file("m.db"));
    auto a = run_episode(s, workflow);
    auto first = pattern_by_key(s, workflow_key);
    CHECK(first["occurrences"] == 1);
    CHECK(first["confidence"].get<double>() == doctest::Approx(wilson_lower_bound(1, 1)));
    auto b = run_episode(s, workflow);
    auto c = run_episode(s, workflow, "failure");
    auto p = pattern_by_key(s, workflow_key);
    CHECK(p["occurrences"] == 3);
    CHECK(p["successes"] == 2);
    CHECK(p["failures"] == 1);
    CHECK(p["success_rate"].get<double>() == doctest::Approx(2.0 / 3));
    CHECK(p["confidence"].get<double>() == doctest::Approx(wilson_lower_bound(2, 3)));
    CHECK(p["tools"] == json(workflow));
    CHECK(p["first_seen"].get<std::string>() <= p["last_seen"].get<std::string>());
    auto ev = s.ok("explain_pattern", {{"pattern_id", p["pattern_id"]}});
    CHECK(ev["evidence_total"] == 3);
    std::set<std::string> ids;
    for (auto& e : ev["evidence"]) ids.insert(e["episode_id"].get<std::string>());
    CHECK(ids == std::set<std::string>{a, b, c});
    // The episode links the patterns it is evidence for.
    auto got = s.ok("get_episode", {{"episode_id", a}});
    CHECK(std::find(got["episode"]["patterns"].begin(), got["episode"]["patterns"].end(), p["pattern_id"]) !=
          got["episode"]["patterns"].end());
  }

  TEST_CASE("complete_episode reports the patterns it updated and which are new") {
    temp_dir dir;
    store s(dir.file("m.db"));
    run_episode(s, workflow);
    auto id = s.create();
    int n = 0;
    for (auto& t : workflow)
      s.ok("add_episode_step", {{"episode_id", id}, {"step_number", ++n}, {"tool", t}, {"action", "x"},
                                {"result", {{"type", "success"}, {"output", ""}}}});
    auto r = s.ok("complete_episode", {{"episode_id", id}, {"outcome_type", "success"}, {"verdict", "ok"}});
    CHECK(r["learning"]["learned"] == true);
    bool saw_sequence = false;
    for (auto& p : r["learning"]["patterns"])
      if (p["kind"] == "tool_sequence") {
        saw_sequence = true;
        CHECK(p["occurrences"] == 2);
        CHECK(p["new"] == false);
      }
    CHECK(saw_sequence);
    CHECK(r["patterns"].size() == r["learning"]["patterns"].size());
  }

  TEST_CASE("deleting an episode removes its evidence; a pattern without evidence disappears") {
    temp_dir dir;
    store s(dir.file("m.db"));
    auto a = run_episode(s, workflow);
    auto b = run_episode(s, workflow, "failure");
    s.ok("delete_episode", {{"episode_id", b}, {"confirm", true}});
    auto p = pattern_by_key(s, workflow_key);
    CHECK(p["occurrences"] == 1);
    CHECK(p["successes"] == 1);
    CHECK(p["confidence"].get<double>() == doctest::Approx(wilson_lower_bound(1, 1)));
    s.ok("delete_episode", {{"episode_id", a}, {"confirm", true}});
    CHECK_FALSE(load_pattern(*s.db, pattern_id_for_key(workflow_key)).has_value());
    CHECK(s.db->execAndGet("SELECT COUNT(*) FROM patterns").getInt() == 0);
    CHECK(s.db->execAndGet("SELECT COUNT(*) FROM patterns_fts").getInt() == 0);
  }

  TEST_CASE("learning again from a stored episode changes nothing (idempotent evidence)") {
    temp_dir dir;
    store s(dir.file("m.db"));
    auto a = run_episode(s, workflow);
    auto before = pattern_by_key(s, workflow_key);
    auto again = learn_from_stored_episode(*s.db, a, 0.3);
    CHECK(again.learned);
    auto after = pattern_by_key(s, workflow_key);
    CHECK(after["occurrences"] == before["occurrences"]);
    CHECK(after["confidence"] == before["confidence"]);
  }

  TEST_CASE("the quality gate: below the threshold an episode is stored but teaches nothing") {
    temp_dir dir;
    store s(dir.file("m.db"));
    s.learning.min_quality = 0.99;
    auto id = s.create();
    s.ok("add_episode_step", {{"episode_id", id}, {"step_number", 1}, {"tool", "a"}, {"action", "x"},
                              {"result", {{"type", "success"}, {"output", ""}}}});
    s.ok("add_episode_step", {{"episode_id", id}, {"step_number", 2}, {"tool", "b"}, {"action", "y"},
                              {"result", {{"type", "success"}, {"output", ""}}}});
    auto r = s.ok("complete_episode", {{"episode_id", id}, {"outcome_type", "success"}, {"verdict", "ok"}});
    CHECK(r["learning"]["learned"] == false);
    CHECK(r["learning"]["skipped_reason"].get<std::string>().find("MEMORY_MCP_LEARNING_MIN_QUALITY") != std::string::npos);
    CHECK(r["patterns"].empty());
    CHECK(s.db->execAndGet("SELECT COUNT(*) FROM patterns").getInt() == 0);
    CHECK(s.db->execAndGet("SELECT learned FROM episodes").getInt() == 0);
    // The default threshold accepts the same ordinary episode.
    s.learning.min_quality = 0.3;
    run_episode(s, {"a", "b"});
    CHECK(s.db->execAndGet("SELECT COUNT(*) FROM patterns").getInt() > 0);
  }

  TEST_CASE("complete_episode re-prepares when a step arrived after the plan was made") {
    temp_dir dir;
    store s(dir.file("m.db"));
    auto id = s.create();
    s.ok("add_episode_step", {{"episode_id", id}, {"step_number", 1}, {"tool", "a"}, {"action", "x"}});
    auto plan = prepare_completion(*s.db, {{"episode_id", id}, {"outcome_type", "success"}, {"verdict", "ok"}}, {}, wall_clock_us());
    REQUIRE(plan);
    s.ok("add_episode_step", {{"episode_id", id}, {"step_number", 2}, {"tool", "b"}, {"action", "y"}});
    command_context ctx{*s.db, s.client, [](double, double, const std::string&) {}};
    auto r = apply_completion(ctx, plan.value());
    REQUIRE(r);
    CHECK(r.value()["retry"] == true);
    CHECK(s.db->execAndGet("SELECT end_time_us IS NULL FROM episodes").getInt() == 1);
  }

  TEST_CASE("migration 4 learns from the episodes completed before it existed") {
    temp_dir dir;
    auto path = dir.file("old.db");
    {
      // A version-3 database with one completed episode, written the way version 3 wrote it.
      SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT '')");
      for (auto& m : migrations()) {
        if (m.version > 3) break;
        db.exec(m.sql);
        db.exec("INSERT INTO schema_migrations(version, name) VALUES (" + std::to_string(m.version) + ", 'x')");
      }
      db.exec("INSERT INTO episodes(episode_id, task_type, task_description, domain, complexity, start_time_us, "
              "end_time_us, outcome_type, outcome, reward_total, reward, reflection, updated_at_us, step_count) VALUES "
              "('11111111-1111-4111-8111-111111111111', 'debugging', 'old one', 'web', 'moderate', 1000, 2000000, "
              "'success', '{\"type\":\"success\",\"verdict\":\"ok\",\"artifacts\":[]}', 1.5, '{\"total\":1.5}', "
              "'{\"successes\":[\"a\"],\"improvements\":[],\"insights\":[\"b\"]}', 2000000, 2)");
      db.exec("INSERT INTO steps(episode_id, step_number, timestamp_us, tool, action, result_type, result_text) VALUES "
              "('11111111-1111-4111-8111-111111111111', 1, 1000, 'read_file', 'read', 'success', 'x'), "
              "('11111111-1111-4111-8111-111111111111', 2, 2000, 'edit_file', 'edit', 'success', 'y')");
    }
    auto db = open_ok(path);
    CHECK(current_schema_version(*db) == latest_schema_version());
    auto p = load_pattern(*db, pattern_id_for_key("tool_sequence|web|read_file>edit_file"));
    REQUIRE(p.has_value());
    CHECK((*p)["occurrences"] == 1);
    CHECK((*p)["avg_reward"].get<double>() == doctest::Approx(1.5));
    CHECK(db->execAndGet("SELECT learned FROM episodes").getInt() == 1);
  }

  TEST_CASE("recommend_patterns ranks by evidence, and feedback moves a pattern up or down") {
    temp_dir dir;
    store s(dir.file("m.db"));
    // Two workflows for the same task; A has more successful evidence than B.
    std::vector<std::string> a = {"grep", "edit_file", "run_tests"}, b = {"read_file", "patch", "run_tests"};
    for (int i = 0; i < 6; ++i) run_episode(s, a);
    for (int i = 0; i < 3; ++i) run_episode(s, b);
    json ask = {{"task_description", "fix the login bug"}, {"domain", "web"}, {"kind", "tool_sequence"}, {"limit", 2}};
    auto first = s.ok("recommend_patterns", ask);
    REQUIRE(first["results"].size() == 2);
    CHECK(first["results"][0]["tools"] == json(a));
    auto id_a = first["results"][0]["pattern_id"].get<std::string>();
    auto id_b = first["results"][1]["pattern_id"].get<std::string>();
    // Agents report that A did not help and B did, repeatedly.
    auto episode = s.create();
    for (int i = 0; i < 6; ++i) {
      auto sa = s.ok("record_recommendation_session", {{"episode_id", episode}, {"recommended_pattern_ids", {id_a, id_b}}});
      s.ok("record_recommendation_feedback", {{"session_id", sa["session_id"]}, {"outcome", {{"type", "failure"}}},
                                              {"applied_pattern_ids", {id_a}}});
      auto sb = s.ok("record_recommendation_session", {{"episode_id", episode}, {"recommended_pattern_ids", {id_b}}});
      s.ok("record_recommendation_feedback", {{"session_id", sb["session_id"]}, {"outcome", {{"type", "success"}}},
                                              {"applied_pattern_ids", {id_b}}, {"agent_rating", 0.9}});
    }
    auto after = s.ok("recommend_patterns", ask);
    CHECK(after["results"][0]["pattern_id"] == id_b);
    CHECK(after["results"][0]["effectiveness"]["score"].get<double>() > 0.8);
    CHECK(after["results"][1]["effectiveness"]["score"].get<double>() < 0.2);
    auto stats = s.ok("get_recommendation_stats", json::object());
    CHECK(stats["total_sessions"] == 12);
    CHECK(stats["total_feedback"] == 12);
    CHECK(stats["patterns_applied"] == 12);
    CHECK(stats["patterns_ignored"] == 6);  // B recommended with A and not applied
    CHECK(stats["success_after_adoption_rate"].get<double>() == doctest::Approx(0.5));
    CHECK(stats["avg_agent_rating"].get<double>() == doctest::Approx(0.9));
  }

  TEST_CASE("feedback: once per session, unknown sessions and patterns are named") {
    temp_dir dir;
    store s(dir.file("m.db"));
    run_episode(s, workflow);
    auto episode = s.create();
    auto bad = s.run("record_recommendation_session", {{"episode_id", episode}, {"recommended_pattern_ids", {unknown_id}}});
    REQUIRE_FALSE(bad);
    CHECK(contains(bad.err().message, "recommended_pattern_ids[0]"));
    auto sess = s.ok("record_recommendation_session", {{"episode_id", episode}});
    auto fb = json{{"session_id", sess["session_id"]}, {"outcome", {{"type", "success"}}}};
    auto bad_applied = s.run("record_recommendation_feedback", {{"session_id", sess["session_id"]},
                                                                {"outcome", {{"type", "success"}}},
                                                                {"applied_pattern_ids", {unknown_id}}});
    REQUIRE_FALSE(bad_applied);
    CHECK(contains(bad_applied.err().message, "applied_pattern_ids[0]"));
    s.ok("record_recommendation_feedback", fb);
    auto twice = s.run("record_recommendation_feedback", fb);
    REQUIRE_FALSE(twice);
    CHECK(twice.err().code == error_code::conflict);
    auto none = s.run("record_recommendation_feedback", {{"session_id", unknown_id}, {"outcome", {{"type", "success"}}}});
    REQUIRE_FALSE(none);
    CHECK(none.err().code == error_code::not_found);
  }

  TEST_CASE("playbook: ordered steps from the strongest workflow, pitfalls from its recoveries") {
    temp_dir dir;
    store s(dir.file("m.db"));
    for (int i = 0; i < 3; ++i) {
      auto id = s.create("add pagination to the users endpoint", {{"domain", "web"}});
      int n = 0;
      auto step = [&](const std::string& tool, const std::string& action, bool ok) {
        s.ok("add_episode_step", {{"episode_id", id}, {"step_number", ++n}, {"tool", tool}, {"action", action},
                                  {"result", ok ? json{{"type", "success"}, {"output", "ok"}}
                                                : json{{"type", "error"}, {"message", "ImportError: no module named x"}}}});
      };
      step("read_file", "read users view", true);
      step("edit_file", "add page parameter", true);
      step("run_tests", "run the suite", false);
      step("pip_install", "install missing package", true);
      step("run_tests", "run the suite", true);
      s.ok("complete_episode", {{"episode_id", id}, {"outcome_type", "success"}, {"verdict", "paginated"}});
    }
    auto r = s.ok("recommend_playbook", {{"task_description", "add pagination to an endpoint"}, {"domain", "web"},
                                         {"max_steps", 3}});
    REQUIRE(r["playbooks"].size() >= 1);
    auto& pb = r["playbooks"][0];
    REQUIRE(pb["ordered_steps"].size() == 3);
    CHECK(pb["ordered_steps"][0]["tool_hint"] == "read_file");
    CHECK(pb["ordered_steps"][0]["action"] == "read users view");
    CHECK(pb["ordered_steps"][2]["order"] == 3);
    REQUIRE(pb["pitfalls"].size() >= 1);
    CHECK(contains(pb["pitfalls"][0]["warning"].get<std::string>(), "run_tests failed with 'importerror' in 3 episode(s)"));
    CHECK(contains(pb["pitfalls"][0]["mitigation"].get<std::string>(), "pip_install -> run_tests"));
    CHECK(pb["supporting_episode_ids"].size() == 3);
  }

  TEST_CASE("domain lookups ignore case and surrounding blanks, as patterns record domains") {
    temp_dir dir;
    store s(dir.file("m.db"));
    run_episode(s, workflow, "success", " Web ");
    CHECK(s.ok("analyze_patterns", {{"domain", "WEB"}, {"min_success_rate", 0}})["patterns"].size() > 0);
    auto found = s.ok("search_patterns", {{"query", "grep"}, {"domain", "Web"}, {"filter_by_domain", true}});
    CHECK(found["results"].size() > 0);
    auto no_domain = s.run("search_patterns", {{"query", "grep"}, {"filter_by_domain", true}});
    REQUIRE_FALSE(no_domain);
    CHECK(contains(no_domain.err().message, "filter_by_domain: needs arguments.domain"));
  }

  TEST_CASE("query_memory returns the patterns that fit the task next to the episodes") {
    temp_dir dir;
    store s(dir.file("m.db"));
    run_episode(s, workflow, "success", "web", "fix the login redirect bug");
    auto r = s.ok("query_memory", {{"query", "login bug"}, {"domain", "web"}});
    CHECK(r["episodes"].size() == 1);
    REQUIRE(r["patterns"].size() >= 1);
    CHECK(r["insights"]["relevant_patterns"] == r["patterns"].size());
  }

  TEST_CASE("quality_metrics and learning stats are computed from stored episodes") {
    temp_dir dir;
    store s(dir.file("m.db"));
    run_episode(s, workflow);
    run_episode(s, {"a"}, "failure");
    auto q = s.ok("quality_metrics", {{"time_range", "all"}});
    CHECK(q["total_episodes_attempted"] == 2);
    CHECK(q["episodes_accepted"].get<int>() + q["episodes_rejected"].get<int>() == 2);
    double sum = s.db->execAndGet("SELECT SUM(quality) FROM episodes").getDouble();
    CHECK(q["average_quality_score"].get<double>() == doctest::Approx(sum / 2));
    auto m = s.ok("get_metrics", json::object());
    CHECK(m["episodes"]["completed"] == 2);
    CHECK(m["patterns"]["total"].get<int>() == s.db->execAndGet("SELECT COUNT(*) FROM patterns").getInt());
    CHECK(m["episodes"]["by_outcome"]["failure"] == 1);
  }
}
