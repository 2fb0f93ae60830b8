// Directed-graph algorithms over episode relationships. Pure; nodes are strings (episode ids).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace memory_mcp {

using adjacency = std::map<std::string, std::vector<std::string>>;

// A path from `from` to `to` following edges, if one exists (BFS; shortest). Includes both ends.
std::optional<std::vector<std::string>> find_path(const adjacency& edges, const std::string& from,
                                                  const std::string& to);

// Kahn's algorithm over `nodes` using only edges between them ("a -> b" means a comes before b). Ties are
// broken by the order of `nodes`, so the result is deterministic. `has_cycle` is set when some nodes could not
// be ordered; they are appended at the end in input order.
std::vector<std::string> topological_order(const std::vector<std::string>& nodes, const adjacency& edges,
                                           bool& has_cycle);

}  // namespace memory_mcp
