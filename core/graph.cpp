#include "core/graph.hpp"

#include <deque>
#include <set>

namespace memory_mcp {

std::optional<std::vector<std::string>> find_path(const adjacency& edges, const std::string& from,
                                                  const std::string& to) {
  std::map<std::string, std::string> parent;
  std::deque<std::string> queue{from};
  parent[from] = from;
  while (!queue.empty()) {
    auto n = queue.front();
    queue.pop_front();
    if (n == to) {
      std::vector<std::string> path{to};
      while (path.back() != from) path.push_back(parent[path.back()]);
      return std::vector<std::string>(path.rbegin(), path.rend());
    }
    auto it = edges.find(n);
    if (it == edges.end()) continue;
    for (auto& next : it->second)
      if (parent.emplace(next, n).second) queue.push_back(next);
  }
  return std::nullopt;
}

std::vector<std::string> topological_order(const std::vector<std::string>& nodes, const adjacency& edges,
                                           bool& has_cycle) {
  std::set<std::string> in_set(nodes.begin(), nodes.end());
  std::map<std::string, int> indegree;
  for (auto& n : nodes) indegree[n] += 0;
  for (auto& n : nodes) {
    auto it = edges.find(n);
    if (it == edges.end()) continue;
    for (auto& m : it->second)
      if (in_set.count(m) && m != n) ++indegree[m];
  }
  std::vector<std::string> order;
  std::set<std::string> done;
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto& n : nodes) {  // lowest input position first among the ready nodes
      if (done.count(n) || indegree[n] != 0) continue;
      done.insert(n);
      order.push_back(n);
      if (auto it = edges.find(n); it != edges.end())
        for (auto& m : it->second)
          if (in_set.count(m) && m != n) --indegree[m];
      progress = true;
      break;
    }
  }
  has_cycle = order.size() < in_set.size();
  for (auto& n : nodes)
    if (!done.count(n)) {
      done.insert(n);
      order.push_back(n);
    }
  return order;
}

}  // namespace memory_mcp
