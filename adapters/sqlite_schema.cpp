#include "adapters/sqlite_schema.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace memory_mcp {

const std::vector<migration>& migrations() {
  static const std::vector<migration> all = {
      {1, "meta",
       "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"},
  };
  return all;
}

status apply_migrations(SQLite::Database& db) {
  try {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
    int current = db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
    int latest = static_cast<int>(migrations().size());
    if (current > latest)
      return make_error(error_code::storage, "database schema version " + std::to_string(current) +
                                                 " is newer than this build supports (" + std::to_string(latest) +
                                                 "); upgrade memory-mcp-server");
    for (auto& m : migrations()) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      SQLite::Statement ins(db, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)");
      ins.bind(1, m.version);
      ins.bind(2, m.name);
      ins.exec();
    }
    tx.commit();
    return ok_status();
  } catch (const std::exception& e) {
    return make_error(error_code::storage, std::string("migration failed: ") + e.what());
  }
}

}  // namespace memory_mcp
