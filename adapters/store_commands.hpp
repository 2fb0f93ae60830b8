// The storage command table: tool name -> handler over the one SQLite connection. Handlers validate what the
// schema cannot express, run their statements in a transaction, and return the tool's structuredContent.
// Called only from the episode store actor, which owns the connection.
#pragma once

#include <SQLiteCpp/Database.h>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

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

// True when this table implements `tool`.
bool has_store_command(const std::string& tool);

// Runs `tool` with already schema-validated `args`. Errors: invalid_argument (names the field), not_found,
// conflict, storage (the transaction was rolled back; nothing was written).
result<nlohmann::json> run_store_command(command_context& ctx, const std::string& tool, const nlohmann::json& args);

}  // namespace memory_mcp
