// The storage command table: tool name -> handler over the one SQLite connection. Handlers validate what the
// schema cannot express, run their statements in a transaction, and return the tool's structuredContent.
// Called only from the episode store actor, which owns the connection.
#pragma once

#include <SQLiteCpp/Database.h>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/learning_settings.hpp"
#include "core/result.hpp"

namespace memory_mcp {

// Reports progress of a long command: (done, total, message). May be a no-op.
using progress_fn = std::function<void(double, double, const std::string&)>;

struct command_context {
  SQLite::Database& db;
  const std::string& client_id;
  progress_fn progress;
  learning_settings learning = {};
};

// True when this table implements `tool`.
bool has_store_command(const std::string& tool);

// Runs `tool` with already schema-validated `args`. Errors: invalid_argument (names the field), not_found,
// conflict, storage (the transaction was rolled back; nothing was written).
result<nlohmann::json> run_store_command(command_context& ctx, const std::string& tool, const nlohmann::json& args);

}  // namespace memory_mcp
