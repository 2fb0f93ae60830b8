#include "adapters/pattern_repo.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>

#include "adapters/episode_repo.hpp"
#include "core/evidence.hpp"
#include "core/reflection.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

json strings(const std::vector<std::string>& v) { return json(v); }

std::vector<std::string> string_vector(const json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (auto& v : j)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// The kind-specific fields of an observation, as stored in patterns.body.
json body_of(const pattern_observation& o) {
  json b = json::object();
  if (!o.tools.empty()) b["tools"] = strings(o.tools);
  if (!o.condition.empty()) b["condition"] = o.condition;
  if (!o.action.empty()) b["action"] = o.action;
  if (!o.error_type.empty()) b["error_type"] = o.error_type;
  if (!o.failing_tool.empty()) b["failing_tool"] = o.failing_tool;
  if (!o.recovery_steps.empty()) b["recovery_steps"] = strings(o.recovery_steps);
  if (!o.context_features.empty()) b["context_features"] = strings(o.context_features);
  if (!o.recommended_approach.empty()) b["recommended_approach"] = o.recommended_approach;
  return b;
}

// The text the pattern is found by in patterns_fts.
std::string search_text(const pattern_observation& o) {
  std::string text = o.description + " " + o.domain;
  for (auto* list : {&o.tools, &o.recovery_steps, &o.context_features})
    for (auto& t : *list) text += " " + t;
  for (auto* s : {&o.condition, &o.action, &o.error_type, &o.failing_tool}) text += " " + *s;
  // Tool names like run_tests are also found by their parts.
  std::string spaced = text;
  std::replace(spaced.begin(), spaced.end(), '_', ' ');
  return text + " " + spaced;
}

double wilson(int64_t occurrences, double success_sum) {
  return wilson_lower_bound(std::min(success_sum, static_cast<double>(occurrences)), static_cast<double>(occurrences));
}

}  // namespace

std::string pattern_id_for_key(const std::string& key) {
  // RFC 4122 name-based UUID (version 5) in a namespace of our own.
  static const unsigned char ns[16] = {0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x2d, 0x6d,
                                       0x63, 0x70, 0x2d, 0x70, 0x61, 0x74, 0x74, 0x6e};
  std::string data(reinterpret_cast<const char*>(ns), sizeof ns);
  data += key;
  unsigned char hash[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), hash);
  hash[6] = static_cast<unsigned char>((hash[6] & 0x0F) | 0x50);
  hash[8] = static_cast<unsigned char>((hash[8] & 0x3F) | 0x80);
  char buf[37];
  std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", hash[0],
                hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7], hash[8], hash[9], hash[10], hash[11],
                hash[12], hash[13], hash[14], hash[15]);
  return buf;
}

json observation_to_json(const pattern_observation& o) {
  json j = body_of(o);
  j["kind"] = to_string(o.kind);
  j["key"] = o.key;
  j["domain"] = o.domain;
  j["description"] = o.description;
  j["success"] = o.success;
  j["latency_ms"] = o.latency_ms;
  return j;
}

std::optional<pattern_observation> observation_from_json(const json& j) {
  if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string() || !j.contains("key") || !j["key"].is_string())
    return std::nullopt;
  pattern_observation o;
  if (!parse_pattern_kind(j["kind"].get<std::string>(), o.kind)) return std::nullopt;
  auto text = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  o.key = text("key");
  o.domain = text("domain");
  o.description = text("description");
  o.condition = text("condition");
  o.action = text("action");
  o.error_type = text("error_type");
  o.failing_tool = text("failing_tool");
  o.recommended_approach = text("recommended_approach");
  o.tools = string_vector(j.value("tools", json::array()));
  o.recovery_steps = string_vector(j.value("recovery_steps", json::array()));
  o.context_features = string_vector(j.value("context_features", json::array()));
  o.success = j.contains("success") && j["success"].is_number() ? std::clamp(j["success"].get<double>(), 0.0, 1.0) : 0.0;
  o.latency_ms = j.contains("latency_ms") && j["latency_ms"].is_number_integer() ? j["latency_ms"].get<int64_t>() : 0;
  if (o.key.empty()) return std::nullopt;
  return o;
}

std::vector<std::string> record_observations(SQLite::Database& db, const std::string& episode_id,
                                             int64_t observed_at_us, double reward_total,
                                             const std::vector<pattern_observation>& observations,
                                             statement_cache* cache) {
  std::unique_ptr<SQLite::Statement> own[5];
  auto& add_pattern = statement_in(db, cache, own[0],
                                   "INSERT OR IGNORE INTO patterns(pattern_id, pattern_key, kind, domain, description, "
                                   "body, first_seen_us, last_seen_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  auto& add_doc = statement_in(db, cache, own[1], "INSERT INTO patterns_fts(rowid, text) VALUES (?, ?)");
  auto& add_evidence = statement_in(db, cache, own[2],
                                    "INSERT OR IGNORE INTO pattern_evidence(pattern_id, episode_id, success, reward, "
                                    "latency_ms, observed_at_us) VALUES (?, ?, ?, ?, ?, ?)");
  auto& bump = statement_in(db, cache, own[3],
                            "UPDATE patterns SET occurrences = occurrences + 1, successes = successes + ?, "
                            "success_sum = success_sum + ?, reward_sum = reward_sum + ?, latency_sum_ms = "
                            "latency_sum_ms + ?, first_seen_us = min(first_seen_us, ?), last_seen_us = "
                            "max(last_seen_us, ?) WHERE pattern_id = ? RETURNING occurrences, success_sum");
  auto& set_confidence = statement_in(db, cache, own[4], "UPDATE patterns SET confidence = ? WHERE pattern_id = ?");
  std::vector<std::string> ids;
  for (auto& o : observations) {
    auto id = pattern_id_for_key(o.key);
    ids.push_back(id);
    add_pattern.bind(1, id);
    add_pattern.bind(2, o.key);
    add_pattern.bind(3, to_string(o.kind));
    add_pattern.bind(4, o.domain);
    add_pattern.bind(5, o.description);
    add_pattern.bind(6, body_of(o).dump());
    add_pattern.bind(7, static_cast<int64_t>(observed_at_us));
    add_pattern.bind(8, static_cast<int64_t>(observed_at_us));
    if (add_pattern.exec() == 1) {
      add_doc.bind(1, static_cast<int64_t>(db.getLastInsertRowid()));
      add_doc.bind(2, search_text(o));
      add_doc.exec();
      add_doc.reset();
    }
    add_pattern.reset();
    add_evidence.bind(1, id);
    add_evidence.bind(2, episode_id);
    add_evidence.bind(3, o.success);
    add_evidence.bind(4, reward_total);
    add_evidence.bind(5, static_cast<int64_t>(o.latency_ms));
    add_evidence.bind(6, static_cast<int64_t>(observed_at_us));
    bool fresh = add_evidence.exec() == 1;
    add_evidence.reset();
    if (!fresh) continue;  // this episode was already counted for this pattern
    bump.bind(1, o.success >= 0.5 ? 1 : 0);
    bump.bind(2, o.success);
    bump.bind(3, reward_total);
    bump.bind(4, static_cast<int64_t>(o.latency_ms));
    bump.bind(5, static_cast<int64_t>(observed_at_us));
    bump.bind(6, static_cast<int64_t>(observed_at_us));
    bump.bind(7, id);
    if (bump.executeStep()) {
      double confidence = wilson(bump.getColumn(0).getInt64(), bump.getColumn(1).getDouble());
      bump.reset();
      set_confidence.bind(1, confidence);
      set_confidence.bind(2, id);
      set_confidence.exec();
      set_confidence.reset();
    } else {
      bump.reset();
    }
  }
  return ids;
}

std::vector<std::string> patterns_of_episode(SQLite::Database& db, const std::string& episode_id) {
  SQLite::Statement q(db, "SELECT pattern_id FROM pattern_evidence WHERE episode_id = ?");
  q.bind(1, episode_id);
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

void refresh_patterns(SQLite::Database& db, const std::vector<std::string>& pattern_ids) {
  SQLite::Statement agg(db,
                        "SELECT COUNT(*), COALESCE(SUM(success >= 0.5), 0), COALESCE(SUM(success), 0), "
                        "COALESCE(SUM(reward), 0), COALESCE(SUM(latency_ms), 0), MIN(observed_at_us), "
                        "MAX(observed_at_us) FROM pattern_evidence WHERE pattern_id = ?");
  SQLite::Statement drop(db, "DELETE FROM patterns WHERE pattern_id = ?");
  SQLite::Statement set(db,
                        "UPDATE patterns SET occurrences = ?, successes = ?, success_sum = ?, reward_sum = ?, "
                        "latency_sum_ms = ?, first_seen_us = ?, last_seen_us = ?, confidence = ? WHERE pattern_id = ?");
  for (auto& id : pattern_ids) {
    agg.bind(1, id);
    agg.executeStep();
    int64_t n = agg.getColumn(0).getInt64();
    if (n == 0) {
      agg.reset();
      drop.bind(1, id);
      drop.exec();
      drop.reset();
      continue;
    }
    double success_sum = agg.getColumn(2).getDouble();
    set.bind(1, n);
    set.bind(2, agg.getColumn(1).getInt64());
    set.bind(3, success_sum);
    set.bind(4, agg.getColumn(3).getDouble());
    set.bind(5, agg.getColumn(4).getInt64());
    set.bind(6, agg.getColumn(5).getInt64());
    set.bind(7, agg.getColumn(6).getInt64());
    set.bind(8, wilson(n, success_sum));
    set.bind(9, id);
    agg.reset();
    set.exec();
    set.reset();
  }
}

learning_outcome learn_from_stored_episode(SQLite::Database& db, const std::string& episode_id, double min_quality) {
  learning_outcome out;
  auto episode = load_episode(db, episode_id);
  if (!episode || !(*episode)["end_time"].is_string() || !(*episode)["outcome"].is_object()) {
    out.skipped_reason = "not a completed episode";
    return out;
  }
  auto end = parse_rfc3339_us((*episode)["end_time"].get<std::string>()).value_or(0);
  auto facts = facts_from_episode(*episode, end);
  reflection refl;
  const auto& r = (*episode)["reflection"];
  if (r.is_object()) {
    refl.successes = string_vector(r.value("successes", json::array()));
    refl.improvements = string_vector(r.value("improvements", json::array()));
    refl.insights = string_vector(r.value("insights", json::array()));
  }
  out.quality = assess_quality(facts, refl).total;
  double reward = (*episode)["reward"].is_object() && (*episode)["reward"]["total"].is_number()
                      ? (*episode)["reward"]["total"].get<double>()
                      : 0.0;
  // Learning is a function of the episode as stored now: evidence from an earlier state of it (e.g. a
  // replica that had only part of its steps) is replaced, not added to.
  auto previous = patterns_of_episode(db, episode_id);
  if (!previous.empty()) {
    SQLite::Statement forget(db, "DELETE FROM pattern_evidence WHERE episode_id = ?");
    forget.bind(1, episode_id);
    forget.exec();
    refresh_patterns(db, previous);
  }
  if (out.quality >= min_quality) {
    out.pattern_ids = record_observations(db, episode_id, end, reward, extract_patterns(facts));
    out.learned = true;
  } else {
    out.skipped_reason = "quality below the learning threshold";
  }
  SQLite::Statement mark(db, "UPDATE episodes SET quality = ?, learned = ?, pattern_ids = ? WHERE episode_id = ?");
  mark.bind(1, out.quality);
  mark.bind(2, out.learned ? 1 : 0);
  mark.bind(3, json(out.pattern_ids).dump());
  mark.bind(4, episode_id);
  mark.exec();
  return out;
}

void relearn_completed_episodes(SQLite::Database& db) {
  std::vector<std::string> ids;
  {
    SQLite::Statement q(db, "SELECT episode_id FROM episodes WHERE end_time_us IS NOT NULL ORDER BY end_time_us");
    while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
  }
  for (auto& id : ids) learn_from_stored_episode(db, id, default_min_learning_quality);
}

const char* const pattern_columns =
    "p.pattern_id, p.kind, p.domain, p.description, p.body, p.occurrences, p.successes, p.success_sum, p.reward_sum, "
    "p.latency_sum_ms, p.confidence, p.first_seen_us, p.last_seen_us";

pattern_row read_pattern_row(SQLite::Statement& q) {
  pattern_row r;
  r.pattern_id = q.getColumn(0).getString();
  r.kind = q.getColumn(1).getString();
  r.domain = q.getColumn(2).getString();
  r.description = q.getColumn(3).getString();
  auto body = q.getColumn(4);
  const char* text = body.getText();
  r.body = json::parse(text, text + body.getBytes(), nullptr, false);
  if (!r.body.is_object()) r.body = json::object();
  r.occurrences = q.getColumn(5).getInt64();
  r.successes = q.getColumn(6).getInt64();
  r.success_sum = q.getColumn(7).getDouble();
  r.reward_sum = q.getColumn(8).getDouble();
  r.latency_sum_ms = q.getColumn(9).getDouble();
  r.confidence = q.getColumn(10).getDouble();
  r.first_seen_us = q.getColumn(11).getInt64();
  r.last_seen_us = q.getColumn(12).getInt64();
  return r;
}

json pattern_json(pattern_row r) {
  json p = std::move(r.body);
  auto n = r.occurrences;
  double count = static_cast<double>(n);
  p["pattern_id"] = r.pattern_id;
  p["id"] = std::move(r.pattern_id);
  p["kind"] = r.kind;
  p["pattern_type"] = r.kind;
  p["domain"] = std::move(r.domain);
  p["description"] = std::move(r.description);
  p["occurrences"] = n;
  p["successes"] = r.successes;
  p["failures"] = n - r.successes;
  p["success_rate"] = n > 0 ? r.success_sum / count : 0.0;
  p["confidence"] = r.confidence;
  p["avg_reward"] = n > 0 ? r.reward_sum / count : 0.0;
  if (r.kind == "tool_sequence") p["avg_latency_ms"] = n > 0 ? r.latency_sum_ms / count : 0.0;
  p["first_seen"] = format_rfc3339_us(r.first_seen_us);
  p["last_seen"] = format_rfc3339_us(r.last_seen_us);
  return p;
}

json pattern_from_row(SQLite::Statement& q) { return pattern_json(read_pattern_row(q)); }

std::optional<json> load_pattern(SQLite::Database& db, const std::string& pattern_id) {
  SQLite::Statement q(db, std::string("SELECT ") + pattern_columns + " FROM patterns p WHERE p.pattern_id = ?");
  q.bind(1, pattern_id);
  if (!q.executeStep()) return std::nullopt;
  return pattern_from_row(q);
}

}  // namespace memory_mcp
