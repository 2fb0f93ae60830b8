// query_memory: finds the completed episodes most relevant to a task. Candidates come from the FTS5 index
// (BM25 over description, step tools/actions/results, outcome and reflection texts; terms OR-ed and matched as
// prefixes, with common inflections stripped, so multi-word and partial queries match) or, without search terms, from the most recent completed
// episodes. core/ranking.hpp blends text relevance with context match, outcome and recency.
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"
#include "adapters/pattern_search.hpp"
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

  std::string columns =
      "e.episode_id, e.task_type, e.task_description, e.domain, e.language, e.framework, e.context_tags, "
      "e.outcome_type, e.reward_total, e.start_time_us, e.end_time_us, e.step_count";
  std::string sql;
  if (!terms.empty()) {
    sql = "SELECT " + columns + ", bm25(episodes_fts, 3.0, 1.0, 1.0, 0.5) AS rank FROM episodes_fts "
          "JOIN episode_docs d ON d.doc_id = episodes_fts.rowid JOIN episodes e ON e.episode_id = d.episode_id "
          "WHERE episodes_fts MATCH ?" + std::string(filter_domain ? " AND e.domain = ?" : "") +
          " ORDER BY rank LIMIT ?";
  } else {
    sql = "SELECT " + columns + ", NULL AS rank FROM episodes e WHERE e.end_time_us IS NOT NULL" +
          std::string(filter_domain ? " AND e.domain = ?" : "") + " ORDER BY e.end_time_us DESC LIMIT ?";
  }
  SQLite::Statement q(ctx.db, sql);
  int i = 0;
  if (!terms.empty()) q.bind(++i, fts_match_expression(query_text));
  if (filter_domain) q.bind(++i, rq.domain);
  q.bind(++i, max_candidates);

  struct row {
    json summary;
    ranking_candidate cand;
  };
  std::vector<row> rows;
  SQLite::Statement tag_q(ctx.db, "SELECT tag FROM episode_tags WHERE episode_id = ?");
  while (q.executeStep()) {
    row r;
    auto& c = r.cand;
    auto id = q.getColumn(0).getString();
    c.task_type = q.getColumn(1).getString();
    c.domain = q.getColumn(3).getString();
    c.language = q.getColumn(4).isNull() ? "" : q.getColumn(4).getString();
    c.framework = q.getColumn(5).isNull() ? "" : q.getColumn(5).getString();
    for (auto& t : string_list(q.getColumn(6).getString())) c.tags.push_back(t.get<std::string>());
    tag_q.bind(1, id);
    std::vector<std::string> episode_tags_list;
    while (tag_q.executeStep()) episode_tags_list.push_back(tag_q.getColumn(0).getString());
    tag_q.reset();
    c.tags.insert(c.tags.end(), episode_tags_list.begin(), episode_tags_list.end());
    c.outcome_type = q.getColumn(7).isNull() ? "" : q.getColumn(7).getString();
    c.reward_total = q.getColumn(8).isNull() ? 0 : q.getColumn(8).getDouble();
    c.end_time_us = q.getColumn(10).getInt64();
    if (!q.getColumn(12).isNull()) c.bm25 = q.getColumn(12).getDouble();
    r.summary = {{"episode_id", id},
                 {"task_type", c.task_type},
                 {"task_description", q.getColumn(2).getString()},
                 {"domain", c.domain},
                 {"outcome_type", c.outcome_type},
                 {"reward_total", c.reward_total},
                 {"step_count", q.getColumn(11).getInt64()},
                 {"tags", episode_tags_list}};
    r.summary["language"] = c.language.empty() ? json(nullptr) : json(c.language);
    r.summary["framework"] = c.framework.empty() ? json(nullptr) : json(c.framework);
    r.summary["start_time_us"] = q.getColumn(9).getInt64();
    r.summary["end_time_us"] = c.end_time_us;
    rows.push_back(std::move(r));
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
  if (order.size() > limit) order.resize(limit);

  json episodes = json::array();
  size_t successes = 0;
  double reward_sum = 0;
  std::map<std::string, int> tools;
  SQLite::Statement tool_q(ctx.db, "SELECT tool FROM steps WHERE episode_id = ? ORDER BY step_number");
  for (auto k : order) {
    auto& r = rows[k];
    auto& s = scores[k];
    json item = r.summary;
    item["start_time"] = format_rfc3339_us(r.summary["start_time_us"].get<int64_t>());
    item["end_time"] = format_rfc3339_us(r.summary["end_time_us"].get<int64_t>());
    item.erase("start_time_us");
    item.erase("end_time_us");
    item["score"] = s.total;
    item["score_breakdown"] = {{"text", s.text}, {"context", s.context}, {"outcome", s.outcome}, {"recency", s.recency}};
    if (full) item["episode"] = *load_episode(ctx.db, r.summary["episode_id"].get<std::string>());
    successes += r.cand.outcome_type == "success";
    reward_sum += r.cand.reward_total;
    tool_q.bind(1, r.summary["episode_id"].get<std::string>());
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
  pr.text = query_text;
  pr.context.domain = rq.domain;
  pr.context.task_type = rq.task_type;
  pr.context.language = rq.language;
  pr.context.framework = rq.framework;
  pr.limit = static_cast<size_t>(args.value("pattern_limit", int64_t{5}));
  json patterns = json::array();
  if (pr.limit > 0)
    for (auto& rp : find_patterns(ctx.db, pr, ctx.learning, wall_clock_us())) {
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
