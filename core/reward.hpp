// Reward scoring of a completed episode. Pure and deterministic. Formula (docs/LEARNING.md):
//   total = max(0, base + abstention) * efficiency * complexity_bonus * quality_multiplier + learning_bonus
#pragma once

#include "core/episode_facts.hpp"

namespace memory_mcp {

struct reward_score {
  double total = 0;
  double base = 0;                // success 1, partial completed/(completed+failed) (0.5 if both empty), failure 0, abstained 0.3
  double efficiency = 1;          // clamp(0.5*d + 0.5*s, 0.5, 1.5); d from duration, s from step count
  double complexity_bonus = 1;    // simple 1.0, moderate 1.1, complex 1.2
  double quality_multiplier = 1;  // clamp 0.5..1.5: artifacts, test coverage, error rate, clippy
  double learning_bonus = 0;      // <= 0.5: tool diversity, high success rate, error recovery, quick solve
  double abstention = 0;          // early abstention +0.5 .. late -0.3; long failures -0.2
};

reward_score compute_reward(const episode_facts& facts);

// Fraction of steps whose result is success (0 when there are no steps).
double step_success_rate(const episode_facts& facts);

}  // namespace memory_mcp
