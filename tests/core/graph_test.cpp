// Unit tests for core/graph: shortest paths with BFS (including through cycles) and Kahn's topological order with
// deterministic tie-breaking and cycle reporting.
#include "core/graph.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace memory_mcp;

namespace {
using strings = std::vector<std::string>;

size_t pos(const strings& order, const std::string& n) {
  return static_cast<size_t>(std::find(order.begin(), order.end(), n) - order.begin());
}
}  // namespace

TEST_CASE("find_path returns the shortest path including both ends") {
  adjacency g{{"a", {"b", "x"}}, {"b", {"c"}}, {"c", {"d"}}, {"x", {"d"}}};
  auto p = find_path(g, "a", "d");
  REQUIRE(p);
  CHECK(*p == strings{"a", "x", "d"});
  auto q = find_path(g, "b", "d");
  REQUIRE(q);
  CHECK(*q == strings{"b", "c", "d"});
}

TEST_CASE("find_path follows edge direction and reports no path") {
  adjacency g{{"a", {"b"}}};
  CHECK(find_path(g, "a", "b"));
  CHECK_FALSE(find_path(g, "b", "a"));
  CHECK_FALSE(find_path(g, "a", "zzz"));
  CHECK_FALSE(find_path({}, "a", "b"));
}

TEST_CASE("find_path from a node to itself is that node") {
  auto p = find_path({}, "a", "a");
  REQUIRE(p);
  CHECK(*p == strings{"a"});
}

TEST_CASE("find_path terminates on cyclic graphs") {
  adjacency g{{"a", {"b"}}, {"b", {"c"}}, {"c", {"a", "d"}}, {"d", {"d"}}};
  auto p = find_path(g, "a", "d");
  REQUIRE(p);
  CHECK(*p == strings{"a", "b", "c", "d"});
  CHECK_FALSE(find_path(g, "d", "a"));
  auto loop = find_path(g, "b", "a");
  REQUIRE(loop);
  CHECK(*loop == strings{"b", "c", "a"});
}

TEST_CASE("topological_order respects every edge and breaks ties by input order") {
  // c -> a, c -> b, a -> d, b -> d
  adjacency g{{"c", {"a", "b"}}, {"a", {"d"}}, {"b", {"d"}}};
  bool cyc = true;
  auto o = topological_order({"d", "b", "a", "c"}, g, cyc);
  CHECK_FALSE(cyc);
  CHECK(o == strings{"c", "b", "a", "d"});  // b before a: b comes first in the input
  for (auto& [from, tos] : g)
    for (auto& to : tos) CHECK(pos(o, from) < pos(o, to));
}

TEST_CASE("topological_order with no edges keeps input order") {
  bool cyc = true;
  CHECK(topological_order({"z", "y", "x"}, {}, cyc) == strings{"z", "y", "x"});
  CHECK_FALSE(cyc);
}

TEST_CASE("topological_order ignores edges to nodes outside the set and self loops") {
  adjacency g{{"a", {"outside", "a"}}, {"outside", {"b"}}, {"b", {"a"}}};
  bool cyc = true;
  auto o = topological_order({"a", "b"}, g, cyc);
  CHECK_FALSE(cyc);
  CHECK(o == strings{"b", "a"});
}

TEST_CASE("topological_order reports a cycle and appends its members in input order") {
  adjacency g{{"a", {"b"}}, {"b", {"c"}}, {"c", {"b"}}, {"e", {"a"}}};
  bool cyc = false;
  auto o = topological_order({"c", "b", "a", "e", "f"}, g, cyc);
  CHECK(cyc);
  CHECK(o.size() == 5);
  CHECK(o == strings{"e", "a", "f", "c", "b"});
}

TEST_CASE("topological_order counts duplicate edges correctly") {
  adjacency g{{"a", {"b", "b"}}};
  bool cyc = true;
  auto o = topological_order({"b", "a"}, g, cyc);
  CHECK_FALSE(cyc);
  CHECK(o == strings{"a", "b"});
}

TEST_CASE("topological_order with duplicate input ids lists each once and reports no false cycle") {
  adjacency g{{"a", {"b"}}};
  bool cyc = true;
  auto o = topological_order({"b", "a", "b"}, g, cyc);
  CHECK_FALSE(cyc);
  CHECK(o == strings{"a", "b"});
}

TEST_CASE("topological_order on a long chain given in reverse") {
  strings nodes;
  adjacency g;
  for (int i = 0; i < 200; ++i) nodes.push_back("n" + std::to_string(i));
  for (int i = 0; i + 1 < 200; ++i) g["n" + std::to_string(i + 1)].push_back("n" + std::to_string(i));
  bool cyc = true;
  auto o = topological_order(nodes, g, cyc);
  CHECK_FALSE(cyc);
  REQUIRE(o.size() == 200);
  CHECK(o.front() == "n199");
  CHECK(o.back() == "n0");
}
