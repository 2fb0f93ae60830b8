#include <doctest/doctest.h>

#include "core/pattern_ranking.hpp"

using namespace memory_mcp;

namespace {
constexpr int64_t day_us = 86400LL * 1000000;
pattern_candidate cand(std::optional<double> bm25, std::string domain, double confidence, double eff = 0.5) {
  pattern_candidate c;
  c.bm25 = bm25;
  c.domain = std::move(domain);
  c.confidence = confidence;
  c.effectiveness = eff;
  c.last_seen_us = 10 * day_us;
  return c;
}
}  // namespace

TEST_CASE("text, domain, confidence and effectiveness all move a pattern up") {
  pattern_query q;
  q.has_text = true;
  q.domain = "web";
  auto s = score_patterns(q, {cand(-4, "web", 0.5), cand(-2, "web", 0.5), cand(-4, "data", 0.5), cand(-4, "web", 0.8),
                              cand(-4, "web", 0.5, 0.9)},
                          10 * day_us);
  CHECK(s[0].text == 1.0);
  CHECK(s[1].text == doctest::Approx(0.5));
  CHECK(s[0].total > s[1].total);
  CHECK(s[0].total > s[2].total);
  CHECK(s[2].context == 0.0);
  CHECK(s[3].total > s[0].total);
  CHECK(s[4].total > s[0].total);
}

TEST_CASE("context features: match 1, contradiction 0, unknown 0.5, over the requested fields") {
  pattern_query q;
  q.domain = "web";
  q.language = "Python";
  auto py = cand(std::nullopt, "web", 0.5);
  py.context_features = {"domain:web", "language:python"};
  auto go = cand(std::nullopt, "web", 0.5);
  go.context_features = {"domain:web", "language:go"};
  auto unknown = cand(std::nullopt, "web", 0.5);
  auto s = score_patterns(q, {py, go, unknown}, 10 * day_us);
  CHECK(s[0].context == doctest::Approx(1.0));
  CHECK(s[1].context == doctest::Approx(0.5 / 0.65));
  CHECK(s[2].context == doctest::Approx((0.5 + 0.075) / 0.65));
  CHECK(score_patterns({}, {py}, 10 * day_us)[0].context == 0.5);
}

TEST_CASE("without a text query the remaining weights are renormalized to sum to 1") {
  pattern_query q;
  auto c = cand(std::nullopt, "web", 1.0, 1.0);
  c.kind = "tool_sequence";
  c.tool_count = 5;
  auto s = score_patterns(q, {c}, 10 * day_us);
  CHECK(s[0].total == doctest::Approx((0.20 * 0.5 + 0.20 + 0.15 + 0.05 + 0.10) / 0.70));
  // A heuristic: specificity 0.4. Weights without text: 0.20 + 0.20 + 0.15 + 0.05 + 0.10 = 0.70.
  c.kind = "heuristic";
  s = score_patterns(q, {c}, 10 * day_us);
  CHECK(s[0].specificity == doctest::Approx(0.4));
  CHECK(s[0].total == doctest::Approx((0.20 * 0.5 + 0.20 + 0.15 + 0.05 + 0.10 * 0.4) / 0.70));
}

TEST_CASE("specificity: whole workflows and recoveries tell more than fragments") {
  CHECK(pattern_specificity("tool_sequence", 5) == 1.0);
  CHECK(pattern_specificity("tool_sequence", 2) == doctest::Approx(0.4));
  CHECK(pattern_specificity("error_recovery", 0) == 1.0);
  CHECK(pattern_specificity("decision_point", 0) == doctest::Approx(0.7));
  CHECK(pattern_specificity("context_pattern", 3) == doctest::Approx(0.6));
  CHECK(pattern_specificity("heuristic", 2) == doctest::Approx(0.4));
}

TEST_CASE("fragments of a listed workflow move behind patterns that add something") {
  std::vector<std::string> kinds = {"context_pattern", "heuristic", "tool_sequence", "heuristic", "error_recovery", "heuristic"};
  std::vector<std::string> domains = {"web", "web", "web", "web", "web", "data"};
  std::vector<std::vector<std::string>> tools = {
      {"grep", "read_file", "edit_file"}, {"read_file", "edit_file"}, {"grep", "read_file", "edit_file", "run_tests"},
      {"grep", "edit_file"},  // not consecutive in the sequence: new information
      {}, {"read_file", "edit_file"}};  // another domain: not covered
  auto order = demote_covered({0, 1, 2, 3, 4, 5}, kinds, domains, tools, 5);
  CHECK(order == std::vector<size_t>{2, 3, 4, 5, 0, 1});
  // A covering sequence beyond the window does not demote anything.
  CHECK(demote_covered({0, 1, 3, 4, 5, 2}, kinds, domains, tools, 5) == std::vector<size_t>{0, 1, 3, 4, 5, 2});
}

TEST_CASE("recency halves every 30 days since the pattern was last seen") {
  auto s = score_patterns({}, {cand(std::nullopt, "web", 0.5)}, 40 * day_us);
  CHECK(s[0].recency == doctest::Approx(0.5));
}
