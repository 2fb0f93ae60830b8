// The pattern learner's in-memory recall index: the completed episodes' text (description; steps' tools, actions
// and the start of their results; outcome texts; context) in a core/text_index, plus what ranking needs of each
// (context, outcome, reward, end time), so query_memory and pattern recall score candidates without touching
// SQLite. Owned by the pattern learner; not thread-safe.
//
// Kept in step with the database by refresh(): every change to a completed episode's searchable text gives it a
// new document id in episode_docs (ids only grow), so new ids are all there is to read. Documents whose id left
// episode_docs (replaced or deleted) are pruned when a search meets them, and by a periodic sweep.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/sqlite_db.hpp"
#include "core/ranking.hpp"
#include "core/text_index.hpp"

namespace memory_mcp {

// What a search returns of a document: its episode and what ranking needs of it.
struct recall_doc {
  std::string episode_id;
  ranking_candidate meta;  // bm25 unset; the caller fills it per query
};

struct recall_hit {
  int64_t doc = 0;
  double text = 0;  // BM25F score, > 0
  recall_doc info;
};

class recall_index {
 public:
  // Reads at most `max_docs` documents newer than the last one read, through a cached statement of the
  // connection. Returns true when the index holds every document of the database. Throws SQLite::Exception.
  bool refresh(statement_cache& statements, size_t max_docs);
  // True once refresh() has caught up at least once: searches are complete from then on (at most one refresh
  // behind).
  bool ready() const { return ready_; }

  // The best `k` documents for the query words, best first (one per episode: a newer document of an episode
  // replaces the older at once).
  std::vector<recall_hit> search(const std::vector<std::string>& words, size_t k) const;
  // Forgets every document no longer in the database (deleted episodes never met by a search). A full pass over
  // the document ids: for idle time, not for the query path.
  void sweep(SQLite::Database& db);

  size_t size() const { return text_.size(); }
  size_t memory_bytes() const;

 private:
  // Per document, compactly (about 40 bytes): strings that repeat across episodes (domain, task type, language,
  // framework, outcome type, tags) are numbers into `names_`, the episode id is its 16 bytes.
  struct uuid128 {
    uint64_t hi = 0, lo = 0;
    bool operator==(const uuid128& o) const { return hi == o.hi && lo == o.lo; }
  };
  struct uuid_hash {
    size_t operator()(const uuid128& u) const { return std::hash<uint64_t>()(u.hi ^ (u.lo * 0x9E3779B97F4A7C15ull)); }
  };
  struct compact_doc {
    uuid128 episode;
    uint16_t domain = 0, task_type = 0, language = 0, framework = 0, outcome = 0;
    float reward = 0;
    int64_t end_time_us = 0;
    uint32_t tags_begin = 0, tags_count = 0;  // in tags_
  };

  uint16_t name_id(const std::string& name);
  recall_doc expand(int64_t doc, const compact_doc& d) const;
  void forget_entry(uint32_t entry);  // frees the entry; the caller updates entry_of_episode_

  text_index text_;
  // The documents by entry number, the id they have in text_ (dense, so a search finds a hit's data by
  // indexing, not hashing); numbers of forgotten documents are reused.
  struct doc_entry {
    int64_t doc = -1;  // -1: free
    compact_doc d;
  };
  std::vector<doc_entry> entries_;
  std::vector<uint32_t> free_;
  std::unordered_map<uuid128, uint32_t, uuid_hash> entry_of_episode_;  // the current document of each episode
  std::vector<std::string> names_{""};                              // id 0: none
  std::unordered_map<std::string, uint16_t> name_ids_;
  std::vector<uint16_t> tags_;  // tag name ids of every document, back to back (space of forgotten documents is
                                // not reused; it is a few bytes each)
  std::unordered_map<int64_t, std::string> odd_ids_;  // episode ids not in canonical lower-case form, by doc
  int64_t last_doc_ = 0;
  bool ready_ = false;
};

}  // namespace memory_mcp
