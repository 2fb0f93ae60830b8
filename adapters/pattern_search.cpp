#include "adapters/pattern_search.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "adapters/pattern_repo.hpp"
#include "adapters/recall_index.hpp"
#include "core/evidence.hpp"
#include "core/ranking.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

constexpr int64_t max_text_candidates = 300;
constexpr int64_t max_context_candidates = 100;
constexpr int64_t max_support_episodes = 20;

struct candidate_row {
  pattern_row row;  // made JSON only for the patterns returned
  pattern_candidate cand;
  std::vector<std::string> tools;
  bool loaded = false;
};

std::vector<std::string> string_list(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

std::string fts_match_expression(const std::string& text) {
  auto terms = search_terms(text);
  bool only_stop_words = std::all_of(terms.begin(), terms.end(), is_stop_word);
  std::string expr;
  for (auto& t : terms)
    if (only_stop_words || !is_stop_word(t)) expr += (expr.empty() ? "" : " OR ") + ("\"" + search_prefix(t) + "\"*");
  return expr;
}

feedback_totals pattern_feedback_totals(command_context& ctx, const std::string& pattern_id, int64_t now_us) {
  feedback_totals t;
  auto& settings = ctx.learning;
  auto& q = ctx.prepared("SELECT applied, helped, at_us FROM pattern_feedback WHERE pattern_id = ?");
  q.bind(1, pattern_id);
  while (q.executeStep()) {
    ++t.sessions;
    if (!q.getColumn(0).getInt()) continue;
    ++t.applied_count;
    double age_days = static_cast<double>(now_us - q.getColumn(2).getInt64()) / 86400e6;
    double w = decay_weight(age_days, settings.feedback_half_life_days);
    t.applied += w;
    t.helped += w * q.getColumn(1).getDouble();
  }
  return t;
}

std::vector<ranked_pattern> find_patterns(command_context& ctx, const pattern_request& request, int64_t now_us,
                                          size_t* candidates_seen) {
  std::string filters;
  if (request.domain_only) filters += " AND p.domain = :domain";
  if (!request.kinds.empty()) {
    // Only names of real kinds reach the SQL text (they are fixed identifiers, never caller text).
    std::string list;
    for (auto& k : request.kinds) {
      pattern_kind parsed;
      if (parse_pattern_kind(k, parsed)) list += (list.empty() ? "'" : ", '") + std::string(to_string(parsed)) + "'";
    }
    filters += " AND p.kind IN (" + (list.empty() ? std::string("''") : list) + ")";
  }
  if (request.min_success_rate > 0) filters += " AND p.success_sum >= :min_rate * p.occurrences";
  if (request.min_occurrences > 0) filters += " AND p.occurrences >= :min_occ";
  auto bind_filters = [&](SQLite::Statement& q) {
    if (request.domain_only) q.bind(":domain", pattern_domain(request.context.domain));
    if (request.min_success_rate > 0) q.bind(":min_rate", request.min_success_rate);
    if (request.min_occurrences > 0) q.bind(":min_occ", request.min_occurrences);
  };

  std::map<std::string, candidate_row> rows;  // by pattern_id
  // Adds the pattern of the current row (once); returns its id.
  auto add_row = [&](SQLite::Statement& q) -> std::string {
    auto id = q.getColumn(0).getString();
    auto& r = rows[id];
    if (!r.loaded) {
      r.loaded = true;
      r.row = read_pattern_row(q);
      r.tools = string_list(r.row.body.value("tools", json::array()));
      r.cand.domain = r.row.domain;
      r.cand.kind = r.row.kind;
      r.cand.tool_count = r.tools.size();
      r.cand.context_features = string_list(r.row.body.value("context_features", json::array()));
      r.cand.confidence = r.row.confidence;
      r.cand.last_seen_us = r.row.last_seen_us;
    }
    return id;
  };
  auto collect = [&](SQLite::Statement& q, bool with_rank) {
    while (q.executeStep()) {
      auto id = add_row(q);
      if (with_rank) rows[id].cand.bm25 = q.getColumn(13).getDouble();
    }
  };

  auto match = fts_match_expression(request.text);
  // Patterns found through the episodes they come from: the completed episodes that match the text best lend
  // their score to the patterns they are evidence for (docs/LEARNING.md, pattern ranking).
  std::map<std::string, double> support;
  if (!match.empty()) {
    // (episode, bm25-like score: lower is better)
    std::vector<std::pair<std::string, double>> episodes;
    if (request.matching_episodes) {
      for (auto& [id, score] : *request.matching_episodes) {
        if (episodes.size() >= static_cast<size_t>(max_support_episodes)) break;
        episodes.push_back({id, -score});
      }
    } else if (request.recall && request.recall->ready()) {
      for (auto& h : request.recall->search(search_terms(request.text), static_cast<size_t>(max_support_episodes)))
        episodes.push_back({h.info.episode_id, -h.text});
    } else {
      auto& eps = ctx.prepared(
                            "SELECT d.episode_id, bm25(episodes_fts, 3.0, 1.0, 1.0, 0.5) AS rank FROM episodes_fts "
                            "JOIN episode_docs d ON d.doc_id = episodes_fts.rowid WHERE episodes_fts MATCH ? "
                            "ORDER BY rank LIMIT ?");
      eps.bind(1, match);
      eps.bind(2, max_support_episodes);
      while (eps.executeStep()) episodes.push_back({eps.getColumn(0).getString(), eps.getColumn(1).getDouble()});
    }
    double best = 0;
    for (auto& e : episodes) best = std::min(best, e.second);
    auto& ev = ctx.prepared(std::string("SELECT ") + pattern_columns +
                                 " FROM pattern_evidence pe JOIN patterns p ON p.pattern_id = pe.pattern_id "
                                 "WHERE pe.episode_id = :episode" + filters);
    for (auto& [episode_id, rank] : episodes) {
      double weight = best < 0 ? rank / best : 1.0;  // 1 for the best-matching episode
      ev.bind(":episode", episode_id);
      bind_filters(ev);
      while (ev.executeStep()) support[add_row(ev)] += weight;  // each supported pattern is a candidate
      ev.reset();
      ev.clearBindings();
    }
  }
  if (!match.empty() && request.match_pattern_text) {
    auto& q = ctx.prepared(std::string("SELECT ") + pattern_columns +
                                ", bm25(patterns_fts) AS rank FROM patterns_fts JOIN patterns p ON p.doc_id = "
                                "patterns_fts.rowid WHERE patterns_fts MATCH :match" + filters +
                                " ORDER BY rank LIMIT :limit");
    q.bind(":match", match);
    q.bind(":limit", max_text_candidates);
    bind_filters(q);
    collect(q, true);
  }
  if (!request.context.domain.empty()) {
    auto& q = ctx.prepared(std::string("SELECT ") + pattern_columns + " FROM patterns p WHERE p.domain = :cdomain" +
                                filters + " ORDER BY p.confidence DESC LIMIT :limit");
    q.bind(":cdomain", pattern_domain(request.context.domain));
    q.bind(":limit", max_context_candidates);
    bind_filters(q);
    collect(q, false);
  }
  if (rows.empty() && !request.domain_only) {
    auto& q = ctx.prepared(std::string("SELECT ") + pattern_columns + " FROM patterns p WHERE 1" + filters +
                                " ORDER BY p.confidence DESC LIMIT :limit");
    q.bind(":limit", max_context_candidates);
    bind_filters(q);
    collect(q, false);
  }

  // Support per pattern: how well its evidence matches the text, on average over all its evidence (a pattern that
  // many unrelated episodes show says little about this task; how much evidence there is, is the confidence
  // term's business). The text score is the better of that and the pattern's own text match.
  double best_support = 0;
  for (auto& [id, r] : rows)
    if (auto it = support.find(id); it != support.end()) {
      it->second /= std::max<double>(1, static_cast<double>(r.row.occurrences));
      best_support = std::max(best_support, it->second);
    }
  auto& exists = ctx.prepared("SELECT EXISTS (SELECT 1 FROM pattern_feedback)");
  bool any_feedback = exists.executeStep() && exists.getColumn(0).getInt() != 0;
  exists.reset();
  std::vector<candidate_row*> order;
  std::vector<pattern_candidate> cands;
  std::vector<feedback_totals> feedback;
  for (auto& [id, r] : rows) {
    feedback_totals f;
    if (any_feedback) f = pattern_feedback_totals(ctx, id, now_us);
    r.cand.effectiveness = feedback_effectiveness(f.helped, f.applied);
    order.push_back(&r);
    cands.push_back(r.cand);
    feedback.push_back(f);
  }
  auto q = request.context;
  q.has_text = !match.empty();
  auto scores = score_patterns(q, cands, now_us);
  if (best_support > 0) {
    pattern_weights w;
    for (size_t i = 0; i < order.size(); ++i) {
      auto it = support.find(order[i]->row.pattern_id);
      if (it == support.end()) continue;
      double from_episodes = request.episode_support_weight * std::min(1.0, it->second);
      if (from_episodes <= scores[i].text) continue;
      double sum = w.text + w.context + w.confidence + w.effectiveness + w.recency + w.specificity;
      scores[i].total += w.text * (from_episodes - scores[i].text) / sum;
      scores[i].text = from_episodes;
    }
  }
  std::vector<size_t> idx(order.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    if (scores[a].total != scores[b].total) return scores[a].total > scores[b].total;
    return order[a]->row.pattern_id < order[b]->row.pattern_id;  // deterministic ties
  });
  {
    std::vector<std::string> kinds, domains;
    std::vector<std::vector<std::string>> tools;
    for (auto* r : order) {
      kinds.push_back(r->cand.kind);
      domains.push_back(r->cand.domain);
      tools.push_back(r->tools);
    }
    idx = demote_covered(idx, kinds, domains, tools, std::max<size_t>(request.limit, 5));
  }
  if (candidates_seen) *candidates_seen = idx.size();
  std::vector<ranked_pattern> out;
  for (size_t k = 0; k < idx.size() && out.size() < request.limit; ++k) {
    auto i = idx[k];
    ranked_pattern rp{pattern_json(order[i]->row), scores[i], feedback[i]};
    rp.pattern["effectiveness"] = {{"score", scores[i].effectiveness},
                                   {"times_applied_weighted", feedback[i].applied},
                                   {"times_helped_weighted", feedback[i].helped},
                                   {"feedback_sessions", feedback[i].sessions}};
    out.push_back(std::move(rp));
  }
  return out;
}

}  // namespace memory_mcp
