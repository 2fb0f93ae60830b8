// Rule-based reflection on a completed episode: what went well, what to improve, and insights.
// Pure and deterministic; each list holds at most 5 entries, most important first. Rules: docs/LEARNING.md.
#pragma once

#include <string>
#include <vector>

#include "core/episode_facts.hpp"

namespace memory_mcp {

struct reflection {
  std::vector<std::string> successes;
  std::vector<std::string> improvements;
  std::vector<std::string> insights;
};

reflection reflect(const episode_facts& facts);

}  // namespace memory_mcp
