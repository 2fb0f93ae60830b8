// Opening the SQLite database: file mode, pragmas and versioned migrations.
// The returned connection is owned by exactly one actor (the episode store) or one command (export/import).
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <unordered_map>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace memory_mcp {

struct open_options {
  int busy_timeout_ms = 5000;
  bool migrate = true;  // run pending migrations (in one IMMEDIATE transaction, safe with concurrent processes)
};

// Creates the data directory (mode 0700) if missing; an existing directory keeps its mode.
// Fails with a message naming the path when it cannot be created or is not a directory.
status ensure_data_dir(const std::string& dir);

// Opens (creating with mode 0600 if missing) the database at `path` with WAL, foreign_keys=ON,
// synchronous=FULL (an acknowledged commit survives power loss) and the busy timeout, then applies
// migrations. Errors name the path and SQLite's message.
result<std::unique_ptr<SQLite::Database>> open_database(const std::string& path, const open_options& options = {});

// Prepared statements of one connection, kept for reuse: preparing a statement (and the triggers it fires)
// costs more than running most of ours. Owned with its connection by one actor; not thread-safe.
class statement_cache {
 public:
  explicit statement_cache(SQLite::Database& db) : db_(db) {}
  // The statement for `sql`, reset and with no bindings. REQUIRES: the previous use of the same `sql` is over
  // (a cached statement must not be used re-entrantly).
  SQLite::Statement& get(const std::string& sql);
  // Resets every statement. A statement left mid-result keeps its connection's read snapshot (and blocks WAL
  // checkpoints past it); a read connection calls this after each command, before its transaction ends.
  void reset_all();

 private:
  SQLite::Database& db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

// The schema version after migrations (the highest applied migration).
int current_schema_version(SQLite::Database& db);

// The newest version this build knows.
int latest_schema_version();

}  // namespace memory_mcp
