// The versioned schema: an ordered list of migrations, each applied once, recorded in schema_migrations.
#pragma once

#include <SQLiteCpp/Database.h>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace memory_mcp {

struct migration {
  int version;             // 1, 2, 3, ... without gaps
  std::string name;
  std::string sql;         // one or more statements
  // Data migration run after `sql` in the same transaction (may be empty). Throws on failure.
  std::function<void(SQLite::Database&)> after = {};
};

const std::vector<migration>& migrations();

// The first half of the statement that (re)builds full-text documents; append a SELECT of doc ids and ")".
extern const char* const fts_document_insert;

// Applies every migration newer than the recorded version inside one BEGIN IMMEDIATE transaction, so two
// processes starting together migrate once. A database newer than this build is refused (error names both
// versions) rather than touched.
status apply_migrations(SQLite::Database& db);

}  // namespace memory_mcp
