// query_memory: finds the completed episodes most relevant to a task. Candidates come from the FTS5 index
// (BM25 over description, step tools/actions/results, outcome and reflection texts; terms OR-ed and matched as
// prefixes, with common inflections stripped, so multi-word and partial queries match) or, without search terms, from the most recent completed
// episodes. core/ranking.hpp blends text relevance with context match, outcome and recency.
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"
#include "adapters/pattern_search.hpp"
#include "adapters/recall_index.hpp"
#include "core/ranking.hpp"
#include "core/tags.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

constexpr int64_t max_candidates = 500;

json string_list(const std::string& text) {
  auto v = json::parse(text, nullptr, false);
  return v.is_array() ? v : json::array();
}

struct query_row {
  std::string episode_id;
  ranking_candidate cand;
};

// Candidates from SQLite: FTS5 matches of `text` by bm25, or without text the most recently completed episodes;
// only episodes of `domain` when it is not empty.
std::vector<query_row> sql_candidates(command_context& ctx, const std::string& text, const std::string& domain) {
  std::string columns =
      "e.episode_id, e.task_type, e.domain, COALESCE(e.language, ''), COALESCE(e.framework, ''), e.context_tags, "
      "COALESCE((SELECT group_concat(g.tag, ' ') FROM episode_tags g WHERE g.episode_id = e.episode_id), ''), "
      "COALESCE(e.outcome_type, ''), COALESCE(e.reward_total, 0), e.end_time_us";
  auto match = fts_match_expression(text);
  std::string sql;
  if (!match.empty())
    sql = "SELECT " + columns + ", bm25(episodes_fts, 3.0, 1.0, 1.0, 0.5) AS rank FROM episodes_fts "
          "JOIN episode_docs d ON d.doc_id = episodes_fts.rowid JOIN episodes e ON e.episode_id = d.episode_id "
          "WHERE episodes_fts MATCH ?" + std::string(domain.empty() ? "" : " AND e.domain = ?") +
          " ORDER BY rank LIMIT ?";
  else
    sql = "SELECT " + columns + ", NULL AS rank FROM episodes e WHERE e.end_time_us IS NOT NULL" +
          std::string(domain.empty() ? "" : " AND e.domain = ?") + " ORDER BY e.end_time_us DESC LIMIT ?";
  auto& q = ctx.prepared(sql);
  int i = 0;
  if (!match.empty()) q.bind(++i, match);
  if (!domain.empty()) q.bind(++i, domain);
  q.bind(++i, max_candidates);
  std::vector<query_row> rows;
  while (q.executeStep()) {
    query_row r;
    auto& c = r.cand;
    r.episode_id = q.getColumn(0).getString();
    c.task_type = q.getColumn(1).getString();
    c.domain = q.getColumn(2).getString();
    c.language = q.getColumn(3).getString();
    c.framework = q.getColumn(4).getString();
    for (auto& t : string_list(q.getColumn(5).getString())) c.tags.push_back(t.get<std::string>());
    for (auto& t : tokenize_text(q.getColumn(6).getString(), 200)) c.tags.push_back(t);
    c.outcome_type = q.getColumn(7).getString();
    c.reward_total = q.getColumn(8).getDouble();
    c.end_time_us = q.getColumn(9).getInt64();
    if (!q.getColumn(10).isNull()) c.bm25 = q.getColumn(10).getDouble();
    rows.push_back(std::move(r));
  }
  return rows;
}

result<json> query_memory(command_context& ctx, const json& args) {
  auto query_text = args["query"].get<std::string>();
  auto terms = search_terms(query_text);
  ranking_query rq;
  rq.domain = args.value("domain", "");
  rq.task_type = args.value("task_type", "");
  rq.language = args.value("language", "");
  rq.framework = args.value("framework", "");
  if (args.contains("tags")) {
    auto tags = read_tags(args["tags"], "arguments.tags");
    if (!tags) return tags.err();
    rq.tags = tags.value();
  }
  bool filter_domain = args.value("filter_by_domain", false);
  if (filter_domain && rq.domain.empty())
    return make_error(error_code::invalid_argument, "arguments.filter_by_domain: needs arguments.domain");
  auto limit = static_cast<size_t>(args.value("limit", int64_t{10}));
  auto sort = args.value("sort", "relevance");
  bool full = args.value("full", false);

  // Candidates: from the pattern learner's in-memory recall index when it is ready (BM25F over description,
  // steps, errors, outcome and context), else from SQLite FTS5 (bm25 over the same texts plus successful output
  // and the reflection); without search terms, the most recently completed episodes. When the index finds fewer
  // than `limit`, FTS5 adds what only its wider text has (cheap then: the words are rare).
  std::vector<query_row> rows;
  bool from_index = !terms.empty() && ctx.recall && ctx.recall->ready();
  if (from_index) {
    for (auto& h : ctx.recall->search(terms, static_cast<size_t>(max_candidates))) {
      if (filter_domain && h.info.meta.domain != rq.domain) continue;
      query_row r{std::move(h.info.episode_id), std::move(h.info.meta)};
      r.cand.bm25 = -h.text;  // ranking wants bm25's sense: lower is better
      rows.push_back(std::move(r));
    }
    if (rows.size() < limit) {
      auto extra = sql_candidates(ctx, query_text, filter_domain ? rq.domain : std::string());
      // FTS5's scores on the index's scale: its best match counts as much as the index's best.
      double index_best = rows.empty() ? -1.0 : *rows.front().cand.bm25;
      double fts_best = -1.0;
      for (auto& r : extra)
        if (r.cand.bm25) fts_best = std::min(fts_best, *r.cand.bm25);
      std::set<std::string> have;
      for (auto& r : rows) have.insert(r.episode_id);
      for (auto& r : extra) {
        if (have.count(r.episode_id) || !r.cand.bm25) continue;
        r.cand.bm25 = *r.cand.bm25 / fts_best * index_best;
        rows.push_back(std::move(r));
      }
    }
  } else {
    rows = sql_candidates(ctx, terms.empty() ? std::string() : query_text, filter_domain ? rq.domain : std::string());
  }

  std::vector<ranking_candidate> cands;
  for (auto& r : rows) cands.push_back(r.cand);
  auto scores = score_candidates(rq, cands, wall_clock_us());
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  auto by = [&](auto key) {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
  };
  if (sort == "newest") by([&](size_t k) { return static_cast<double>(rows[k].cand.end_time_us); });
  else if (sort == "oldest") by([&](size_t k) { return -static_cast<double>(rows[k].cand.end_time_us); });
  else if (sort == "reward") by([&](size_t k) { return rows[k].cand.reward_total; });
  else by([&](size_t k) { return scores[k].total; });

  // Summaries of the best, read from SQLite (an episode deleted since the index saw it is skipped).
  json episodes = json::array();
  size_t successes = 0;
  double reward_sum = 0;
  std::map<std::string, int> tools;
  auto& summary_q = ctx.prepared(
                              "SELECT task_description, step_count, start_time_us, "
                              "COALESCE((SELECT json_group_array(tag) FROM (SELECT tag FROM episode_tags g WHERE "
                              "g.episode_id = e.episode_id ORDER BY tag)), '[]') FROM episodes e "
                              "WHERE episode_id = ? AND end_time_us IS NOT NULL");
  auto& tool_q = ctx.prepared("SELECT tool FROM steps WHERE episode_id = ? ORDER BY step_number");
  for (auto k : order) {
    if (episodes.size() >= limit) break;
    auto& r = rows[k];
    auto& c = r.cand;
    auto& s = scores[k];
    summary_q.bind(1, r.episode_id);
    if (!summary_q.executeStep()) {
      summary_q.reset();
      continue;
    }
    json item = {{"episode_id", r.episode_id},
                 {"task_type", c.task_type},
                 {"task_description", summary_q.getColumn(0).getString()},
                 {"domain", c.domain},
                 {"language", c.language.empty() ? json(nullptr) : json(c.language)},
                 {"framework", c.framework.empty() ? json(nullptr) : json(c.framework)},
                 {"outcome_type", c.outcome_type},
                 {"reward_total", c.reward_total},
                 {"step_count", summary_q.getColumn(1).getInt64()},
                 {"tags", string_list(summary_q.getColumn(3).getString())},
                 {"start_time", format_rfc3339_us(summary_q.getColumn(2).getInt64())},
                 {"end_time", format_rfc3339_us(c.end_time_us)},
                 {"score", s.total},
                 {"score_breakdown", {{"text", s.text}, {"context", s.context}, {"outcome", s.outcome}, {"recency", s.recency}}}};
    summary_q.reset();
    if (full) item["episode"] = *load_episode(ctx.db, r.episode_id);
    successes += c.outcome_type == "success";
    reward_sum += c.reward_total;
    tool_q.bind(1, r.episode_id);
    while (tool_q.executeStep()) ++tools[tool_q.getColumn(0).getString()];
    tool_q.reset();
    episodes.push_back(std::move(item));
  }
  std::vector<std::pair<std::string, int>> common(tools.begin(), tools.end());
  std::stable_sort(common.begin(), common.end(), [](auto& a, auto& b) { return a.second > b.second; });
  json common_tools = json::array();
  for (size_t k = 0; k < common.size() && k < 5; ++k) common_tools.push_back({{"tool", common[k].first}, {"uses", common[k].second}});
  auto n = episodes.size();
  json insights = {{"candidates", rows.size()},
                   {"returned", n},
                   {"success_rate", n ? json(static_cast<double>(successes) / static_cast<double>(n)) : json(nullptr)},
                   {"average_reward", n ? json(reward_sum / static_cast<double>(n)) : json(nullptr)},
                   {"common_tools", common_tools}};
  // The learned patterns that fit the same task (docs/LEARNING.md, pattern ranking).
  pattern_request pr;
  pr.recall = ctx.recall;
  if (from_index) {
    pr.match_pattern_text = false;
    // The candidates came best text match first: hand the best on as the pattern search's episodes.
    pr.matching_episodes.emplace();
    for (auto& r : rows) {
      if (pr.matching_episodes->size() >= 20) break;
      pr.matching_episodes->push_back({r.episode_id, -*r.cand.bm25});
    }
  }
  pr.text = query_text;
  pr.context.domain = rq.domain;
  pr.context.task_type = rq.task_type;
  pr.context.language = rq.language;
  pr.context.framework = rq.framework;
  pr.limit = static_cast<size_t>(args.value("pattern_limit", int64_t{5}));
  json patterns = json::array();
  if (pr.limit > 0)
    for (auto& rp : find_patterns(ctx, pr, wall_clock_us())) {
      json p = {{"pattern_id", rp.pattern["pattern_id"]},
                {"kind", rp.pattern["kind"]},
                {"description", rp.pattern["description"]},
                {"occurrences", rp.pattern["occurrences"]},
                {"success_rate", rp.pattern["success_rate"]},
                {"confidence", rp.pattern["confidence"]},
                {"relevance_score", rp.rank.total}};
      if (rp.pattern.contains("tools")) p["tools"] = rp.pattern["tools"];
      patterns.push_back(std::move(p));
    }
  insights["relevant_patterns"] = patterns.size();
  return json{{"episodes", episodes},
              {"patterns", patterns},
              {"insights", insights},
              {"query_terms", terms},
              {"message", n ? std::to_string(n) + " relevant episode(s)"
                            : terms.empty() ? std::string("no completed episodes match the filters")
                                            : "no completed episode mentions any of the query terms"}};
}

}  // namespace

command_list query_commands() { return {{"query_memory", query_memory}}; }

}  // namespace memory_mcp
