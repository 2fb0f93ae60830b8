#include <doctest/doctest.h>

#include "core/text_index.hpp"

using namespace memory_mcp;

namespace {
std::array<std::string, text_fields> doc(std::string description, std::string steps = "", std::string outcome = "",
                                         std::string context = "") {
  return {std::move(description), std::move(steps), std::move(outcome), std::move(context)};
}
std::vector<int64_t> ids(const std::vector<text_hit>& hits) {
  std::vector<int64_t> out;
  for (auto& h : hits) out.push_back(h.doc);
  return out;
}
}  // namespace

TEST_CASE("documents matching more and rarer query words rank higher") {
  text_index idx;
  idx.put(1, doc("fix the flaky login test"));
  idx.put(2, doc("add pagination to the users endpoint"));
  idx.put(3, doc("fix the build"));
  idx.put(4, doc("login page layout"));
  auto hits = idx.search({"flaky", "login", "test"}, 10);
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].doc == 1);
  CHECK(hits[1].doc == 4);
  CHECK(hits[0].score > hits[1].score);
  CHECK(idx.search({"kubernetes"}, 10).empty());
}

TEST_CASE("words match by prefix after their inflection is stripped; stop words are ignored") {
  text_index idx;
  idx.put(1, doc("paginated listing"));
  idx.put(2, doc("running the tests"));
  idx.put(3, doc("the"));
  CHECK(ids(idx.search({"paginat"}, 10)) == std::vector<int64_t>{1});
  CHECK(ids(idx.search({"testing"}, 10)) == std::vector<int64_t>{2});  // "testing" -> "test" matches "tests"
  CHECK(ids(idx.search({"the", "tests"}, 10)) == std::vector<int64_t>{2});
  CHECK(ids(idx.search({"the"}, 10)).size() == 2);  // only stop words: they count
}

TEST_CASE("field weights: a word in the description counts more than in the steps or the context") {
  text_index idx;
  idx.put(1, doc("migrate the database"));
  idx.put(2, doc("something else", "migrate the database"));
  idx.put(3, doc("other thing", "", "", "migrate"));
  CHECK(ids(idx.search({"migrate"}, 10)) == std::vector<int64_t>{1, 2, 3});
}

TEST_CASE("replace and remove: old postings are never returned; compaction keeps results") {
  text_index idx;
  for (int i = 0; i < 200; ++i) idx.put(i, doc("common word " + std::to_string(i)));
  idx.put(7, doc("rare unicorn"));
  CHECK(ids(idx.search({"unicorn"}, 10)) == std::vector<int64_t>{7});
  CHECK(idx.search({"common"}, 500).size() == 199);
  for (int i = 0; i < 150; ++i) idx.remove(i);  // more than a quarter: compacts on the way
  CHECK(idx.size() == 50);
  CHECK(idx.search({"unicorn"}, 10).empty());
  auto rest = idx.search({"common"}, 500);
  CHECK(rest.size() == 50);
  for (auto& h : rest) CHECK(h.doc >= 150);
  idx.remove(12345);  // absent: nothing happens
  CHECK(idx.contains(150));
}

TEST_CASE("k bounds the results; ties are broken by the larger id") {
  text_index idx;
  for (int i = 0; i < 20; ++i) idx.put(i, doc("same words"));
  auto hits = idx.search({"same"}, 5);
  CHECK(ids(hits) == std::vector<int64_t>{19, 18, 17, 16, 15});
  CHECK(idx.memory_bytes() > 0);
}
