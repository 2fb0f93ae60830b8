// Tests for the SQLite side of the episode store on real database files in a temporary directory:
// adapters/sqlite_db (file mode, WAL, pragmas, idempotent and concurrent migrations, newer-schema refusal, other
// connections' locks kept on reopening) and
// adapters/store_commands (create, add step, complete, get, list pagination, and the not_found / conflict /
// invalid_argument errors). No actor system: commands run on a connection this test owns.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sqlite_db.hpp"
#include "adapters/store_commands.hpp"
#include "tests/adapters/store_fixture.hpp"

using namespace memory_mcp;
using nlohmann::json;
namespace fs = std::filesystem;

using namespace memory_mcp::test;

TEST_SUITE("sqlite_db") {
  TEST_CASE("open_database creates an owner-only file in WAL mode with FULL sync and foreign keys") {
    temp_dir dir;
    auto path = dir.file("memory.db");
    auto db = open_ok(path);
    CHECK(file_mode(path) == 0600);
    CHECK(db->execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(db->execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL
    CHECK(db->execAndGet("PRAGMA foreign_keys").getInt() == 1);
    CHECK(current_schema_version(*db) == latest_schema_version());
    CHECK(latest_schema_version() >= 2);
    CHECK(db->tableExists("episodes"));
    CHECK(db->tableExists("steps"));
    CHECK(db->tableExists("episode_tags"));
    CHECK(db->tableExists("episode_relationships"));
  }

  TEST_CASE("the database, WAL and shared-memory files are 0600 even with a permissive umask") {
    temp_dir dir;
    auto path = dir.file("memory.db");
    mode_t old = ::umask(0);
    auto db = open_database(path);
    ::umask(old);
    REQUIRE(db);
    db.value()->exec("CREATE TABLE IF NOT EXISTS probe(x INTEGER); INSERT INTO probe VALUES (1)");
    CHECK(file_mode(path) == 0600);
    REQUIRE(fs::exists(path + "-wal"));
    CHECK(file_mode(path + "-wal") == 0600);
    REQUIRE(fs::exists(path + "-shm"));
    CHECK(file_mode(path + "-shm") == 0600);
  }

  TEST_CASE("migrations are idempotent: reopening applies nothing twice and keeps the data") {
    temp_dir dir;
    auto path = dir.file("memory.db");
    std::string id;
    {
      store s(path);
      id = s.create();
    }
    for (int i = 0; i < 3; ++i) {
      auto db = open_ok(path);
      CHECK(current_schema_version(*db) == latest_schema_version());
      CHECK(db->execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt() == latest_schema_version());
      CHECK(db->execAndGet("SELECT COUNT(*) FROM episodes WHERE episode_id = '" + id + "'").getInt() == 1);
    }
  }

namespace {
// Opens `path` from `n` threads released together; returns the error messages (empty strings on success).
std::vector<std::string> open_concurrently(const std::string& path, int n) {
  std::atomic<int> ready{0};
  std::vector<std::string> errors(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t)
    threads.emplace_back([&, t] {
      ++ready;
      while (ready.load() < n) std::this_thread::yield();
      auto db = open_database(path);
      if (!db) errors[static_cast<size_t>(t)] = db.err().message;
    });
  for (auto& th : threads) th.join();
  return errors;
}
}  // namespace

  TEST_CASE("connections migrating a WAL database at the same time all succeed and migrate once") {
    for (int round = 0; round < 10; ++round) {
      temp_dir dir;
      auto path = dir.file("memory.db");
      { SQLite::Database pre(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); pre.exec("PRAGMA journal_mode=WAL"); }
      for (auto& e : open_concurrently(path, 4)) CHECK_MESSAGE(e.empty(), e);
      auto db = open_ok(path);
      CHECK(db->execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt() == latest_schema_version());
      CHECK(current_schema_version(*db) == latest_schema_version());
    }
  }

  // On a brand-new file "PRAGMA journal_mode=WAL" races between connections and SQLite answers SQLITE_BUSY at once
  // (no busy handler for that lock); open_database retries the switch until the busy timeout.
  TEST_CASE("connections opening a brand-new file at the same time all succeed") {
    for (int round = 0; round < 10; ++round) {
      temp_dir dir;
      auto path = dir.file("memory.db");
      for (auto& e : open_concurrently(path, 4)) CHECK_MESSAGE(e.empty(), e);
      auto db = open_ok(path);
      CHECK(db->execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt() == latest_schema_version());
    }
  }

  // POSIX locks belong to the process: closing any descriptor of a file drops all of them. open_database must not
  // open and close an existing file by hand, or a reader connection opened earlier in the same process (the
  // pattern learner's) silently loses its lock, and another process may reset the WAL under it.
  TEST_CASE("opening the database again keeps the locks of this process's other connections") {
    temp_dir dir;
    auto path = dir.file("memory.db");
    auto first = open_ok(path);
    SQLite::Database reader(path, SQLite::OPEN_READONLY);
    reader.exec("BEGIN");
    CHECK(reader.execAndGet("SELECT COUNT(*) FROM episodes").getInt() == 0);  // a read transaction: a SHARED lock
    auto again = open_ok(path);
    // Another process asks whether it could lock SQLite's shared-lock bytes exclusively (what a closing last
    // connection does before it deletes the WAL): it must not.
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      int fd = ::open(path.c_str(), O_RDWR);
      struct flock probe {};
      probe.l_type = F_WRLCK;
      probe.l_whence = SEEK_SET;
      probe.l_start = 0x40000002;  // SQLite's SHARED_FIRST (PENDING_BYTE + 2)
      probe.l_len = 510;           // SHARED_SIZE
      bool locked = fd >= 0 && ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
      ::_exit(locked ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK_MESSAGE(WEXITSTATUS(status) == 0, "the reader's shared lock was dropped by opening the database again");
    reader.exec("COMMIT");
  }

  TEST_CASE("a database from a newer build is refused, naming both versions, and left untouched") {
    temp_dir dir;
    auto path = dir.file("memory.db");
    {
      auto db = open_ok(path);
      db->exec("INSERT INTO schema_migrations(version, name) VALUES (99, 'future')");
    }
    auto again = open_database(path);
    REQUIRE_FALSE(again);
    CHECK(again.err().code == error_code::storage);
    CHECK(contains(again.err().message, "99"));
    CHECK(contains(again.err().message, std::to_string(latest_schema_version())));
    SQLite::Database raw(path);
    CHECK(raw.execAndGet("SELECT COUNT(*) FROM schema_migrations WHERE version = 99").getInt() == 1);
  }

  TEST_CASE("open_database names the path when it cannot open the file") {
    temp_dir dir;
    auto path = dir.file("no/such/dir/memory.db");
    auto db = open_database(path);
    REQUIRE_FALSE(db);
    CHECK(db.err().code == error_code::storage);
    CHECK(contains(db.err().message, path));
  }

  TEST_CASE("ensure_data_dir creates nested directories 0700 and refuses a regular file") {
    temp_dir dir;
    auto nested = dir.file("a/b/c");
    REQUIRE(ensure_data_dir(nested));
    CHECK(fs::is_directory(nested));
    CHECK(file_mode(nested) == 0700);
    CHECK(ensure_data_dir(nested));  // idempotent
    auto f = dir.file("plain");
    { std::FILE* fp = std::fopen(f.c_str(), "w"); REQUIRE(fp); std::fclose(fp); }
    auto st = ensure_data_dir(f);
    REQUIRE_FALSE(st);
    CHECK(contains(st.err().message, f));
  }
}

TEST_SUITE("store_commands") {
  TEST_CASE("create -> add_step -> complete -> get round trip") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    auto id = s.create("Fix flaky login test", {{"language", "python"}, {"tags", {"Auth", "ci", "auth"}},
                                                 {"complexity", "complex"}, {"metadata", {{"ticket", "T-1"}}}});
    CHECK(id.size() == 36);
    auto step1 = s.ok("add_episode_step", {{"episode_id", id}, {"step_number", 1}, {"tool", "pytest"},
                                           {"action", "run tests"}, {"latency_ms", 120}, {"tokens_used", 50},
                                           {"result", {{"type", "error"}, {"message", "timeout in login"}}}});
    CHECK(step1["step_count"] == 1);
    auto step2 = s.ok("add_episode_step", {{"episode_id", id}, {"step_number", 2}, {"tool", "editor"},
                                           {"action", "add wait"}, {"parameters", {{"file", "t.py"}}},
                                           {"result", {{"type", "success"}, {"output", "ok"}}}});
    CHECK(step2["step_count"] == 2);
    auto done = s.ok("complete_episode", {{"episode_id", id}, {"outcome_type", "success"}, {"verdict", "tests pass"},
                                          {"artifacts", {"test_login.py"}}});
    CHECK(done["outcome_type"] == "success");
    CHECK(done["reward"]["base"] == 1.0);
    CHECK(done["reward"]["complexity_bonus"] == doctest::Approx(1.2));
    CHECK(done["reward"]["total"].get<double>() > 0);
    CHECK(done["reflection"]["successes"][0] == "Completed the task: tests pass");

    auto got = s.ok("get_episode", {{"episode_id", id}})["episode"];
    CHECK(got["episode_id"] == id);
    CHECK(got["status"] == "completed");
    CHECK(got["task_description"] == "Fix flaky login test");
    CHECK(got["context"]["language"] == "python");
    CHECK(got["context"]["framework"].is_null());
    CHECK(got["context"]["complexity"] == "complex");
    CHECK(got["context"]["tags"] == json({"auth", "ci"}));
    CHECK(got["metadata"]["ticket"] == "T-1");
    REQUIRE(got["steps"].size() == 2);
    CHECK(got["steps"][0]["step_number"] == 1);
    CHECK(got["steps"][0]["result"] == json({{"type", "error"}, {"message", "timeout in login"}}));
    CHECK(got["steps"][0]["latency_ms"] == 120);
    CHECK(got["steps"][0]["tokens_used"] == 50);
    CHECK(got["steps"][1]["parameters"]["file"] == "t.py");
    CHECK(got["steps"][1]["tokens_used"].is_null());
    CHECK(got["outcome"]["verdict"] == "tests pass");
    CHECK(got["reward"]["total"] == done["reward"]["total"]);
    CHECK(got["reflection"] == done["reflection"]);
    CHECK(got["end_time"] == done["end_time"]);
  }

  TEST_CASE("each outcome type is stored with its own fields and reward base") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    struct c { json args; double base; };
    std::vector<c> cases = {
        {{{"outcome_type", "partial_success"}, {"verdict", "half"}, {"completed", {"a"}}, {"failed", {"b", "c", "d"}}}, 0.25},
        {{{"outcome_type", "failure"}, {"reason", "no access"}, {"error_details", "403"}}, 0.0},
        {{{"outcome_type", "abstained"}, {"reason", "infeasible"}, {"stopped_at_step", 1},
          {"infeasibility_signals", {"missing creds"}}}, 0.3},
    };
    for (auto& cs : cases) {
      auto id = s.create();
      json args = cs.args;
      args["episode_id"] = id;
      auto r = s.ok("complete_episode", args);
      CHECK(r["reward"]["base"].get<double>() == doctest::Approx(cs.base));
      auto e = s.ok("get_episode", {{"episode_id", id}})["episode"];
      CHECK(e["outcome"]["type"] == cs.args["outcome_type"]);
    }
    auto e = s.ok("list_episodes", {{"outcome_type", "abstained"}})["episodes"];
    REQUIRE(e.size() == 1);
    // (0.3 + 0.5) * efficiency * 1.1 * 1; efficiency is 1 for an instant episode without steps and falls slowly
    // with the wall-clock duration (slower under sanitizers), so allow for a second of it.
    CHECK(e[0]["reward_total"].get<double>() == doctest::Approx(0.8 * 1.1).epsilon(0.01));
  }

  TEST_CASE("not_found for unknown episodes on every episode-addressed command") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    std::vector<std::pair<std::string, json>> calls = {
        {"add_episode_step", {{"episode_id", unknown_id}, {"step_number", 1}, {"tool", "t"}, {"action", "a"}}},
        {"complete_episode", {{"episode_id", unknown_id}, {"outcome_type", "failure"}, {"reason", "r"}}},
        {"get_episode", {{"episode_id", unknown_id}}},
        {"update_episode", {{"episode_id", unknown_id}, {"task_description", "x"}}},
        {"delete_episode", {{"episode_id", unknown_id}, {"confirm", true}}},
        {"get_episode_timeline", {{"episode_id", unknown_id}}},
        {"add_episode_tags", {{"episode_id", unknown_id}, {"tags", {"ok"}}}},
        {"get_episode_tags", {{"episode_id", unknown_id}}},
        {"get_episode_relationships", {{"episode_id", unknown_id}}},
        {"get_dependency_graph", {{"episode_id", unknown_id}}},
        {"get_topological_order", {{"episode_ids", {unknown_id}}}},
    };
    for (auto& [tool, args] : calls) {
      CAPTURE(tool);
      auto r = s.run(tool, args);
      REQUIRE_FALSE(r);
      CHECK(r.err().code == error_code::not_found);
      CHECK(contains(r.err().message, unknown_id));
    }
  }

  TEST_CASE("conflicts: duplicate step, step or completion after completion, duplicate relationship, cycle") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    auto id = s.create();
    s.ok("add_episode_step", {{"episode_id", id}, {"step_number", 1}, {"tool", "t"}, {"action", "a"}});
    auto dup = s.run("add_episode_step", {{"episode_id", id}, {"step_number", 1}, {"tool", "t"}, {"action", "b"}});
    REQUIRE_FALSE(dup);
    CHECK(dup.err().code == error_code::conflict);
    CHECK(contains(dup.err().message, "step_number"));
    // The refused duplicate changed nothing.
    auto e = s.ok("get_episode", {{"episode_id", id}})["episode"];
    CHECK(e["steps"].size() == 1);
    CHECK(e["steps"][0]["action"] == "a");

    s.ok("complete_episode", {{"episode_id", id}, {"outcome_type", "failure"}, {"reason", "gave up"}});
    auto again = s.run("complete_episode", {{"episode_id", id}, {"outcome_type", "success"}, {"verdict", "v"}});
    REQUIRE_FALSE(again);
    CHECK(again.err().code == error_code::conflict);
    auto late = s.run("add_episode_step", {{"episode_id", id}, {"step_number", 2}, {"tool", "t"}, {"action", "a"}});
    REQUIRE_FALSE(late);
    CHECK(late.err().code == error_code::conflict);
    CHECK(contains(late.err().message, "completed"));
    CHECK(s.ok("get_episode", {{"episode_id", id}})["episode"]["outcome"]["type"] == "failure");

    auto a = s.create("a"), b = s.create("b"), c = s.create("c");
    s.ok("add_episode_relationship", {{"from_episode_id", a}, {"to_episode_id", b}, {"relationship_type", "depends_on"}});
    s.ok("add_episode_relationship", {{"from_episode_id", b}, {"to_episode_id", c}, {"relationship_type", "depends_on"}});
    auto twice = s.run("add_episode_relationship", {{"from_episode_id", a}, {"to_episode_id", b}, {"relationship_type", "depends_on"}});
    REQUIRE_FALSE(twice);
    CHECK(twice.err().code == error_code::conflict);
    auto cycle = s.run("add_episode_relationship", {{"from_episode_id", c}, {"to_episode_id", a}, {"relationship_type", "depends_on"}});
    REQUIRE_FALSE(cycle);
    CHECK(cycle.err().code == error_code::conflict);
    CHECK(contains(cycle.err().message, a + " -> " + b + " -> " + c + " -> " + a));
    // Non-ordering types may form cycles.
    s.ok("add_episode_relationship", {{"from_episode_id", c}, {"to_episode_id", a}, {"relationship_type", "related_to"}});
  }

  TEST_CASE("invalid_argument names the field: missing verdict, bad tag, delete without confirm, self relation") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    auto id = s.create();
    auto no_verdict = s.run("complete_episode", {{"episode_id", id}, {"outcome_type", "success"}});
    REQUIRE_FALSE(no_verdict);
    CHECK(no_verdict.err().code == error_code::invalid_argument);
    CHECK(contains(no_verdict.err().message, "arguments.verdict"));
    auto no_reason = s.run("complete_episode", {{"episode_id", id}, {"outcome_type", "failure"}, {"reason", ""}});
    REQUIRE_FALSE(no_reason);
    CHECK(contains(no_reason.err().message, "arguments.reason"));
    CHECK(s.ok("get_episode", {{"episode_id", id}})["episode"]["status"] == "in_progress");

    auto bad_tag = s.run("add_episode_tags", {{"episode_id", id}, {"tags", {"fine", "not fine"}}});
    REQUIRE_FALSE(bad_tag);
    CHECK(bad_tag.err().code == error_code::invalid_argument);
    CHECK(contains(bad_tag.err().message, "arguments.tags[1]"));
    auto bad_create = s.run("create_episode", {{"task_description", "x"}, {"domain", "d"}, {"task_type", "other"}, {"tags", {"!"}}});
    REQUIRE_FALSE(bad_create);
    CHECK(contains(bad_create.err().message, "arguments.tags[0]"));

    auto no_confirm = s.run("delete_episode", {{"episode_id", id}, {"confirm", false}});
    REQUIRE_FALSE(no_confirm);
    CHECK(contains(no_confirm.err().message, "arguments.confirm"));
    CHECK(s.run("get_episode", {{"episode_id", id}}));

    auto self = s.run("add_episode_relationship", {{"from_episode_id", id}, {"to_episode_id", id}, {"relationship_type", "related_to"}});
    REQUIRE_FALSE(self);
    CHECK(self.err().code == error_code::invalid_argument);

    auto bad_cursor = s.run("list_episodes", {{"cursor", "garbage"}});
    REQUIRE_FALSE(bad_cursor);
    CHECK(contains(bad_cursor.err().message, "arguments.cursor"));

    auto unknown_tool = s.run("no_such_tool", json::object());
    REQUIRE_FALSE(unknown_tool);
    CHECK(unknown_tool.err().code == error_code::internal);
  }

  TEST_CASE("the step limit: the 1001st step is refused with the limit named") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    auto id = s.create();
    {
      SQLite::Transaction tx(*s.db);
      command_context ctx{*s.db, s.client, [](double, double, const std::string&) {}};
      for (int i = 1; i <= 1000; ++i)
        REQUIRE(run_store_command(ctx, "add_episode_step",
                                  {{"episode_id", id}, {"step_number", i}, {"tool", "t"}, {"action", "a"}}));
      tx.commit();
    }
    auto r = s.run("add_episode_step", {{"episode_id", id}, {"step_number", 1000}, {"tool", "t"}, {"action", "a"}});
    REQUIRE_FALSE(r);
    CHECK(r.err().code == error_code::invalid_argument);
    CHECK(contains(r.err().message, "1000"));
    CHECK(s.ok("get_episode_timeline", {{"episode_id", id}})["step_count"] == 1000);
    // Completing a 1000-step episode still works.
    auto done = s.ok("complete_episode", {{"episode_id", id}, {"outcome_type", "success"}, {"verdict", "ok"}});
    CHECK(done["reflection"]["improvements"].size() <= 5);
  }

  TEST_CASE("delete cascades to steps, tags and relationships") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    auto a = s.create("a"), b = s.create("b");
    s.ok("add_episode_step", {{"episode_id", a}, {"step_number", 1}, {"tool", "t"}, {"action", "x"}});
    s.ok("add_episode_tags", {{"episode_id", a}, {"tags", {"one"}}});
    s.ok("add_episode_relationship", {{"from_episode_id", b}, {"to_episode_id", a}, {"relationship_type", "blocks"}});
    s.ok("delete_episode", {{"episode_id", a}, {"confirm", true}});
    CHECK(s.db->execAndGet("SELECT COUNT(*) FROM steps").getInt() == 0);
    CHECK(s.db->execAndGet("SELECT COUNT(*) FROM episode_tags").getInt() == 0);
    CHECK(s.db->execAndGet("SELECT COUNT(*) FROM episode_relationships").getInt() == 0);
    CHECK(s.ok("get_episode_relationships", {{"episode_id", b}})["total_count"] == 0);
  }

  TEST_CASE("list_episodes pages through equal start times without duplicates or gaps") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    std::set<std::string> all;
    for (int i = 0; i < 23; ++i) all.insert(s.create("e" + std::to_string(i)));
    // Force ties: ten episodes share one start time, so the cursor must order by id too.
    s.db->exec("UPDATE episodes SET start_time_us = 1700000000000000 WHERE episode_id IN "
               "(SELECT episode_id FROM episodes ORDER BY episode_id LIMIT 10)");
    for (auto sort : {"newest", "oldest"}) {
      CAPTURE(sort);
      std::vector<std::string> seen;
      json args = {{"limit", 4}, {"sort", sort}};
      for (int page = 0; page < 20; ++page) {
        auto r = s.ok("list_episodes", args);
        CHECK(r["count"] == r["episodes"].size());
        for (auto& e : r["episodes"]) seen.push_back(e["episode_id"]);
        if (r["next_cursor"].is_null()) break;
        args["cursor"] = r["next_cursor"];
      }
      CHECK(seen.size() == all.size());
      CHECK(std::set<std::string>(seen.begin(), seen.end()) == all);
    }
  }

  TEST_CASE("get_episode projection: dotted paths, unknown paths skipped, odd names are not storage errors") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    auto id = s.create("p", {{"metadata", {{"a~b", "tilde"}, {"c/d", "slash"}}}});
    s.ok("add_episode_step", {{"episode_id", id}, {"step_number", 1}, {"tool", "t"}, {"action", "x"}});
    auto p = s.ok("get_episode", {{"episode_id", id}, {"fields", {"context.domain", "episode.task_type", "nope.nothing"}}})["episode"];
    CHECK(p == json({{"episode_id", id}, {"context", {{"domain", "web"}}}, {"task_type", "debugging"}}));
    for (auto field : {"metadata.a~b", "metadata.c/d", "steps.-", "steps.01", "steps.x", "a~", "", "steps.0.tool"}) {
      CAPTURE(field);
      auto r = s.run("get_episode", {{"episode_id", id}, {"fields", {field}}});
      CHECK_MESSAGE(r, (r ? "" : r.err().message));
    }
    auto tilde = s.ok("get_episode", {{"episode_id", id}, {"fields", {"metadata.a~b"}}})["episode"];
    CHECK(tilde["metadata"]["a~b"] == "tilde");
  }

  TEST_CASE("complete_episode with multi-byte text cut by the reflection still stores a valid reflection") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    auto id = s.create();
    std::string msg = "x";
    for (int i = 0; i < 60; ++i) msg += "\xC3\xA9";
    for (int i = 1; i <= 2; ++i)
      s.ok("add_episode_step", {{"episode_id", id}, {"step_number", i}, {"tool", "t"}, {"action", msg},
                                {"result", {{"type", "error"}, {"message", msg}}}});
    s.ok("add_episode_step", {{"episode_id", id}, {"step_number", 3}, {"tool", "u"}, {"action", msg},
                              {"result", {{"type", "success"}, {"output", "ok"}}}});
    auto r = s.run("complete_episode", {{"episode_id", id}, {"outcome_type", "success"}, {"verdict", "ok"}});
    REQUIRE_MESSAGE(r, (r ? "" : r.err().message));
    auto e = s.ok("get_episode", {{"episode_id", id}})["episode"];
    CHECK(e["status"] == "completed");
    CHECK_NOTHROW((void)e.dump());
  }
}

TEST_SUITE("store_commands") {
  TEST_CASE("shortened texts (resource titles, dot labels, tag errors) never end inside a UTF-8 character") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    std::string desc = "a";
    for (int i = 0; i < 100; ++i) desc += "\xC3\xA9";  // byte 120 and byte 60 fall inside a character
    auto a = s.create(desc), b = s.create(desc);
    s.ok("add_episode_relationship", {{"from_episode_id", a}, {"to_episode_id", b}, {"relationship_type", "references"}});

    auto list = s.ok("resources/list", json::object());
    REQUIRE(list["resources"].size() == 2);
    CHECK_NOTHROW((void)list.dump());
    auto title = list["resources"][0]["title"].get<std::string>();
    CHECK(title.size() <= 120);
    CHECK(title.size() >= 119);

    auto graph = s.ok("get_dependency_graph", {{"episode_id", a}, {"format", "dot"}});
    CHECK_NOTHROW((void)graph.dump());
    CHECK(contains(graph["dot"].get<std::string>(), a + "\" -> \"" + b));

    auto bad = s.run("add_episode_tags", {{"episode_id", a}, {"tags", {desc}}});
    REQUIRE_FALSE(bad);
    CHECK_NOTHROW((void)json(bad.err().message).dump());
  }

  TEST_CASE("resources/read returns the episode JSON; unknown and foreign URIs are not_found") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    auto id = s.create("readable");
    auto r = s.ok("resources/read", {{"uri", "memory://episodes/" + id}});
    REQUIRE(r["contents"].size() == 1);
    CHECK(r["contents"][0]["mimeType"] == "application/json");
    CHECK(json::parse(r["contents"][0]["text"].get<std::string>())["task_description"] == "readable");
    for (auto uri : {std::string("memory://episodes/") + unknown_id, std::string("memory://episodes/"),
                     std::string("file:///etc/passwd")}) {
      auto miss = s.run("resources/read", {{"uri", uri}});
      REQUIRE_FALSE(miss);
      CHECK(miss.err().code == error_code::not_found);
    }
    auto no_uri = s.run("resources/read", json::object());
    REQUIRE_FALSE(no_uri);
    CHECK(no_uri.err().code == error_code::invalid_argument);
  }

  TEST_CASE("resources/list pages 50 at a time without duplicates") {
    temp_dir dir;
    store s(dir.file("memory.db"));
    std::set<std::string> all;
    for (int i = 0; i < 120; ++i) all.insert("memory://episodes/" + s.create("r" + std::to_string(i)));
    std::set<std::string> seen;
    json params = json::object();
    int pages = 0;
    for (; pages < 10; ++pages) {
      auto r = s.ok("resources/list", params);
      for (auto& res : r["resources"]) CHECK(seen.insert(res["uri"].get<std::string>()).second);
      if (!r.contains("nextCursor")) break;
      params["cursor"] = r["nextCursor"];
    }
    CHECK(pages == 2);
    CHECK(seen == all);
    for (auto cursor : {json("nonsense"), json(123), json::array()}) {
      CAPTURE(cursor.dump());
      auto bad = s.run("resources/list", {{"cursor", cursor}});
      REQUIRE_FALSE(bad);
      CHECK(bad.err().code == error_code::invalid_argument);
    }
  }
}
