// The storage command table: tool name -> handler over the one SQLite connection. Handlers validate what the
// schema cannot express, run their statements in a transaction, and return the tool's structuredContent.
// Called only from the episode store actor, which owns the connection.
#pragma once

#include <SQLiteCpp/Database.h>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "adapters/learning_settings.hpp"
#include "adapters/sqlite_db.hpp"
#include "core/result.hpp"

namespace memory_mcp {

class recall_index;  // adapters/recall_index.hpp

// Reports progress of a long command: (done, total, message). May be a no-op.
using progress_fn = std::function<void(double, double, const std::string&)>;

struct command_context {
  SQLite::Database& db;
  const std::string& client_id;
  progress_fn progress;
  learning_settings learning = {};
  statement_cache* statements = nullptr;  // the connection owner's cache; nullptr: the context keeps its own
  const recall_index* recall = nullptr;   // the pattern learner's in-memory index (recall commands), if any

  // A cached prepared statement of `db` (see statement_cache::get for the re-entrancy rule). For hot paths.
  SQLite::Statement& prepared(const std::string& sql) {
    if (!statements) {
      own_statements = std::make_unique<statement_cache>(db);
      statements = own_statements.get();
    }
    return statements->get(sql);
  }
  std::unique_ptr<statement_cache> own_statements = nullptr;
};

// A handler of one command (already schema-validated arguments).
using command_handler = std::function<result<nlohmann::json>(command_context&, const nlohmann::json&)>;
using command_list = std::vector<std::pair<std::string, command_handler>>;

// A name -> handler table with the boundary every command runner needs: what a handler throws (SQLiteCpp,
// nlohmann) becomes a storage error, "<what>: <exception message>". Immutable once built.
class command_table {
 public:
  command_table(std::initializer_list<command_list> groups, std::string what);
  void add(const std::string& name, command_handler handler) { handlers_.emplace(name, std::move(handler)); }
  bool has(const std::string& tool) const { return handlers_.count(tool) > 0; }
  // Errors: internal (no such command), the handler's own, storage (it threw).
  result<nlohmann::json> run(command_context& ctx, const std::string& tool, const nlohmann::json& args) const;

 private:
  std::map<std::string, command_handler> handlers_;
  std::string what_;
};

// True when this table implements `tool`.
bool has_store_command(const std::string& tool);

// Runs `tool` with already schema-validated `args`. Errors: invalid_argument (names the field), not_found,
// conflict, storage (the transaction was rolled back; nothing was written).
result<nlohmann::json> run_store_command(command_context& ctx, const std::string& tool, const nlohmann::json& args);

}  // namespace memory_mcp
