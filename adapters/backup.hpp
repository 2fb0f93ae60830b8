// Export and import of the whole memory as JSON Lines, streamed (memory stays flat however large the database).
// Usable while servers run on the same database: export reads one consistent snapshot (a WAL read
// transaction); import writes in IMMEDIATE transactions of at most 500 lines, so servers keep writing between
// them.
//
// Format (docs/OPERATIONS.md): line 1 {"kind":"header","format":"memory-mcp-export","version":1,...};
// then {"kind":"episode","episode":<episode as get_episode returns it>} per episode, oldest first; then
// {"kind":"relationship","relationship":{id, from, to, relationship_type, reason, priority, created_by,
// created_at}} per relationship.
#pragma once

#include <SQLiteCpp/Database.h>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace memory_mcp {

struct export_stats {
  size_t episodes = 0;
  size_t relationships = 0;
};

// Writes the export to `out`. Errors: storage (names SQLite's message) or an output write failure.
result<export_stats> export_jsonl(SQLite::Database& db, std::ostream& out);

struct import_stats {
  size_t lines = 0;
  size_t episodes_added = 0;
  size_t episodes_skipped = 0;  // already present (same id): import is idempotent and never overwrites
  size_t relationships_added = 0;
  size_t relationships_skipped = 0;  // present already, endpoints missing, or would close a cycle
  std::vector<std::string> problems;  // "line N: what is wrong" for each invalid line (skipped)
};

// Reads an export from `in` and adds what is missing. Invalid lines are skipped and listed in problems;
// valid lines are still imported. Each completed episode added is learned from (patterns derived, quality
// scored) unless its quality is below `min_quality`. Errors only for storage failures (the current batch is
// rolled back).
result<import_stats> import_jsonl(SQLite::Database& db, std::istream& in, double min_quality);

}  // namespace memory_mcp
