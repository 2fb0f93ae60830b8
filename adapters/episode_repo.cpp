#include "adapters/episode_repo.hpp"

#include <SQLiteCpp/Statement.h>
#include <random>

#include "adapters/sqlite_schema.hpp"
#include "core/graph.hpp"
#include "core/tags.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

std::string utf8_prefix(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // text[end] starts a character
  return text.substr(0, end);
}

std::string new_uuid() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  uint64_t hi = gen(), lo = gen();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

namespace {

json parse_or(const std::string& text, json fallback) {
  auto v = json::parse(text, nullptr, false);
  return v.is_discarded() ? fallback : v;
}

json nullable_text(SQLite::Column c) { return c.isNull() ? json(nullptr) : json(c.getString()); }

json time_or_null(SQLite::Column c) { return c.isNull() ? json(nullptr) : json(format_rfc3339_us(c.getInt64())); }

}  // namespace

error episode_not_found(const std::string& episode_id) {
  return make_error(error_code::not_found, "episode_id: no episode with id " + episode_id);
}

std::vector<std::string> episode_tags(SQLite::Database& db, const std::string& episode_id) {
  SQLite::Statement q(db, "SELECT tag FROM episode_tags WHERE episode_id = ? ORDER BY tag");
  q.bind(1, episode_id);
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

episode_presence probe_episode(SQLite::Database& db, const std::string& episode_id) {
  SQLite::Statement q(db, "SELECT end_time_us, step_count FROM episodes WHERE episode_id = ?");
  q.bind(1, episode_id);
  episode_presence p;
  if (!q.executeStep()) return p;
  p.exists = true;
  p.completed = !q.getColumn(0).isNull();
  p.end_time_us = p.completed ? q.getColumn(0).getInt64() : 0;
  p.step_count = q.getColumn(1).getInt64();
  return p;
}

std::optional<json> load_episode(SQLite::Database& db, const std::string& episode_id) {
  SQLite::Statement q(db,
                      "SELECT task_type, task_description, domain, language, framework, complexity, context_tags, "
                      "start_time_us, end_time_us, outcome, reward, reflection, pattern_ids, heuristic_ids, metadata "
                      "FROM episodes WHERE episode_id = ?");
  q.bind(1, episode_id);
  if (!q.executeStep()) return std::nullopt;
  json e;
  e["episode_id"] = episode_id;
  e["task_type"] = q.getColumn(0).getString();
  e["task_description"] = q.getColumn(1).getString();
  e["context"] = {{"domain", q.getColumn(2).getString()},
                  {"language", nullable_text(q.getColumn(3))},
                  {"framework", nullable_text(q.getColumn(4))},
                  {"complexity", q.getColumn(5).getString()},
                  {"tags", parse_or(q.getColumn(6).getString(), json::array())}};
  e["status"] = q.getColumn(8).isNull() ? "in_progress" : "completed";
  e["start_time"] = time_or_null(q.getColumn(7));
  e["end_time"] = time_or_null(q.getColumn(8));
  e["outcome"] = q.getColumn(9).isNull() ? json(nullptr) : parse_or(q.getColumn(9).getString(), nullptr);
  e["reward"] = q.getColumn(10).isNull() ? json(nullptr) : parse_or(q.getColumn(10).getString(), nullptr);
  e["reflection"] = q.getColumn(11).isNull() ? json(nullptr) : parse_or(q.getColumn(11).getString(), nullptr);
  e["patterns"] = parse_or(q.getColumn(12).getString(), json::array());
  e["heuristics"] = parse_or(q.getColumn(13).getString(), json::array());
  e["metadata"] = parse_or(q.getColumn(14).getString(), json::object());
  e["tags"] = episode_tags(db, episode_id);

  SQLite::Statement s(db,
                      "SELECT step_number, timestamp_us, tool, action, parameters, result_type, result_text, "
                      "latency_ms, tokens_used, metadata FROM steps WHERE episode_id = ? ORDER BY step_number");
  s.bind(1, episode_id);
  json steps = json::array();
  while (s.executeStep()) {
    json step = {{"step_number", s.getColumn(0).getInt64()},
                 {"timestamp", format_rfc3339_us(s.getColumn(1).getInt64())},
                 {"tool", s.getColumn(2).getString()},
                 {"action", s.getColumn(3).getString()},
                 {"parameters", parse_or(s.getColumn(4).getString(), json::object())}};
    if (s.getColumn(5).isNull()) {
      step["result"] = nullptr;
    } else {
      auto type = s.getColumn(5).getString();
      json r = {{"type", type}};
      if (type == "success") r["output"] = s.getColumn(6).isNull() ? "" : s.getColumn(6).getString();
      else if (type == "error") r["message"] = s.getColumn(6).isNull() ? "" : s.getColumn(6).getString();
      step["result"] = r;
    }
    step["latency_ms"] = s.getColumn(7).getInt64();
    step["tokens_used"] = s.getColumn(8).isNull() ? json(nullptr) : json(s.getColumn(8).getInt64());
    step["metadata"] = parse_or(s.getColumn(9).getString(), json::object());
    steps.push_back(std::move(step));
  }
  e["steps"] = std::move(steps);
  return e;
}

const char* const summary_columns =
    "e.episode_id, e.task_type, e.task_description, e.domain, e.end_time_us, e.outcome_type, e.reward_total, "
    "e.start_time_us, e.step_count";

json summary_from_row(SQLite::Statement& q) {
  return {{"episode_id", q.getColumn(0).getString()},
          {"task_type", q.getColumn(1).getString()},
          {"task_description", q.getColumn(2).getString()},
          {"domain", q.getColumn(3).getString()},
          {"status", q.getColumn(4).isNull() ? "in_progress" : "completed"},
          {"outcome_type", nullable_text(q.getColumn(5))},
          {"reward_total", q.getColumn(6).isNull() ? json(nullptr) : json(q.getColumn(6).getDouble())},
          {"start_time", time_or_null(q.getColumn(7))},
          {"end_time", time_or_null(q.getColumn(4))},
          {"step_count", q.getColumn(8).getInt64()}};
}

outcome_fact outcome_from_json(const json& o) {
  outcome_fact f;
  auto t = o.value("type", "success");
  f.kind = t == "success" ? outcome_kind::success
           : t == "partial_success" ? outcome_kind::partial_success
           : t == "failure" ? outcome_kind::failure
                            : outcome_kind::abstained;
  f.verdict = o.value("verdict", "");
  f.reason = o.value("reason", "");
  f.stopped_at_step = o.value("stopped_at_step", int64_t{0});
  for (auto& a : o.value("artifacts", json::array())) f.artifacts.push_back(a.get<std::string>());
  for (auto& a : o.value("completed", json::array())) f.completed.push_back(a.get<std::string>());
  for (auto& a : o.value("failed", json::array())) f.failed.push_back(a.get<std::string>());
  return f;
}

episode_facts facts_from_episode(const json& e, int64_t end_time_us) {
  episode_facts f;
  f.task_type = e.value("task_type", "");
  f.domain = e["context"].value("domain", "");
  f.language = e["context"]["language"].is_string() ? e["context"]["language"].get<std::string>() : "";
  f.framework = e["context"]["framework"].is_string() ? e["context"]["framework"].get<std::string>() : "";
  auto cx = e["context"].value("complexity", "moderate");
  f.complexity = cx == "simple" ? complexity_level::simple : cx == "complex" ? complexity_level::complex
                                                                             : complexity_level::moderate;
  for (auto& s : e["steps"]) {
    step_fact sf;
    sf.tool = s.value("tool", "");
    sf.action = s.value("action", "");
    sf.latency_ms = s.value("latency_ms", int64_t{0});
    sf.tokens_used = s["tokens_used"].is_number() ? s["tokens_used"].get<int64_t>() : 0;
    if (s["parameters"].is_object()) {
      for (auto& [k, v] : s["parameters"].items()) {
        std::string text = v.is_string() ? utf8_prefix(v.get<std::string>(), 64)
                           : v.is_primitive() && !v.is_null() ? v.dump()
                                                              : std::string();
        sf.parameters.emplace_back(k, std::move(text));
      }
    }
    if (s["result"].is_object()) {
      auto t = s["result"].value("type", "");
      sf.result = t == "success" ? step_result::success : t == "error" ? step_result::error : step_result::timeout;
      if (t == "error") sf.error_message = s["result"].value("message", "");
    }
    f.steps.push_back(std::move(sf));
  }
  if (auto start = parse_rfc3339_us(e.value("start_time", ""))) f.duration_s = static_cast<double>(end_time_us - *start) / 1e6;
  for (auto& [k, v] : e["metadata"].items())
    if (v.is_string()) f.metadata[k] = v.get<std::string>();
  if (e["outcome"].is_object()) f.outcome = outcome_from_json(e["outcome"]);
  return f;
}

bool must_be_acyclic(const std::string& type) {
  return type == "depends_on" || type == "parent_child" || type == "blocks";
}

const char* const edge_columns =
    "relationship_id, from_episode_id, to_episode_id, relationship_type, reason, priority, created_by, created_at_us";

json edge_from_row(SQLite::Statement& q) {
  return {{"id", q.getColumn(0).getString()},
          {"from", q.getColumn(1).getString()},
          {"to", q.getColumn(2).getString()},
          {"relationship_type", q.getColumn(3).getString()},
          {"reason", nullable_text(q.getColumn(4))},
          {"priority", q.getColumn(5).isNull() ? json(nullptr) : json(q.getColumn(5).getInt64())},
          {"created_by", nullable_text(q.getColumn(6))},
          {"created_at", format_rfc3339_us(q.getColumn(7).getInt64())}};
}

std::optional<std::string> existing_relationship(SQLite::Database& db, const std::string& from, const std::string& to,
                                                 const std::string& type) {
  SQLite::Statement q(db,
                      "SELECT relationship_id FROM episode_relationships WHERE from_episode_id = ? AND to_episode_id = ? "
                      "AND relationship_type = ?");
  q.bind(1, from);
  q.bind(2, to);
  q.bind(3, type);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

std::optional<std::vector<std::string>> cycle_if_added(SQLite::Database& db, const std::string& from,
                                                       const std::string& to, const std::string& type) {
  if (!must_be_acyclic(type)) return std::nullopt;
  SQLite::Statement q(db, "SELECT from_episode_id, to_episode_id FROM episode_relationships WHERE relationship_type = ?");
  q.bind(1, type);
  adjacency edges;
  while (q.executeStep()) edges[q.getColumn(0).getString()].push_back(q.getColumn(1).getString());
  auto path = find_path(edges, to, from);
  if (path) path->push_back(to);
  return path;
}

SQLite::Statement& statement_in(SQLite::Database& db, statement_cache* cache, std::unique_ptr<SQLite::Statement>& own,
                                const std::string& sql) {
  if (cache) return cache->get(sql);
  own = std::make_unique<SQLite::Statement>(db, sql);
  return *own;
}

void reindex_episode(SQLite::Database& db, const std::string& episode_id, statement_cache* cache) {
  // A new document id for the new text (the old row's trigger removes its index entry): readers that follow
  // episode_docs by id see the change.
  std::unique_ptr<SQLite::Statement> own_del, own_doc, own_ins;
  auto& del = statement_in(db, cache, own_del, "DELETE FROM episode_docs WHERE episode_id = ?");
  del.bind(1, episode_id);
  del.exec();
  auto& doc = statement_in(db, cache, own_doc,
                           "INSERT INTO episode_docs(episode_id) SELECT episode_id FROM episodes "
                           "WHERE episode_id = ? AND end_time_us IS NOT NULL");
  doc.bind(1, episode_id);
  doc.exec();
  auto& ins = statement_in(db, cache, own_ins,
                           std::string(fts_document_insert) + "SELECT doc_id FROM episode_docs WHERE episode_id = ?)");
  ins.bind(1, episode_id);
  ins.exec();
}

result<std::vector<std::string>> read_tags(const json& value, const std::string& field) {
  std::vector<std::string> raw;
  for (auto& t : value) raw.push_back(t.get<std::string>());
  size_t bad = 0;
  auto tags = normalize_tags(raw, bad);
  if (!tags)
    return make_error(error_code::invalid_argument,
                      field + "[" + std::to_string(bad) + "]: invalid tag \"" + utf8_prefix(raw[bad], 120) +
                          "\"; tags are 2-100 characters of letters, digits, '-' and '_' (lower-cased), starting "
                          "with a letter or digit");
  return std::move(*tags);
}

}  // namespace memory_mcp
