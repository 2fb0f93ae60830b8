// Statistics of evidence: how sure we are that a pattern works, how much old evidence still counts, and how
// good an episode is as something to learn from. Pure functions; formulas in docs/LEARNING.md.
#pragma once

#include <cstdint>

#include "core/episode_facts.hpp"
#include "core/reflection.hpp"

namespace memory_mcp {

// The lower bound of the Wilson score interval for a success proportion: the success rate we can claim with
// the given confidence (z = 1.96: 95%) after `trials` observations of which `successes` (may be fractional)
// succeeded. 0 when trials <= 0. REQUIRES: 0 <= successes <= trials.
double wilson_lower_bound(double successes, double trials, double z = 1.96);

// The weight of a piece of evidence `age_days` old when evidence loses half its weight every `half_life_days`:
// 2^(-age/half_life). Future timestamps (clock skew) count as age 0; a half-life <= 0 disables decay (weight 1).
double decay_weight(double age_days, double half_life_days);

// Effectiveness from (decayed) feedback: the posterior mean of the "helped" probability under a uniform
// Beta(1,1) prior, (1 + helped) / (2 + applied). 0.5 without feedback; moves towards 1 with helpful
// applications and towards 0 with unhelpful ones. REQUIRES: 0 <= helped <= applied.
double feedback_effectiveness(double helped, double applied);

// How much an episode is worth learning from, 0..1 (not how well the task went: a well-documented failure is
// good evidence). Components, each 0..1, and their weights:
struct quality_score {
  double total = 0;
  double steps = 0;          // 0.30: min(steps / 5, 1)
  double results = 0;        // 0.20: share of steps with a recorded result
  double outcome_detail = 0; // 0.20: 1 when the outcome explains itself (verdict, reason, subtasks), else 0.5
  double diversity = 0;      // 0.15: min(distinct tools / 3, 1)
  double reflection = 0;     // 0.15: min(reflection entries / 6, 1)
};

quality_score assess_quality(const episode_facts& facts, const reflection& refl);

}  // namespace memory_mcp
