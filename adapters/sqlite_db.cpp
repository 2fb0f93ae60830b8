#include "adapters/sqlite_db.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/sqlite_schema.hpp"

namespace memory_mcp {

status ensure_data_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return make_error(error_code::invalid_argument, "data directory " + dir + " is not a directory");
    return ok_status();
  }
  // Create parents as needed; each new level is 0700.
  std::string partial;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      partial = dir.substr(0, i);
      if (partial.empty() || partial == ".") continue;
      if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
        return make_error(error_code::storage,
                          "cannot create data directory " + partial + ": " + std::strerror(errno));
    }
  }
  ::chmod(dir.c_str(), 0700);
  return ok_status();
}

result<std::unique_ptr<SQLite::Database>> open_database(const std::string& path, const open_options& options) {
  // Create a missing file owner-only before SQLite touches it (SQLite would use 0644 minus umask). Only when it
  // is missing: closing any descriptor of a file drops every POSIX lock this process holds on it, so opening and
  // closing an existing database here would silently release the locks of this process's other connections
  // (the pattern learner's reader, the checkpointer, a store being restarted). Another process could then
  // believe it is alone, reset the WAL under them, and the writes of this process would be lost.
  struct stat existing;
  if (::stat(path.c_str(), &existing) != 0) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);  // nobody can hold locks on a file that did not exist
    else if (errno != EEXIST)
      return make_error(error_code::storage, "cannot open database " + path + ": " + std::strerror(errno));
  }
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                 options.busy_timeout_ms);
    // Switching to WAL needs an exclusive lock and SQLite reports "database is locked" at once, without the busy
    // handler, when another process opens the same new file at the same moment. Once a database is in WAL mode
    // it stays so (the mode is persistent), so ask first and retry the switch until the busy timeout.
    std::string mode = db->execAndGet("PRAGMA journal_mode").getString();
    for (int waited_ms = 0; mode != "wal"; waited_ms += 10) {
      try {
        mode = db->execAndGet("PRAGMA journal_mode=WAL").getString();
      } catch (const SQLite::Exception& e) {
        if ((e.getErrorCode() != SQLITE_BUSY && e.getErrorCode() != SQLITE_LOCKED) || waited_ms >= options.busy_timeout_ms)
          throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    if (mode != "wal")
      return make_error(error_code::storage, "database " + path + ": cannot enable WAL (journal_mode=" + mode + ")");
    db->exec("PRAGMA foreign_keys=ON");
    db->exec("PRAGMA synchronous=FULL");
    if (options.migrate) {
      auto st = apply_migrations(*db);
      if (!st) return st.err();
    }
    return db;
  } catch (const std::exception& e) {
    return make_error(error_code::storage, "database " + path + ": " + e.what());
  }
}

SQLite::Statement& statement_cache::get(const std::string& sql) {
  auto& slot = statements_[sql];
  if (!slot) {
    slot = std::make_unique<SQLite::Statement>(db_, sql);
  } else {
    slot->reset();
    slot->clearBindings();
  }
  return *slot;
}

void statement_cache::reset_all() {
  for (auto& [sql, statement] : statements_) statement->reset();
}

int current_schema_version(SQLite::Database& db) {
  try {
    if (!db.tableExists("schema_migrations")) return 0;
    return db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
  } catch (const std::exception&) {
    return 0;
  }
}

int latest_schema_version() { return static_cast<int>(migrations().size()); }

}  // namespace memory_mcp
