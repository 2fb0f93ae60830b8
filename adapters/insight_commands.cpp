// Learning metrics computed from stored data: quality_metrics (episode quality over a time range, with its
// trend) and get_metrics' storage part (the router adds request performance and process figures).
// Read-only; runs on the pattern learner's connection. Formulas: docs/LEARNING.md.
#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <map>

#include "adapters/episode_repo.hpp"
#include "adapters/logger.hpp"
#include "adapters/recall_commands.hpp"
#include "core/time_format.hpp"

namespace memory_mcp {

using nlohmann::json;

namespace {

constexpr int64_t hour_us = 3600LL * 1000000;

int64_t range_us(const std::string& range) {
  if (range == "24h") return 24 * hour_us;
  if (range == "7d") return 7 * 24 * hour_us;
  if (range == "30d") return 30 * 24 * hour_us;
  if (range == "90d") return 90 * 24 * hour_us;
  return 0;  // all
}

struct trend {
  std::string direction = "insufficient_data";
  double slope_per_day = 0;
  double r_squared = 0;
};

// Least-squares line through (day, quality); direction from the slope over the range covered.
trend fit_trend(const std::vector<std::pair<double, double>>& points) {
  trend t;
  if (points.size() < 3) return t;
  double n = static_cast<double>(points.size()), sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  for (auto& [x, y] : points) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
  }
  double vx = n * sxx - sx * sx, vy = n * syy - sy * sy;
  if (vx <= 0) {
    t.direction = "stable";
    return t;
  }
  t.slope_per_day = (n * sxy - sx * sy) / vx;
  t.r_squared = vy > 0 ? std::pow(n * sxy - sx * sy, 2) / (vx * vy) : 0;
  double span_days = points.back().first - points.front().first;
  // A slope per day from scores minutes apart says nothing: a trend needs at least an hour of history.
  if (span_days < 1.0 / 24) {
    t.direction = "insufficient_data";
    t.slope_per_day = 0;
    t.r_squared = 0;
    return t;
  }
  double change = t.slope_per_day * span_days;
  t.direction = change > 0.05 ? "improving" : change < -0.05 ? "declining" : "stable";
  return t;
}

result<json> quality_metrics(command_context& ctx, const json& args) {
  auto range = args.value("time_range", "7d");
  bool include_trends = args.value("include_trends", true);
  double threshold = args.value("quality_threshold", ctx.learning.min_quality);
  auto now = wall_clock_us();
  int64_t since = range_us(range) ? now - range_us(range) : 0;
  SQLite::Statement q(ctx.db,
                      "SELECT quality, end_time_us FROM episodes WHERE end_time_us IS NOT NULL AND end_time_us >= ? "
                      "AND quality IS NOT NULL ORDER BY end_time_us");
  q.bind(1, static_cast<int64_t>(since));
  std::vector<std::pair<double, double>> points;  // (days since the first, quality)
  std::vector<double> scores;
  int64_t first_us = 0;
  while (q.executeStep()) {
    auto at = q.getColumn(1).getInt64();
    if (scores.empty()) first_us = at;
    scores.push_back(q.getColumn(0).getDouble());
    points.push_back({static_cast<double>(at - first_us) / 86400e6, scores.back()});
  }
  size_t accepted = 0;
  double sum = 0;
  json buckets = {{"0.0-0.2", 0}, {"0.2-0.4", 0}, {"0.4-0.6", 0}, {"0.6-0.8", 0}, {"0.8-1.0", 0}};
  const char* names[] = {"0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0"};
  for (double s : scores) {
    sum += s;
    accepted += s >= threshold;
    auto b = std::min<size_t>(4, static_cast<size_t>(std::max(0.0, s) * 5));
    buckets[names[b]] = buckets[names[b]].get<int64_t>() + 1;
  }
  auto n = scores.size();
  json out = {{"time_period", range},
              {"quality_threshold", threshold},
              {"total_episodes_attempted", n},
              {"episodes_accepted", accepted},
              {"episodes_rejected", n - accepted},
              {"average_quality_score", n ? json(sum / static_cast<double>(n)) : json(nullptr)},
              {"quality_score_distribution", buckets},
              {"noise_reduction_rate", n ? json(static_cast<double>(n - accepted) / static_cast<double>(n)) : json(nullptr)}};
  if (include_trends) {
    auto t = fit_trend(points);
    json recent = json::array();
    for (size_t i = n > 10 ? n - 10 : 0; i < n; ++i) recent.push_back(scores[i]);
    double recent_sum = 0;
    for (auto& r : recent) recent_sum += r.get<double>();
    out["quality_trend"] = {{"direction", t.direction},
                            {"change_rate_per_day", t.slope_per_day},
                            {"confidence", t.r_squared},
                            {"recent_scores", recent},
                            {"moving_average", recent.empty() ? json(nullptr) : json(recent_sum / static_cast<double>(recent.size()))}};
  }
  // Recommendations from what lowers quality most often, judged on the most recent 1,000 episodes of the range
  // (their steps are a sample large enough to see a habit, small enough to read in milliseconds).
  json advice = json::array();
  if (n > 0) {
    SQLite::Statement gaps(ctx.db,
                           "WITH recent AS (SELECT episode_id, step_count FROM episodes WHERE end_time_us IS NOT NULL "
                           "AND end_time_us >= ? ORDER BY end_time_us DESC LIMIT 1000) "
                           "SELECT (SELECT AVG(step_count = 0) FROM recent), (SELECT AVG(s.result_type IS NULL) FROM "
                           "steps s WHERE s.episode_id IN (SELECT episode_id FROM recent))");
    gaps.bind(1, static_cast<int64_t>(since));
    gaps.executeStep();
    double no_steps = gaps.getColumn(0).isNull() ? 0 : gaps.getColumn(0).getDouble();
    double no_result = gaps.getColumn(1).isNull() ? 0 : gaps.getColumn(1).getDouble();
    if (no_steps > 0.2)
      advice.push_back(std::to_string(static_cast<int>(no_steps * 100 + 0.5)) +
                       "% of episodes have no steps: record each tool call with add_episode_step so patterns can be learned");
    if (no_result > 0.2)
      advice.push_back(std::to_string(static_cast<int>(no_result * 100 + 0.5)) +
                       "% of steps have no result: pass result {type, output|message} so success and recovery are known");
    if (static_cast<double>(n - accepted) > 0.3 * static_cast<double>(n))
      advice.push_back(threshold == ctx.learning.min_quality
                           ? "more than 30% of episodes are below the learning threshold; they are stored but not learned from"
                           : "more than 30% of episodes are below the given quality_threshold");
  }
  if (advice.empty()) advice.push_back(n ? "episode quality is adequate for learning" : "no completed episodes in this period");
  out["recommendations"] = advice;
  return out;
}

// The storage part of get_metrics: episode, pattern and feedback figures. The episode figures come from one pass
// over the episodes table (its rows are large: one pass, not one per figure).
result<json> learning_stats(command_context& ctx, const json&) {
  auto one = [&](const char* sql) { return ctx.db.execAndGet(sql); };
  auto nullable = [](const SQLite::Column& c) { return c.isNull() ? json(nullptr) : json(c.getDouble()); };
  SQLite::Statement e(ctx.db,
                      "SELECT COUNT(*), COALESCE(SUM(end_time_us IS NULL), 0), COALESCE(SUM(learned = 1), 0), "
                      "AVG(reward_total), AVG(quality), AVG(step_count), COALESCE(SUM(step_count), 0), "
                      "COALESCE(SUM(outcome_type = 'success'), 0), COALESCE(SUM(outcome_type = 'partial_success'), 0), "
                      "COALESCE(SUM(outcome_type = 'failure'), 0), COALESCE(SUM(outcome_type = 'abstained'), 0) "
                      "FROM episodes");
  e.executeStep();
  json by_outcome = json::object();
  const char* outcomes[] = {"success", "partial_success", "failure", "abstained"};
  for (int i = 0; i < 4; ++i)
    if (auto n = e.getColumn(7 + i).getInt64()) by_outcome[outcomes[i]] = n;
  int64_t total = e.getColumn(0).getInt64(), open = e.getColumn(1).getInt64();
  json episodes = {{"total", total},
                   {"in_progress", open},
                   {"completed", total - open},
                   {"learned_from", e.getColumn(2).getInt64()},
                   {"by_outcome", by_outcome},
                   {"avg_reward", nullable(e.getColumn(3))},
                   {"avg_quality", nullable(e.getColumn(4))},
                   {"avg_steps", nullable(e.getColumn(5))},
                   {"steps_total", e.getColumn(6).getInt64()}};
  json by_kind = json::object();
  double confidence_sum = 0;
  int64_t patterns = 0;
  {
    SQLite::Statement q(ctx.db, "SELECT kind, COUNT(*), SUM(confidence) FROM patterns GROUP BY kind");
    while (q.executeStep()) {
      by_kind[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
      patterns += q.getColumn(1).getInt64();
      confidence_sum += q.getColumn(2).getDouble();
    }
  }
  return json{{"episodes", episodes},
              {"patterns",
               {{"total", patterns},
                {"by_kind", by_kind},
                {"evidence_rows", one("SELECT COUNT(*) FROM pattern_evidence").getInt64()},
                {"avg_confidence", patterns ? json(confidence_sum / static_cast<double>(patterns)) : json(nullptr)}}},
              {"recommendations",
               {{"sessions", one("SELECT COUNT(*) FROM recommendation_sessions").getInt64()},
                {"feedback", one("SELECT COUNT(*) FROM recommendation_feedback").getInt64()}}}};
}

}  // namespace

command_list insight_commands() { return {{"quality_metrics", quality_metrics}, {"get_metrics", learning_stats}}; }

}  // namespace memory_mcp
