#include "core/text_index.hpp"

#include <algorithm>
#include <cmath>

#include "core/ranking.hpp"

namespace memory_mcp {

text_index::text_index(text_index_params params) : params_(params) {}

void text_index::put(int64_t doc, const std::array<std::string, text_fields>& fields) {
  remove(doc);
  auto slot = static_cast<uint32_t>(doc_of_slot_.size());
  doc_of_slot_.push_back(doc);
  slot_of_[doc] = slot;
  uint32_t length = 0;
  std::unordered_map<uint32_t, float> tf;
  for (size_t f = 0; f < text_fields; ++f) {
    auto tokens = tokenize_text(fields[f], params_.max_tokens_per_field);
    length += static_cast<uint32_t>(tokens.size());
    for (auto& t : tokens) {
      auto [it, fresh] = term_ids_.emplace(t, static_cast<uint32_t>(terms_.size()));
      if (fresh) terms_.emplace_back();
      tf[it->second] += static_cast<float>(params_.weights[f]);
    }
  }
  lengths_.push_back(length);
  total_length_ += length;
  for (auto& [term, weighted] : tf) terms_[term].postings.push_back(posting{slot, weighted});
}

void text_index::remove(int64_t doc) {
  auto it = slot_of_.find(doc);
  if (it == slot_of_.end()) return;
  auto slot = it->second;
  total_length_ -= lengths_[slot];
  doc_of_slot_[slot] = -1;
  slot_of_.erase(it);
  ++retired_;
  if (retired_ * 4 > doc_of_slot_.size() && doc_of_slot_.size() > 64) compact();
}

void text_index::compact() {
  std::vector<uint32_t> new_slot(doc_of_slot_.size(), UINT32_MAX);
  std::vector<int64_t> docs;
  std::vector<uint32_t> lengths;
  for (uint32_t s = 0; s < doc_of_slot_.size(); ++s) {
    if (doc_of_slot_[s] < 0) continue;
    new_slot[s] = static_cast<uint32_t>(docs.size());
    docs.push_back(doc_of_slot_[s]);
    lengths.push_back(lengths_[s]);
  }
  for (auto& t : terms_) {
    std::vector<posting> kept;
    kept.reserve(t.postings.size());
    for (auto& p : t.postings)
      if (new_slot[p.slot] != UINT32_MAX) kept.push_back(posting{new_slot[p.slot], p.tf});
    kept.shrink_to_fit();
    t.postings = std::move(kept);
  }
  doc_of_slot_ = std::move(docs);
  lengths_ = std::move(lengths);
  slot_of_.clear();
  for (uint32_t s = 0; s < doc_of_slot_.size(); ++s) slot_of_[doc_of_slot_[s]] = s;
  retired_ = 0;
}

std::vector<uint32_t> text_index::expand(const std::string& word) const {
  auto prefix = search_prefix(word);
  std::vector<uint32_t> out;
  for (auto it = term_ids_.lower_bound(prefix); it != term_ids_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it)
    out.push_back(it->second);
  if (out.size() > params_.max_prefix_terms) {
    // A very short prefix: keep the terms in most documents.
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(params_.max_prefix_terms), out.end(),
                      [&](uint32_t a, uint32_t b) { return terms_[a].postings.size() > terms_[b].postings.size(); });
    out.resize(params_.max_prefix_terms);
  }
  return out;
}

std::vector<text_hit> text_index::search(const std::vector<std::string>& words, size_t k) const {
  std::vector<text_hit> out;
  auto live = static_cast<double>(slot_of_.size());
  if (live == 0 || k == 0) return out;
  bool only_stop_words = std::all_of(words.begin(), words.end(), is_stop_word);
  double avg_length = std::max(1.0, total_length_ / live);
  if (score_.size() < doc_of_slot_.size()) {
    score_.resize(doc_of_slot_.size(), 0.0f);
    word_tf_.resize(doc_of_slot_.size(), 0.0f);
  }
  auto& score = score_;
  auto& word_tf = word_tf_;
  std::vector<uint32_t> touched, word_touched;
  // Each query word is one phrase, as in FTS5: its frequency in a document is the weighted count of every
  // index term it is a prefix of, and its document frequency the number of documents with any of them. A word
  // in more than half the documents scores next to nothing (IDF 1e-6) but costs the most to score: it is left
  // out, unless every word is such a word.
  struct word_terms {
    std::string prefix;
    std::vector<uint32_t> terms;
    bool common = false;
  };
  std::vector<word_terms> plan;
  bool all_common = true;
  for (auto& w : words) {
    if (!only_stop_words && is_stop_word(w)) continue;
    auto prefix = search_prefix(w);
    if (std::any_of(plan.begin(), plan.end(), [&](auto& p) { return p.prefix == prefix; })) continue;
    word_terms wt{prefix, expand(w), false};
    for (auto t : wt.terms) wt.common = wt.common || static_cast<double>(terms_[t].postings.size()) > live / 2;
    all_common = all_common && wt.common;
    plan.push_back(std::move(wt));
  }
  for (auto& wt : plan) {
    if (wt.common && !all_common) continue;
    word_touched.clear();
    for (auto term : wt.terms)
      for (auto& p : terms_[term].postings) {
        if (retired_ > 0 && doc_of_slot_[p.slot] < 0) continue;
        if (word_tf[p.slot] == 0) word_touched.push_back(p.slot);
        word_tf[p.slot] += p.tf;
      }
    double df = static_cast<double>(word_touched.size());
    // As SQLite FTS5's bm25: a word in more than half the documents says next to nothing.
    double idf = std::max(1e-6, std::log((live - df + 0.5) / (df + 0.5)));
    for (auto slot : word_touched) {
      double tf = word_tf[slot];
      word_tf[slot] = 0;
      double length = lengths_[slot];
      double norm = params_.k1 * (1 - params_.b + params_.b * length / avg_length);
      if (score[slot] == 0) touched.push_back(slot);
      score[slot] += static_cast<float>(idf * tf * (params_.k1 + 1) / (tf + norm));
    }
  }
  out.reserve(touched.size());
  for (auto s : touched) {
    out.push_back(text_hit{doc_of_slot_[s], score[s]});
    score[s] = 0;  // leave the scratch zeroed
  }
  auto better = [](const text_hit& a, const text_hit& b) { return a.score != b.score ? a.score > b.score : a.doc > b.doc; };
  if (out.size() > k) {
    std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), out.end(), better);
    out.resize(k);
  }
  std::sort(out.begin(), out.end(), better);
  return out;
}

void text_index::shrink() {
  for (auto& t : terms_) t.postings.shrink_to_fit();
  doc_of_slot_.shrink_to_fit();
  lengths_.shrink_to_fit();
}

size_t text_index::memory_bytes() const {
  size_t bytes = 0;
  for (auto& t : terms_) bytes += t.postings.capacity() * sizeof(posting) + sizeof(term_entry);
  for (auto& [term, id] : term_ids_) bytes += term.capacity() + 48;
  bytes += doc_of_slot_.capacity() * sizeof(int64_t) + lengths_.capacity() * sizeof(lengths_[0]);
  bytes += slot_of_.size() * 32;
  return bytes;
}

}  // namespace memory_mcp
