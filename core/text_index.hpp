// An in-memory inverted index with BM25F scoring over a few weighted fields, for query_memory and pattern
// recall: every query scores only the postings of its own terms, in tight loops over flat arrays, so a query
// over 100,000 episodes takes about a millisecond (SQLite FTS5 scores every match through an auxiliary
// function: tens of milliseconds when the words are common). Pure: no I/O, no clock; not thread-safe (one
// owner, the pattern learner).
//
// Documents are identified by the caller's 64-bit ids. Replacing a document retires its old postings; retired
// postings are skipped when scoring and dropped by compaction once a quarter of the slots are retired (until
// then they still count in the document frequencies, so IDFs are off by at most that share).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace memory_mcp {

inline constexpr size_t text_fields = 4;

struct text_index_params {
  std::array<double, text_fields> weights = {3.0, 1.0, 1.0, 0.5};  // per field (BM25F)
  double k1 = 1.2;
  double b = 0.75;
  size_t max_tokens_per_field = 400;  // longer fields are indexed by their first tokens
  size_t max_prefix_terms = 64;       // a query word expands to at most this many index terms (most frequent)
};

struct text_hit {
  int64_t doc = 0;
  double score = 0;  // BM25F, > 0
};

class text_index {
 public:
  explicit text_index(text_index_params params = {});

  // Adds or replaces a document. Fields are free text; they are tokenized like search_terms (core/ranking.hpp).
  void put(int64_t doc, const std::array<std::string, text_fields>& fields);
  // Removes a document (no-op when absent).
  void remove(int64_t doc);
  bool contains(int64_t doc) const { return slot_of_.count(doc) > 0; }
  size_t size() const { return slot_of_.size(); }

  // The best `k` documents for the query words, best first, by BM25F (FTS5's variant: IDF
  // max(1e-6, ln((N - df + 0.5) / (df + 0.5))), unweighted document length). Each word is one phrase matching
  // every index term it is a prefix of after search_prefix (core/ranking.hpp) stripped its inflection; words
  // with the same prefix count once; stop words are ignored unless nothing else is left. Empty when no
  // document matches.
  std::vector<text_hit> search(const std::vector<std::string>& words, size_t k) const;

  // Releases spare capacity of the posting lists (after a bulk load).
  void shrink();

  // Approximate heap use of the postings and terms, in bytes.
  size_t memory_bytes() const;

 private:
  struct posting {
    uint32_t slot;
    float tf;  // the term's frequency in the document, weighted per field (BM25F): sum of weight * count
  };
  struct term_entry {
    std::vector<posting> postings;  // by slot; retired slots stay until compaction (their share counts in df)
  };

  void compact();
  std::vector<uint32_t> expand(const std::string& word) const;

  text_index_params params_;
  std::map<std::string, uint32_t> term_ids_;  // sorted: prefix ranges
  std::vector<term_entry> terms_;
  std::vector<int64_t> doc_of_slot_;                        // -1 when retired
  std::vector<uint32_t> lengths_;  // tokens per slot (all fields)
  std::unordered_map<int64_t, uint32_t> slot_of_;
  double total_length_ = 0;        // over live slots
  size_t retired_ = 0;
  // Scratch of search(), kept between calls (all zero between calls): one allocation, not one per query.
  mutable std::vector<float> score_, word_tf_;
};

}  // namespace memory_mcp
