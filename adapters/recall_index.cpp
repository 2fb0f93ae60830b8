#include "adapters/recall_index.hpp"

#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace memory_mcp {

namespace {

// The searchable text of each document after `after`, in doc-id order. Steps contribute their tool and action,
// and failed steps the first 200 characters of their error (what a later search names); successful output is
// left out of memory (SQLite's full-text index still has it).
const char* const documents_sql = R"sql(
SELECT d.doc_id, e.episode_id, e.task_description,
       COALESCE((SELECT group_concat(s.tool || ' ' || s.action ||
                                     CASE WHEN s.result_type = 'error' THEN ' ' || substr(s.result_text, 1, 200) ELSE '' END, ' ')
                 FROM steps s WHERE s.episode_id = e.episode_id), ''),
       COALESCE((SELECT group_concat(t.value, ' ') FROM json_tree(e.outcome) t
                 WHERE t.type = 'text' AND t.key <> 'type'), ''),
       e.domain, e.task_type, COALESCE(e.language, ''), COALESCE(e.framework, ''), e.context_tags,
       COALESCE((SELECT group_concat(g.tag, ' ') FROM episode_tags g WHERE g.episode_id = e.episode_id), ''),
       COALESCE(e.outcome_type, ''), COALESCE(e.reward_total, 0), e.end_time_us
FROM episode_docs d JOIN episodes e ON e.episode_id = d.episode_id
WHERE d.doc_id > ? AND e.end_time_us IS NOT NULL ORDER BY d.doc_id LIMIT ?)sql";

}  // namespace

namespace {

bool parse_uuid(const std::string& text, uint64_t& hi, uint64_t& lo) {
  std::string hex;
  for (char c : text)
    if (c != '-') hex += c;
  if (hex.size() != 32) return false;
  try {
    hi = std::stoull(hex.substr(0, 16), nullptr, 16);
    lo = std::stoull(hex.substr(16), nullptr, 16);
  } catch (...) {
    return false;
  }
  return true;
}

std::string format_uuid(uint64_t hi, uint64_t lo) {
  // 8-4-4-4-12 lower-case hex digits (by hand: snprintf cost a tenth of a query's time at 500 candidates).
  static const char digits[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) out[pos++] = digits[(v >> (4 * i)) & 0xF];
  };
  put(hi >> 32, 8);
  ++pos;
  put(hi >> 16, 4);
  ++pos;
  put(hi, 4);
  ++pos;
  put(lo >> 48, 4);
  ++pos;
  put(lo, 12);
  return out;
}

}  // namespace

uint16_t recall_index::name_id(const std::string& name) {
  if (name.empty()) return 0;
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) return it->second;
  if (names_.size() >= UINT16_MAX) return 0;  // more distinct names than fit: further ones rank as "none"
  auto id = static_cast<uint16_t>(names_.size());
  names_.push_back(name);
  name_ids_.emplace(name, id);
  return id;
}

recall_doc recall_index::expand(int64_t doc, const compact_doc& d) const {
  recall_doc out;
  auto odd = odd_ids_.find(doc);
  out.episode_id = odd != odd_ids_.end() ? odd->second : format_uuid(d.episode.hi, d.episode.lo);
  auto& m = out.meta;
  m.domain = names_[d.domain];
  m.task_type = names_[d.task_type];
  m.language = names_[d.language];
  m.framework = names_[d.framework];
  m.outcome_type = names_[d.outcome];
  m.reward_total = d.reward;
  m.end_time_us = d.end_time_us;
  for (uint32_t i = 0; i < d.tags_count; ++i) m.tags.push_back(names_[tags_[d.tags_begin + i]]);
  return out;
}

bool recall_index::refresh(statement_cache& statements, size_t max_docs) {
  auto& q = statements.get(documents_sql);
  q.bind(1, static_cast<int64_t>(last_doc_));
  q.bind(2, static_cast<int64_t>(max_docs));
  size_t read = 0;
  while (q.executeStep()) {
    ++read;
    int64_t doc = q.getColumn(0).getInt64();
    last_doc_ = doc;
    compact_doc cd;
    auto episode_id = q.getColumn(1).getString();
    if (!parse_uuid(episode_id, cd.episode.hi, cd.episode.lo)) continue;  // every stored id is a UUID
    if (format_uuid(cd.episode.hi, cd.episode.lo) != episode_id) odd_ids_[doc] = episode_id;  // e.g. upper case
    std::string domain = q.getColumn(5).getString(), task_type = q.getColumn(6).getString();
    std::string language = q.getColumn(7).getString(), framework = q.getColumn(8).getString();
    cd.domain = name_id(domain);
    cd.task_type = name_id(task_type);
    cd.language = name_id(language);
    cd.framework = name_id(framework);
    cd.outcome = name_id(q.getColumn(11).getString());
    cd.reward = static_cast<float>(q.getColumn(12).getDouble());
    cd.end_time_us = q.getColumn(13).getInt64();
    cd.tags_begin = static_cast<uint32_t>(tags_.size());
    std::string tag_text;
    auto context_tags = nlohmann::json::parse(q.getColumn(9).getString(), nullptr, false);
    if (context_tags.is_array())
      for (auto& t : context_tags)
        if (t.is_string()) {
          tags_.push_back(name_id(t.get<std::string>()));
          tag_text += " " + t.get<std::string>();
        }
    auto episode_tags = q.getColumn(10).getString();
    for (auto& t : tokenize_text(episode_tags, 100)) tags_.push_back(name_id(t));
    cd.tags_count = static_cast<uint32_t>(tags_.size()) - cd.tags_begin;
    for (auto& c : task_type)
      if (c == '_') c = ' ';
    uint32_t entry;
    if (!free_.empty()) {
      entry = free_.back();
      free_.pop_back();
    } else {
      entry = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
    }
    auto [previous, fresh] = entry_of_episode_.emplace(cd.episode, entry);
    if (!fresh) {
      forget_entry(previous->second);  // the episode's older document
      previous->second = entry;
    }
    entries_[entry] = {doc, cd};
    text_.put(entry, {q.getColumn(2).getString(), q.getColumn(3).getString(), q.getColumn(4).getString(),
                      domain + " " + task_type + " " + language + " " + framework + tag_text + " " + episode_tags});
  }
  q.reset();
  bool caught_up = read < max_docs;
  if (caught_up && !ready_) {
    ready_ = true;
    text_.shrink();  // the initial build is done: give back the slack of the growing posting lists
  }
  return caught_up;
}

void recall_index::sweep(SQLite::Database& db) {
  std::vector<int64_t> live;  // sorted (8 bytes a document; a std::set would take 40)
  SQLite::Statement q(db, "SELECT doc_id FROM episode_docs WHERE doc_id <= ? ORDER BY doc_id");
  q.bind(1, static_cast<int64_t>(last_doc_));
  while (q.executeStep()) live.push_back(q.getColumn(0).getInt64());
  std::vector<uint32_t> gone;
  for (uint32_t e = 0; e < entries_.size(); ++e)
    if (entries_[e].doc >= 0 && !std::binary_search(live.begin(), live.end(), entries_[e].doc)) gone.push_back(e);
  for (auto e : gone) {
    auto it = entry_of_episode_.find(entries_[e].d.episode);
    if (it != entry_of_episode_.end() && it->second == e) entry_of_episode_.erase(it);
    forget_entry(e);
  }
}

void recall_index::forget_entry(uint32_t e) {
  text_.remove(e);
  odd_ids_.erase(entries_[e].doc);
  entries_[e].doc = -1;
  free_.push_back(e);
}

std::vector<recall_hit> recall_index::search(const std::vector<std::string>& words, size_t k) const {
  std::vector<recall_hit> out;
  auto hits = text_.search(words, k);
  out.reserve(hits.size());
  for (auto& h : hits) {
    auto& e = entries_[static_cast<size_t>(h.doc)];
    if (e.doc >= 0) out.push_back(recall_hit{e.doc, h.score, expand(e.doc, e.d)});
  }
  return out;
}

size_t recall_index::memory_bytes() const {
  return text_.memory_bytes() + entries_.capacity() * sizeof(doc_entry) + entry_of_episode_.size() * 48 +
         tags_.capacity() * sizeof(uint16_t) + names_.size() * 64;
}

}  // namespace memory_mcp
