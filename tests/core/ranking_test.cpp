#include <doctest/doctest.h>

#include "core/ranking.hpp"

using namespace memory_mcp;

namespace {
constexpr int64_t day_us = 86400LL * 1000000;

ranking_candidate candidate(std::optional<double> bm25, std::string domain, std::string outcome, double reward,
                            int64_t end_us) {
  ranking_candidate c;
  c.bm25 = bm25;
  c.domain = std::move(domain);
  c.outcome_type = std::move(outcome);
  c.reward_total = reward;
  c.end_time_us = end_us;
  return c;
}
}  // namespace

TEST_CASE("search_terms splits on punctuation, lower-cases, de-duplicates and bounds the count") {
  CHECK(search_terms("Fix flaky-login TEST! fix") == std::vector<std::string>{"fix", "flaky", "login", "test"});
  CHECK(search_terms("   ").empty());
  CHECK(search_terms("naïve café").size() == 2);
  CHECK(search_terms("a b c d e", 3).size() == 3);
}

TEST_CASE("text relevance is bm25 relative to the best match; non-matches get 0") {
  int64_t now = 100 * day_us;
  auto s = score_candidates({}, {candidate(-4.0, "web", "success", 1, now), candidate(-2.0, "web", "success", 1, now),
                                 candidate(std::nullopt, "web", "success", 1, now)},
                            now);
  CHECK(s[0].text == doctest::Approx(1.0));
  CHECK(s[1].text == doctest::Approx(0.5));
  CHECK(s[2].text == 0);
  CHECK(s[0].total > s[1].total);
  CHECK(s[1].total > s[2].total);
}

TEST_CASE("context match rewards domain, task type, language, framework and tags") {
  ranking_query q;
  q.domain = "Web";
  q.task_type = "debugging";
  q.language = "python";
  q.tags = {"auth", "ci"};
  auto c = candidate(-1.0, "web", "success", 1, 0);
  c.task_type = "debugging";
  c.language = "Python";
  c.tags = {"auth"};
  auto s = score_candidates(q, {c, candidate(-1.0, "backend", "success", 1, 0)}, 0);
  CHECK(s[0].context == doctest::Approx(0.35 + 0.25 + 0.2 + 0.05));
  CHECK(s[1].context == 0);
}

TEST_CASE("outcome and reward, then recency, break ties between equal text matches") {
  int64_t now = 1000 * day_us;
  auto s = score_candidates({}, {candidate(-1.0, "d", "success", 1.5, now), candidate(-1.0, "d", "failure", 0, now),
                                 candidate(-1.0, "d", "success", 1.5, now - 30 * day_us)},
                            now);
  CHECK(s[0].outcome > s[1].outcome);
  CHECK(s[0].recency == doctest::Approx(1.0));
  CHECK(s[2].recency == doctest::Approx(0.5));  // one half-life old
  CHECK(s[0].total > s[2].total);
  CHECK(s[2].total > s[1].total);
}

TEST_CASE("search_prefix strips common inflections so a prefix match covers the others, never too much") {
  CHECK(search_prefix("tests") == "test");
  CHECK(search_prefix("retrying") == "retry");
  CHECK(search_prefix("retries") == "retr");
  CHECK(search_prefix("patched") == "patch");
  CHECK(search_prefix("classes") == "class");
  CHECK(search_prefix("class") == "class");
  CHECK(search_prefix("bus") == "bus");
  CHECK(search_prefix("paginat") == "paginat");
  CHECK(search_prefix("speed") == "speed");    // not "spe"
  CHECK(search_prefix("during") == "during");  // not "dur"
  CHECK(search_prefix("sized") == "sized");
}

TEST_CASE("stop words") {
  CHECK(is_stop_word("the"));
  CHECK(is_stop_word("a"));
  CHECK_FALSE(is_stop_word("login"));
  CHECK_FALSE(is_stop_word("test"));
}
