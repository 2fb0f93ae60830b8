#include "adapters/pattern_search.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "adapters/pattern_repo.hpp"
#include "core/evidence.hpp"
#include "core/ranking.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

constexpr int64_t max_text_candidates = 300;
constexpr int64_t max_context_candidates = 200;

struct candidate_row {
  json pattern;
  pattern_candidate cand;
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
  std::string expr;
  for (auto& t : search_terms(text))
    for (auto& p : search_prefixes(t)) expr += (expr.empty() ? "" : " OR ") + ("\"" + p + "\"*");
  return expr;
}

feedback_totals pattern_feedback_totals(SQLite::Database& db, const std::string& pattern_id,
                                        const learning_settings& settings, int64_t now_us) {
  feedback_totals t;
  SQLite::Statement q(db, "SELECT applied, helped, at_us FROM pattern_feedback WHERE pattern_id = ?");
  q.bind(1, pattern_id);
  while (q.executeStep()) {
    ++t.sessions;
    if (!q.getColumn(0).getInt()) continue;
    double age_days = static_cast<double>(now_us - q.getColumn(2).getInt64()) / 86400e6;
    double w = decay_weight(age_days, settings.feedback_half_life_days);
    t.applied += w;
    t.helped += w * q.getColumn(1).getDouble();
  }
  return t;
}

std::vector<ranked_pattern> find_patterns(SQLite::Database& db, const pattern_request& request,
                                          const learning_settings& settings, int64_t now_us, size_t* candidates_seen) {
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
    if (request.domain_only) q.bind(":domain", request.context.domain);
    if (request.min_success_rate > 0) q.bind(":min_rate", request.min_success_rate);
    if (request.min_occurrences > 0) q.bind(":min_occ", request.min_occurrences);
  };

  std::map<std::string, candidate_row> rows;  // by pattern_id
  auto collect = [&](SQLite::Statement& q, bool with_rank) {
    while (q.executeStep()) {
      auto id = q.getColumn(0).getString();
      auto& r = rows[id];
      if (r.pattern.is_null()) {
        r.pattern = pattern_from_row(q);
        r.cand.domain = r.pattern["domain"].get<std::string>();
        r.cand.context_features = string_list(r.pattern.value("context_features", json::array()));
        r.cand.confidence = r.pattern["confidence"].get<double>();
        r.cand.last_seen_us = q.getColumn(12).getInt64();
      }
      if (with_rank) r.cand.bm25 = q.getColumn(13).getDouble();
    }
  };

  auto match = fts_match_expression(request.text);
  if (!match.empty()) {
    SQLite::Statement q(db, std::string("SELECT ") + pattern_columns +
                                ", bm25(patterns_fts) AS rank FROM patterns_fts JOIN patterns p ON p.doc_id = "
                                "patterns_fts.rowid WHERE patterns_fts MATCH :match" + filters +
                                " ORDER BY rank LIMIT :limit");
    q.bind(":match", match);
    q.bind(":limit", max_text_candidates);
    bind_filters(q);
    collect(q, true);
  }
  if (!request.context.domain.empty()) {
    SQLite::Statement q(db, std::string("SELECT ") + pattern_columns + " FROM patterns p WHERE p.domain = :cdomain" +
                                filters + " ORDER BY p.confidence DESC LIMIT :limit");
    q.bind(":cdomain", request.context.domain);
    q.bind(":limit", max_context_candidates);
    bind_filters(q);
    collect(q, false);
  }
  if (rows.empty() && !request.domain_only) {
    SQLite::Statement q(db, std::string("SELECT ") + pattern_columns + " FROM patterns p WHERE 1" + filters +
                                " ORDER BY p.confidence DESC LIMIT :limit");
    q.bind(":limit", max_context_candidates);
    bind_filters(q);
    collect(q, false);
  }

  bool any_feedback = db.execAndGet("SELECT EXISTS (SELECT 1 FROM pattern_feedback)").getInt() != 0;
  std::vector<candidate_row*> order;
  std::vector<pattern_candidate> cands;
  std::vector<feedback_totals> feedback;
  for (auto& [id, r] : rows) {
    feedback_totals f;
    if (any_feedback) f = pattern_feedback_totals(db, id, settings, now_us);
    r.cand.effectiveness = feedback_effectiveness(f.helped, f.applied);
    order.push_back(&r);
    cands.push_back(r.cand);
    feedback.push_back(f);
  }
  auto q = request.context;
  q.has_text = !match.empty();
  auto scores = score_patterns(q, cands, now_us);
  std::vector<size_t> idx(order.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    if (scores[a].total != scores[b].total) return scores[a].total > scores[b].total;
    return order[a]->pattern["pattern_id"] < order[b]->pattern["pattern_id"];  // deterministic ties
  });
  if (candidates_seen) *candidates_seen = idx.size();
  std::vector<ranked_pattern> out;
  for (size_t k = 0; k < idx.size() && out.size() < request.limit; ++k) {
    auto i = idx[k];
    ranked_pattern rp{order[i]->pattern, scores[i], feedback[i]};
    rp.pattern["effectiveness"] = {{"score", scores[i].effectiveness},
                                   {"times_applied_weighted", feedback[i].applied},
                                   {"times_helped_weighted", feedback[i].helped},
                                   {"feedback_sessions", feedback[i].sessions}};
    out.push_back(std::move(rp));
  }
  return out;
}

}  // namespace memory_mcp
