#include "adapters/replication.hpp"

#include <SQLiteCpp/Statement.h>
#include <openssl/sha.h>

#include <cstdio>
#include <map>
#include <set>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"
#include "adapters/pattern_repo.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

struct column {
  std::string name;
  std::string type;
};

std::vector<column> local_columns(SQLite::Database& db, const std::string& table) {
  SQLite::Statement q(db, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid");
  q.bind(1, table);
  std::vector<column> out;
  while (q.executeStep()) out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString()});
  return out;
}

json column_value(const SQLite::Column& c) {
  if (c.isNull()) return nullptr;
  if (c.isInteger()) return static_cast<int64_t>(c.getInt64());
  if (c.isFloat()) return c.getDouble();
  return c.getString();
}

void bind_value(SQLite::Statement& q, int index, const json& v) {
  if (v.is_null()) q.bind(index);
  else if (v.is_number_integer()) q.bind(index, static_cast<int64_t>(v.get<int64_t>()));
  else if (v.is_number_float()) q.bind(index, v.get<double>());
  else if (v.is_boolean()) q.bind(index, v.get<bool>() ? 1 : 0);
  else if (v.is_string()) q.bind(index, v.get<std::string>());
  else q.bind(index, v.dump());
}

std::string sha1_hex(const std::string& text) {
  unsigned char hash[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), hash);
  char out[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(out + 2 * i, 3, "%02x", hash[i]);
  return out;
}

std::string padded(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(v < 0 ? 0 : v));
  return buf;
}

std::string where_key(const replicated_table& t) {
  std::string s;
  for (size_t i = 0; i < t.key.size(); ++i) s += (i ? " AND " : "") + t.key[i] + " = ?";
  return s;
}

// The tombstone of a row, if any.
std::optional<int64_t> tombstone(SQLite::Database& db, const std::string& table, const std::string& pk) {
  SQLite::Statement q(db, "SELECT deleted_at_us FROM sync_tombstones WHERE tbl = ? AND pk = ?");
  q.bind(1, table);
  q.bind(2, pk);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

void add_tombstone(SQLite::Database& db, const std::string& table, const std::string& pk, int64_t at_us) {
  SQLite::Statement q(db,
                      "INSERT INTO sync_tombstones(tbl, pk, deleted_at_us) VALUES (?, ?, ?) ON CONFLICT (tbl, pk) "
                      "DO UPDATE SET deleted_at_us = max(deleted_at_us, excluded.deleted_at_us)");
  q.bind(1, table);
  q.bind(2, pk);
  q.bind(3, static_cast<int64_t>(at_us));
  q.exec();
}

std::string episode_key(const json& episode_id) { return json::array({episode_id}).dump(); }

}  // namespace

// --- local state -------------------------------------------------------------------------------------------

std::string sync_origin(SQLite::Database& db) {
  auto current = db.execAndGet("SELECT origin FROM sync_state WHERE id = 1");
  if (!current.isNull()) return current.getString();
  auto origin = new_uuid();
  SQLite::Statement q(db, "UPDATE sync_state SET origin = ? WHERE id = 1 AND origin IS NULL");
  q.bind(1, origin);
  q.exec();
  return db.execAndGet("SELECT origin FROM sync_state WHERE id = 1").getString();
}

int64_t enable_capture(SQLite::Database& db) {
  int64_t queued = 0;
  if (db.execAndGet("SELECT snapshot_at IS NULL FROM sync_state WHERE id = 1").getInt()) {
    for (auto& t : replicated_tables()) {
      std::string key = "json_array(";
      for (size_t i = 0; i < t.key.size(); ++i) key += (i ? ", " : "") + t.key[i];
      key += ")";
      SQLite::Statement q(db, "INSERT INTO sync_outbox(tbl, pk, op, at_us) SELECT '" + t.name + "', " + key +
                                  ", 'upsert', ? FROM " + t.name);
      q.bind(1, static_cast<int64_t>(wall_clock_us()));
      queued += q.exec();
    }
    SQLite::Statement mark(db, "UPDATE sync_state SET snapshot_at = ? WHERE id = 1");
    mark.bind(1, static_cast<int64_t>(wall_clock_us()));
    mark.exec();
  }
  db.exec("UPDATE sync_state SET capture = 1 WHERE id = 1 AND capture = 0");
  return queued;
}

std::vector<outbox_entry> read_outbox(SQLite::Database& db, size_t limit) {
  SQLite::Statement q(db, "SELECT seq, tbl, pk, op, at_us FROM sync_outbox ORDER BY seq LIMIT ?");
  q.bind(1, static_cast<int64_t>(limit));
  std::vector<outbox_entry> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                   q.getColumn(3).getString(), q.getColumn(4).getInt64()});
  return out;
}

void trim_outbox(SQLite::Database& db, int64_t through_seq) {
  SQLite::Statement q(db, "DELETE FROM sync_outbox WHERE seq <= ?");
  q.bind(1, static_cast<int64_t>(through_seq));
  q.exec();
}

outbox_stats read_outbox_stats(SQLite::Database& db) {
  // seq is dense within a run of inserts and only the head is ever deleted, so the span is the depth.
  SQLite::Statement s(db,
                      "SELECT COALESCE(MAX(seq) - MIN(seq) + 1, 0), COALESCE((SELECT at_us FROM sync_outbox ORDER BY "
                      "seq LIMIT 1), 0) FROM sync_outbox");
  s.executeStep();
  return outbox_stats{s.getColumn(0).getInt64(), s.getColumn(1).getInt64()};
}

int64_t pulled_seq(SQLite::Database& db) {
  return db.execAndGet("SELECT pulled_seq FROM sync_state WHERE id = 1").getInt64();
}

void set_pulled_seq(SQLite::Database& db, int64_t seq) {
  SQLite::Statement q(db, "UPDATE sync_state SET pulled_seq = max(pulled_seq, ?) WHERE id = 1");
  q.bind(1, static_cast<int64_t>(seq));
  q.exec();
}

// --- rows --------------------------------------------------------------------------------------------------

std::optional<json> read_row(SQLite::Database& db, const replicated_table& t, const json& key) {
  if (!key.is_array() || key.size() != t.key.size()) return std::nullopt;
  SQLite::Statement q(db, "SELECT * FROM " + t.name + " WHERE " + where_key(t));
  for (size_t i = 0; i < key.size(); ++i) bind_value(q, static_cast<int>(i + 1), key[i]);
  if (!q.executeStep()) return std::nullopt;
  json row = json::object();
  for (int i = 0; i < q.getColumnCount(); ++i) row[q.getColumnName(i)] = column_value(q.getColumn(i));
  return row;
}

std::string version_key(const replicated_table& t, const json& row) {
  int64_t v = row.contains(t.version) && row[t.version].is_number_integer() ? row[t.version].get<int64_t>() : 0;
  return padded(v) + "|" + sha1_hex(row.dump());
}

// --- push --------------------------------------------------------------------------------------------------

std::vector<change> collect_changes(SQLite::Database& db, const std::vector<outbox_entry>& entries) {
  // One change per row, in the order of each row's first entry (so an episode precedes its steps, which
  // precede its completion's update of the episode row); the row's last entry decides what is shipped.
  std::map<std::pair<std::string, std::string>, size_t> last;
  for (size_t i = 0; i < entries.size(); ++i) last[{entries[i].table, entries[i].pk}] = i;
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<change> out;
  for (size_t first = 0; first < entries.size(); ++first) {
    if (!seen.insert({entries[first].table, entries[first].pk}).second) continue;
    size_t i = last[{entries[first].table, entries[first].pk}];
    const auto& e = entries[i];
    const auto* t = find_replicated_table(e.table);
    if (!t) continue;
    change c;
    c.origin_seq = e.seq;
    c.table = t;
    c.pk = e.pk;
    c.at_us = e.at_us;
    if (e.op == "delete") {
      c.op = "delete";
      auto stone = tombstone(db, t->name, e.pk);
      c.version = padded(stone.value_or(e.at_us)) + "|~";  // '~' sorts after every hash: covers that instant
      c.at_us = stone.value_or(e.at_us);
    } else {
      auto row = read_row(db, *t, json::parse(e.pk, nullptr, false));
      if (!row) continue;  // deleted since; its delete entry follows
      c.op = "upsert";
      c.row = std::move(*row);
      c.version = version_key(*t, c.row);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<hrana_stmt> remote_schema(SQLite::Database& db) {
  std::vector<hrana_stmt> out;
  for (auto& t : replicated_tables()) {
    std::string cols;
    for (auto& c : local_columns(db, t.name)) cols += c.name + " " + (c.type.empty() ? "ANY" : c.type) + ", ";
    std::string key;
    for (size_t i = 0; i < t.key.size(); ++i) key += (i ? ", " : "") + t.key[i];
    out.push_back({"CREATE TABLE IF NOT EXISTS " + t.name + " (" + cols +
                       "mm_version TEXT NOT NULL DEFAULT '', PRIMARY KEY (" + key + "))",
                   {}});
  }
  out.push_back({"CREATE TABLE IF NOT EXISTS mm_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, origin TEXT NOT NULL, "
                 "origin_seq INTEGER NOT NULL, tbl TEXT NOT NULL, pk TEXT NOT NULL, op TEXT NOT NULL, version TEXT NOT "
                 "NULL, row TEXT, at_us INTEGER NOT NULL, UNIQUE (origin, origin_seq))",
                 {}});
  out.push_back({"CREATE TABLE IF NOT EXISTS mm_tombstones (tbl TEXT NOT NULL, pk TEXT NOT NULL, deleted_at_us INTEGER "
                 "NOT NULL, PRIMARY KEY (tbl, pk))",
                 {}});
  out.push_back({"CREATE TABLE IF NOT EXISTS mm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", {}});
  out.push_back({"INSERT INTO mm_meta(key, value) VALUES ('schema', '1') ON CONFLICT (key) DO NOTHING", {}});
  return out;
}

std::vector<hrana_stmt> remote_missing_columns(SQLite::Database& db, const replicated_table& t,
                                               const std::vector<std::string>& remote_columns) {
  std::set<std::string> have(remote_columns.begin(), remote_columns.end());
  std::vector<hrana_stmt> out;
  for (auto& c : local_columns(db, t.name))
    if (!have.count(c.name)) out.push_back({"ALTER TABLE " + t.name + " ADD COLUMN " + c.name + " " + c.type, {}});
  return out;
}

std::vector<hrana_stmt> remote_statements(const change& c, const std::string& origin) {
  const auto& t = *c.table;
  auto key = json::parse(c.pk, nullptr, false);
  std::vector<hrana_stmt> out;
  std::vector<json> key_args(key.begin(), key.end());
  // Rows of a deleted episode stay deleted: the guard every upsert runs after itself.
  std::string parent_guard;
  std::vector<json> parent_args;
  for (auto& p : t.parents) {
    parent_guard += " OR EXISTS (SELECT 1 FROM mm_tombstones WHERE tbl = 'episodes' AND pk = ?)";
    parent_args.push_back(c.op == "upsert" ? json(episode_key(c.row[p])) : json(nullptr));
  }
  if (c.op == "upsert") {
    std::string cols, marks, updates;
    std::vector<json> args;
    for (auto& [name, value] : c.row.items()) {
      cols += name + ", ";
      marks += "?, ";
      updates += name + " = excluded." + name + ", ";
      args.push_back(value);
    }
    args.push_back(c.version);
    std::string keycols;
    for (size_t i = 0; i < t.key.size(); ++i) keycols += (i ? ", " : "") + t.key[i];
    out.push_back({"INSERT INTO " + t.name + " (" + cols + "mm_version) VALUES (" + marks + "?) ON CONFLICT (" +
                       keycols + ") DO UPDATE SET " + updates + "mm_version = excluded.mm_version WHERE " +
                       "excluded.mm_version > " + t.name + ".mm_version",
                   args});
    std::vector<json> guard_args = key_args;
    guard_args.push_back(t.name);
    guard_args.push_back(c.pk);
    guard_args.push_back(c.version);
    guard_args.push_back(t.name == "episodes" ? 1 : 0);
    guard_args.insert(guard_args.end(), parent_args.begin(), parent_args.end());
    out.push_back({"DELETE FROM " + t.name + " WHERE " + where_key(t) +
                       " AND (EXISTS (SELECT 1 FROM mm_tombstones WHERE tbl = ? AND pk = ? AND (printf('%020d|~', "
                       "deleted_at_us) >= ? OR ? = 1))" + parent_guard + ")",
                   guard_args});
  } else {
    std::vector<json> del_args = key_args;
    del_args.push_back(c.version);
    del_args.push_back(t.name == "episodes" ? 1 : 0);
    out.push_back({"DELETE FROM " + t.name + " WHERE " + where_key(t) + " AND (mm_version <= ? OR ? = 1)", del_args});
    out.push_back({"INSERT INTO mm_tombstones(tbl, pk, deleted_at_us) VALUES (?, ?, ?) ON CONFLICT (tbl, pk) DO UPDATE "
                   "SET deleted_at_us = max(deleted_at_us, excluded.deleted_at_us)",
                   {t.name, c.pk, c.at_us}});
    if (t.name == "episodes") {
      // A deleted episode takes its rows along on the remote copy too.
      for (auto& child : replicated_tables())
        for (auto& p : child.parents)
          out.push_back({"DELETE FROM " + child.name + " WHERE " + p + " = ?", {key[0]}});
    }
  }
  out.push_back({"INSERT INTO mm_changes(origin, origin_seq, tbl, pk, op, version, row, at_us) VALUES (?, ?, ?, ?, ?, ?, "
                 "?, ?) ON CONFLICT (origin, origin_seq) DO NOTHING",
                 {origin, c.origin_seq, t.name, c.pk, c.op, c.version, c.op == "upsert" ? json(c.row.dump()) : json(nullptr),
                  c.at_us}});
  return out;
}

// --- pull --------------------------------------------------------------------------------------------------

hrana_stmt remote_feed_query(int64_t after_seq, const std::string& origin, size_t limit) {
  return {"SELECT seq, tbl, pk, op, version, row, at_us FROM mm_changes WHERE seq > ? AND origin <> ? ORDER BY seq "
          "LIMIT ?",
          {after_seq, origin, static_cast<int64_t>(limit)}};
}

std::optional<remote_change> feed_row(const std::vector<json>& r) {
  if (r.size() < 7 || !r[0].is_number_integer() || !r[1].is_string() || !r[2].is_string() || !r[3].is_string() ||
      !r[4].is_string())
    return std::nullopt;
  remote_change c;
  c.seq = r[0].get<int64_t>();
  c.table = r[1].get<std::string>();
  c.pk = r[2].get<std::string>();
  c.op = r[3].get<std::string>();
  c.version = r[4].get<std::string>();
  if (r[5].is_string()) c.row = json::parse(r[5].get<std::string>(), nullptr, false);
  c.at_us = r[6].is_number_integer() ? r[6].get<int64_t>() : 0;
  return c;
}

apply_stats apply_remote_changes(SQLite::Database& db, const std::vector<remote_change>& changes, double min_quality) {
  apply_stats st;
  db.exec("UPDATE sync_state SET capture = 0 WHERE id = 1");
  std::set<std::string> touched;                // episodes whose document and patterns must be rebuilt
  std::vector<std::string> orphaned_patterns;   // patterns of deleted episodes
  auto problem = [&](const std::string& what) {
    ++st.skipped_invalid;
    if (st.problems.size() < 5) st.problems.push_back(what);
  };
  for (auto& c : changes) {
    const auto* t = find_replicated_table(c.table);
    auto key = json::parse(c.pk, nullptr, false);
    if (!t || !key.is_array() || key.size() != t->key.size()) {
      problem("feed entry " + std::to_string(c.seq) + ": unknown table or key");
      continue;
    }
    try {
      auto local = read_row(db, *t, key);
      if (c.op == "delete") {
        bool is_episode = t->name == "episodes";
        if (local && !is_episode && version_key(*t, *local) > c.version) {
          ++st.skipped_older;  // written again after that deletion
          continue;
        }
        add_tombstone(db, t->name, c.pk, c.at_us);
        if (local) {
          if (is_episode) {
            auto pats = patterns_of_episode(db, key[0].get<std::string>());
            orphaned_patterns.insert(orphaned_patterns.end(), pats.begin(), pats.end());
            touched.erase(key[0].get<std::string>());
          }
          SQLite::Statement del(db, "DELETE FROM " + t->name + " WHERE " + where_key(*t));
          for (size_t i = 0; i < key.size(); ++i) bind_value(del, static_cast<int>(i + 1), key[i]);
          del.exec();
          for (auto& p : t->parents) touched.insert((*local)[p].get<std::string>());
        }
        ++st.applied;
        continue;
      }
      if (!c.row.is_object()) {
        problem("feed entry " + std::to_string(c.seq) + ": upsert without a row");
        continue;
      }
      auto stone = tombstone(db, t->name, c.pk);
      bool dead = stone && (t->name == "episodes" || padded(*stone) + "|~" >= c.version);
      for (auto& p : t->parents)
        if (c.row.contains(p) && c.row[p].is_string() && tombstone(db, "episodes", episode_key(c.row[p]))) dead = true;
      if (dead) {
        ++st.skipped_deleted;
        continue;
      }
      if (local && version_key(*t, *local) >= c.version) {
        ++st.skipped_older;
        continue;
      }
      // Only the columns this build knows (a newer peer may have more).
      std::set<std::string> known;
      for (auto& col : local_columns(db, t->name)) known.insert(col.name);
      std::string cols, marks, updates;
      std::vector<const json*> values;
      for (auto& [name, value] : c.row.items()) {
        if (!known.count(name)) continue;
        cols += (cols.empty() ? "" : ", ") + name;
        marks += (marks.empty() ? "?" : ", ?");
        updates += (updates.empty() ? "" : ", ") + name + " = excluded." + name;
        values.push_back(&value);
      }
      std::string keycols;
      for (size_t i = 0; i < t->key.size(); ++i) keycols += (i ? ", " : "") + t->key[i];
      SQLite::Statement up(db, "INSERT INTO " + t->name + " (" + cols + ") VALUES (" + marks + ") ON CONFLICT (" +
                                   keycols + ") DO UPDATE SET " + updates);
      for (size_t i = 0; i < values.size(); ++i) bind_value(up, static_cast<int>(i + 1), *values[i]);
      up.exec();
      ++st.applied;
      if (t->name == "episodes") touched.insert(key[0].get<std::string>());
      for (auto& p : t->parents)
        if (c.row.contains(p) && c.row[p].is_string()) touched.insert(c.row[p].get<std::string>());
    } catch (const std::exception& e) {
      problem("feed entry " + std::to_string(c.seq) + " (" + c.table + "): " + e.what());
    }
  }
  refresh_patterns(db, orphaned_patterns);
  for (auto& id : touched) {
    auto p = probe_episode(db, id);
    if (!p.exists) continue;
    reindex_episode(db, id);
    if (p.completed) learn_from_stored_episode(db, id, min_quality);
  }
  db.exec("UPDATE sync_state SET capture = 1 WHERE id = 1");
  return st;
}

}  // namespace memory_mcp
