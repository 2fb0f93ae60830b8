#include "core/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace memory_mcp {

namespace {

double outcome_value(const std::string& type) {
  if (type == "success") return 1.0;
  if (type == "partial_success") return 0.6;
  if (type == "abstained") return 0.3;
  return 0.1;
}

bool same(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

std::vector<ranking_score> score_candidates(const ranking_query& q, const std::vector<ranking_candidate>& cands,
                                            int64_t now_us, const ranking_weights& w) {
  std::optional<double> best;
  for (auto& c : cands)
    if (c.bm25 && (!best || *c.bm25 < *best)) best = c.bm25;
  std::vector<ranking_score> out;
  out.reserve(cands.size());
  for (auto& c : cands) {
    ranking_score s;
    if (c.bm25 && best && *best < 0) s.text = std::clamp(*c.bm25 / *best, 0.0, 1.0);
    else if (c.bm25) s.text = 1.0;
    double ctx = 0;
    if (!q.domain.empty() && same(q.domain, c.domain)) ctx += 0.35;
    if (!q.task_type.empty() && q.task_type == c.task_type) ctx += 0.25;
    if (!q.language.empty() && same(q.language, c.language)) ctx += 0.2;
    if (!q.framework.empty() && same(q.framework, c.framework)) ctx += 0.1;
    if (!q.tags.empty()) {
      std::set<std::string> have(c.tags.begin(), c.tags.end());
      size_t hits = 0;
      for (auto& t : q.tags) hits += have.count(t);
      ctx += 0.1 * static_cast<double>(hits) / static_cast<double>(q.tags.size());
    }
    s.context = ctx;
    s.outcome = 0.5 * outcome_value(c.outcome_type) + 0.5 * std::clamp(c.reward_total / 2.0, 0.0, 1.0);
    double age_days = std::max<double>(0, static_cast<double>(now_us - c.end_time_us) / 86400e6);
    s.recency = std::pow(2.0, -age_days / w.recency_half_life_days);
    s.total = w.text * s.text + w.context * s.context + w.outcome * s.outcome + w.recency * s.recency;
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> tokenize_text(const std::string& text, size_t max_tokens) {
  std::vector<std::string> tokens;
  std::string cur;
  for (unsigned char c : text) {
    if (tokens.size() >= max_tokens) break;
    bool word = std::isalnum(c) || c >= 0x80;
    if (word) {
      if (cur.size() < 64) cur += static_cast<char>(std::tolower(c));
    } else if (!cur.empty()) {
      tokens.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty() && tokens.size() < max_tokens) tokens.push_back(std::move(cur));
  return tokens;
}

std::vector<std::string> search_terms(const std::string& text, size_t max_terms) {
  std::vector<std::string> terms;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty() && terms.size() < max_terms && std::find(terms.begin(), terms.end(), cur) == terms.end())
      terms.push_back(cur.substr(0, 64));
    cur.clear();
  };
  for (unsigned char c : text) {
    bool word = std::isalnum(c) || c >= 0x80;  // bytes of multi-byte UTF-8 characters belong to words
    if (word) cur += static_cast<char>(std::tolower(c));
    else flush();
  }
  flush();
  return terms;
}

std::string search_prefix(const std::string& term) {
  auto ends = [&](const std::string& suffix, size_t min_stem) {
    return term.size() >= suffix.size() + min_stem && term.compare(term.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (term.size() < 5) return term;
  if (ends("ies", 3)) return term.substr(0, term.size() - 3);  // retries -> retr (retry, retried)
  if (ends("ing", 4)) return term.substr(0, term.size() - 3);  // retrying -> retry; during stays
  if (ends("ed", 4)) return term.substr(0, term.size() - 2);   // patched -> patch; speed stays
  if (ends("es", 3)) return term.substr(0, term.size() - 2);   // classes -> class, fixes -> fix
  if (ends("s", 4) && !ends("ss", 0)) return term.substr(0, term.size() - 1);  // tests -> test
  return term;
}

bool is_stop_word(const std::string& term) {
  static const std::set<std::string> words = {
      "a",    "an",   "and",   "are",  "as",   "at",   "be",    "but",  "by",   "can",  "do",   "for",
      "from", "has",  "have",  "how",  "i",    "if",   "in",    "into", "is",   "it",   "its",  "my",
      "no",   "not",  "of",    "on",   "or",   "our",  "so",    "that", "the",  "their", "then", "there",
      "these", "this", "to",   "was",  "we",   "were", "what",  "when", "where", "which", "while", "who",
      "why",  "will", "with",  "you",  "your"};
  return words.count(term) > 0;
}

}  // namespace memory_mcp
