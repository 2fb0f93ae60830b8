// The storage test fixture shared by the adapter tests: temporary directories and a `store` that runs
// commands the way the actors do (store commands in a committed transaction; complete_episode prepared by the
// learner's half and applied by the store's; recall commands on the same connection).
#pragma once

#include <doctest/doctest.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "adapters/completion.hpp"
#include "adapters/logger.hpp"
#include "adapters/recall_commands.hpp"
#include "adapters/sqlite_db.hpp"
#include "adapters/store_commands.hpp"

namespace memory_mcp::test {

using nlohmann::json;
namespace fs = std::filesystem;

// A fresh directory under $TMPDIR, removed with everything in it at scope exit.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "mm-store-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline mode_t file_mode(const std::string& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

inline std::unique_ptr<SQLite::Database> open_ok(const std::string& path) {
  auto db = open_database(path);
  if (!db) FAIL(db.err().message);
  return std::move(db.value());
}

// Runs one storage command the way the store actor does: in a transaction that commits on success.
struct store {
  std::unique_ptr<SQLite::Database> db;
  std::string client = "test-client";
  learning_settings learning;
  explicit store(const std::string& path) : db(open_ok(path)) {}
  // complete_episode runs as the pattern learner and the store run it: prepare, then apply in a transaction.
  // Recall tools run on the same connection here (the learner's is a second, read-only one).
  result<json> run(const std::string& tool, const json& args) {
    command_context ctx{*db, client, [](double, double, const std::string&) {}, learning};
    if (has_recall_command(tool)) return run_recall_command(ctx, tool, args);
    SQLite::Transaction tx(*db);
    result<json> r = make_error(error_code::internal, "unset");
    if (tool == "complete_episode") {
      auto plan = prepare_completion(*db, args, ctx.learning, wall_clock_us());
      r = plan ? apply_completion(ctx, plan.value()) : result<json>(plan.err());
    } else {
      r = run_store_command(ctx, tool, args);
    }
    if (r) tx.commit();
    return r;
  }
  json ok(const std::string& tool, const json& args) {
    auto r = run(tool, args);
    if (!r) FAIL(tool << ": " << r.err().message);
    return r.value();
  }
  std::string create(const std::string& description = "fix the build", const json& extra = json::object()) {
    json args = {{"task_description", description}, {"domain", "web"}, {"task_type", "debugging"}};
    args.update(extra);
    auto r = ok("create_episode", args);
    return r.at("episode_id").get<std::string>();
  }
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline const std::string unknown_id = "00000000-0000-4000-8000-000000000000";

}  // namespace memory_mcp::test
