#include "adapters/backup.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "adapters/episode_repo.hpp"
#include "adapters/pattern_repo.hpp"
#include "adapters/logger.hpp"
#include "adapters/sqlite_db.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

constexpr size_t batch_lines = 500;

int64_t time_us(const json& v, const char* field) {
  if (!v.is_string()) throw std::invalid_argument(std::string(field) + ": must be an RFC 3339 string");
  auto t = parse_rfc3339_us(v.get<std::string>());
  if (!t) throw std::invalid_argument(std::string(field) + ": not an RFC 3339 date-time");
  return *t;
}

void bind_text_or_null(SQLite::Statement& q, int i, const json& v) {
  if (v.is_string()) q.bind(i, v.get<std::string>());
  else q.bind(i);
}

std::string required_text(const json& obj, const char* field) {
  if (!obj.contains(field) || !obj[field].is_string() || obj[field].get<std::string>().empty())
    throw std::invalid_argument(std::string(field) + ": required string");
  return obj[field].get<std::string>();
}

bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// Returns true when added, false when the id already existed. Throws std::invalid_argument for bad shapes.
bool import_episode(SQLite::Database& db, const json& e, double min_quality) {
  auto id = required_text(e, "episode_id");
  if (!is_uuid(id)) throw std::invalid_argument("episode_id: must be a UUID");
  if (probe_episode(db, id).exists) return false;
  const json& ctx = e.at("context");
  auto start = time_us(e.at("start_time"), "start_time");
  json end = e.value("end_time", json(nullptr));
  const json& steps = e.at("steps");
  if (!steps.is_array()) throw std::invalid_argument("steps: must be an array");
  json outcome = e.value("outcome", json(nullptr));
  json reward = e.value("reward", json(nullptr));
  SQLite::Statement q(db,
                      "INSERT INTO episodes(episode_id, task_type, task_description, domain, language, framework, "
                      "complexity, context_tags, start_time_us, end_time_us, outcome_type, outcome, reward_total, "
                      "reward, reflection, pattern_ids, heuristic_ids, metadata, step_count, updated_at_us) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  q.bind(1, id);
  q.bind(2, required_text(e, "task_type"));
  q.bind(3, required_text(e, "task_description"));
  q.bind(4, required_text(ctx, "domain"));
  bind_text_or_null(q, 5, ctx.value("language", json(nullptr)));
  bind_text_or_null(q, 6, ctx.value("framework", json(nullptr)));
  q.bind(7, ctx.value("complexity", "moderate"));
  q.bind(8, ctx.value("tags", json::array()).dump());
  q.bind(9, static_cast<int64_t>(start));
  if (end.is_null()) q.bind(10);
  else q.bind(10, static_cast<int64_t>(time_us(end, "end_time")));
  if (outcome.is_object()) {
    q.bind(11, required_text(outcome, "type"));
    q.bind(12, outcome.dump());
  } else {
    q.bind(11);
    q.bind(12);
  }
  if (reward.is_object() && reward.contains("total") && reward["total"].is_number()) {
    q.bind(13, reward["total"].get<double>());
    q.bind(14, reward.dump());
  } else {
    q.bind(13);
    q.bind(14);
  }
  json reflection = e.value("reflection", json(nullptr));
  if (reflection.is_object()) q.bind(15, reflection.dump());
  else q.bind(15);
  q.bind(16, e.value("patterns", json::array()).dump());
  q.bind(17, e.value("heuristics", json::array()).dump());
  q.bind(18, e.value("metadata", json::object()).dump());
  q.bind(19, static_cast<int64_t>(steps.size()));
  q.bind(20, static_cast<int64_t>(wall_clock_us()));
  q.exec();
  for (auto& s : steps) {
    SQLite::Statement st(db,
                         "INSERT INTO steps(episode_id, step_number, timestamp_us, tool, action, parameters, result_type, "
                         "result_text, latency_ms, tokens_used, metadata) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, id);
    st.bind(2, static_cast<int64_t>(s.at("step_number").get<int64_t>()));
    st.bind(3, static_cast<int64_t>(time_us(s.at("timestamp"), "steps[].timestamp")));
    st.bind(4, required_text(s, "tool"));
    st.bind(5, required_text(s, "action"));
    st.bind(6, s.value("parameters", json::object()).dump());
    const json& r = s.value("result", json(nullptr));
    if (r.is_object()) {
      auto type = required_text(r, "type");
      st.bind(7, type);
      if (type == "success") st.bind(8, r.value("output", ""));
      else if (type == "error") st.bind(8, r.value("message", ""));
      else st.bind(8);
    } else {
      st.bind(7);
      st.bind(8);
    }
    st.bind(9, static_cast<int64_t>(s.value("latency_ms", int64_t{0})));
    if (s.contains("tokens_used") && s["tokens_used"].is_number_integer()) st.bind(10, static_cast<int64_t>(s["tokens_used"].get<int64_t>()));
    else st.bind(10);
    st.bind(11, s.value("metadata", json::object()).dump());
    st.exec();
  }
  for (auto& t : e.value("tags", json::array())) {
    SQLite::Statement tq(db, "INSERT OR IGNORE INTO episode_tags(episode_id, tag, created_at_us) VALUES (?,?,?)");
    tq.bind(1, id);
    tq.bind(2, t.get<std::string>());
    tq.bind(3, static_cast<int64_t>(start));
    tq.exec();
  }
  reindex_episode(db, id);
  // Patterns are derived here, from the episode as imported (the exporting server's pattern ids mean nothing
  // in this database): the same learning as complete_episode's, so an import teaches what the episodes teach.
  learn_from_stored_episode(db, id, min_quality);
  return true;
}

bool import_relationship(SQLite::Database& db, const json& r) {
  auto id = required_text(r, "id");
  auto from = required_text(r, "from");
  auto to = required_text(r, "to");
  auto type = required_text(r, "relationship_type");
  if (from == to) return false;
  if (!probe_episode(db, from).exists || !probe_episode(db, to).exists) return false;
  if (cycle_if_added(db, from, to, type)) return false;
  SQLite::Statement ins(db,
                        "INSERT OR IGNORE INTO episode_relationships(relationship_id, from_episode_id, to_episode_id, "
                        "relationship_type, reason, priority, created_by, created_at_us) VALUES (?,?,?,?,?,?,?,?)");
  ins.bind(1, id);
  ins.bind(2, from);
  ins.bind(3, to);
  ins.bind(4, type);
  bind_text_or_null(ins, 5, r.value("reason", json(nullptr)));
  if (r.contains("priority") && r["priority"].is_number_integer()) ins.bind(6, static_cast<int64_t>(r["priority"].get<int64_t>()));
  else ins.bind(6);
  bind_text_or_null(ins, 7, r.value("created_by", json(nullptr)));
  ins.bind(8, static_cast<int64_t>(time_us(r.at("created_at"), "created_at")));
  return ins.exec() > 0;
}

}  // namespace

result<export_stats> export_jsonl(SQLite::Database& db, std::ostream& out) {
  export_stats stats;
  try {
    SQLite::Transaction snapshot(db, SQLite::TransactionBehavior::DEFERRED);
    out << json{{"kind", "header"},
                {"format", "memory-mcp-export"},
                {"version", 1},
                {"schema_version", current_schema_version(db)},
                {"exported_at", format_rfc3339_us(wall_clock_us())}}
               .dump()
        << '\n';
    SQLite::Statement ids(db, "SELECT episode_id FROM episodes ORDER BY start_time_us, episode_id");
    while (ids.executeStep()) {
      auto e = load_episode(db, ids.getColumn(0).getString());
      if (!e) continue;
      out << json{{"kind", "episode"}, {"episode", *e}}.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
      ++stats.episodes;
    }
    SQLite::Statement rel(db, std::string("SELECT ") + edge_columns +
                                  " FROM episode_relationships ORDER BY created_at_us, relationship_id");
    while (rel.executeStep()) {
      out << json{{"kind", "relationship"}, {"relationship", edge_from_row(rel)}}.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
      ++stats.relationships;
    }
    out.flush();
    if (!out) return make_error(error_code::storage, "export: writing the output failed");
    return stats;
  } catch (const std::exception& e) {
    return make_error(error_code::storage, std::string("export: ") + e.what());
  }
}

result<import_stats> import_jsonl(SQLite::Database& db, std::istream& in, double min_quality) {
  import_stats stats;
  std::string line;
  try {
    while (in) {
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      size_t in_batch = 0;
      while (in_batch < batch_lines && std::getline(in, line)) {
        ++stats.lines;
        ++in_batch;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto v = json::parse(line, nullptr, false);
        std::string where = "line " + std::to_string(stats.lines) + ": ";
        if (v.is_discarded() || !v.is_object()) {
          stats.problems.push_back(where + "not a JSON object");
          continue;
        }
        auto kind = v.value("kind", "");
        db.exec("SAVEPOINT line");
        try {
          if (kind == "header") {
            if (v.value("format", "") != "memory-mcp-export") throw std::invalid_argument("format: not a memory-mcp export");
          } else if (kind == "episode") {
            (import_episode(db, v.at("episode"), min_quality) ? stats.episodes_added : stats.episodes_skipped)++;
          } else if (kind == "relationship") {
            (import_relationship(db, v.at("relationship")) ? stats.relationships_added : stats.relationships_skipped)++;
          } else {
            throw std::invalid_argument("kind: must be header, episode or relationship");
          }
          db.exec("RELEASE line");
        } catch (const SQLite::Exception& e) {
          db.exec("ROLLBACK TO line; RELEASE line");
          stats.problems.push_back(where + e.what());
        } catch (const std::exception& e) {
          db.exec("ROLLBACK TO line; RELEASE line");
          stats.problems.push_back(where + e.what());
        }
      }
      tx.commit();
      if (in_batch == 0) break;
    }
    if (stats.episodes_added > 0) {
      // A bulk load leaves the full-text indexes in many small segments; merged now, in one go, they do not
      // merge piecemeal inside the next few thousand completions (measured: complete_episode p99 21 -> 3.6 ms
      // right after importing 100k episodes).
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      db.exec("INSERT INTO episodes_fts(episodes_fts) VALUES('optimize')");
      db.exec("INSERT INTO patterns_fts(patterns_fts) VALUES('optimize')");
      tx.commit();
    }
    return stats;
  } catch (const std::exception& e) {
    return make_error(error_code::storage, std::string("import: ") + e.what() + " (batch rolled back; re-run to resume)");
  }
}

}  // namespace memory_mcp
