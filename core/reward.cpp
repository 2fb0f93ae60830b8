#include "core/reward.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace memory_mcp {

double step_success_rate(const episode_facts& f) {
  if (f.steps.empty()) return 0;
  size_t ok = 0;
  for (auto& s : f.steps) ok += s.result == step_result::success;
  return static_cast<double>(ok) / static_cast<double>(f.steps.size());
}

namespace {

double number_or(const std::map<std::string, std::string>& m, const std::string& key, double fallback) {
  auto it = m.find(key);
  if (it == m.end()) return fallback;
  char* end = nullptr;
  double d = std::strtod(it->second.c_str(), &end);
  return end && *end == '\0' && !it->second.empty() ? d : fallback;
}

double base_reward(const outcome_fact& o) {
  switch (o.kind) {
    case outcome_kind::success: return 1.0;
    case outcome_kind::partial_success: {
      auto n = o.completed.size() + o.failed.size();
      return n == 0 ? 0.5 : static_cast<double>(o.completed.size()) / static_cast<double>(n);
    }
    case outcome_kind::failure: return 0.0;
    case outcome_kind::abstained: return 0.3;
  }
  return 0;
}

double abstention_score(const episode_facts& f) {
  if (f.outcome.kind == outcome_kind::abstained) {
    auto s = f.outcome.stopped_at_step;
    if (s <= 3) return 0.5;
    if (s >= 10) return -0.3;
    return 0.5 - 0.8 * static_cast<double>(s - 3) / 7.0;
  }
  if (f.outcome.kind == outcome_kind::failure && f.steps.size() > 10) return -0.2;
  return 0;
}

double efficiency(const episode_facts& f) {
  double minutes = f.duration_s / 60.0;
  double d = f.duration_s <= 0 ? 1.5 : 0.5 + std::exp(-minutes / 2.0);
  double s = f.steps.empty() ? 0.5 : 0.5 + std::exp(-(static_cast<double>(f.steps.size()) / 10.0) / 2.0);
  return std::clamp(0.5 * d + 0.5 * s, 0.5, 1.5);
}

double complexity_bonus(complexity_level c) {
  switch (c) {
    case complexity_level::simple: return 1.0;
    case complexity_level::moderate: return 1.1;
    case complexity_level::complex: return 1.2;
  }
  return 1.0;
}

double quality(const episode_facts& f) {
  double q = 1.0;
  if (f.outcome.kind == outcome_kind::success) {
    bool test_artifact = std::any_of(f.outcome.artifacts.begin(), f.outcome.artifacts.end(), [](const std::string& a) {
      return a.find("coverage") != std::string::npos || a.find("test") != std::string::npos;
    });
    if (test_artifact) q += 0.1;
    if (f.outcome.artifacts.size() >= 3) q += 0.05;
    double coverage = number_or(f.metadata, "test_coverage", -1);
    if (coverage > 80) q += 0.15;
    else if (coverage > 60) q += 0.1;
  }
  if (!f.steps.empty()) {
    double error_rate = 1.0 - step_success_rate(f);
    if (error_rate > 0.3) q -= 0.2;
    else if (error_rate > 0.1) q -= 0.1;
    else if (error_rate == 0) q += 0.1;
  }
  auto clippy = f.metadata.find("clippy_warnings");
  if (clippy != f.metadata.end() && clippy->second == "0") q += 0.05;
  return std::clamp(q, 0.5, 1.5);
}

double learning_bonus(const episode_facts& f) {
  double bonus = 0;
  auto n = f.steps.size();
  if (n >= 3) {
    std::set<std::string> tools;
    for (auto& s : f.steps) tools.insert(s.tool);
    if (tools.size() >= 5) bonus += 0.15;
    else if (tools.size() >= 3) bonus += 0.1;
  }
  double rate = step_success_rate(f);
  if (rate > 0.9 && n >= 5) bonus += 0.2;
  else if (rate == 1.0 && n >= 3) bonus += 0.15;
  for (size_t i = 1; i < n; ++i) {
    if (f.steps[i - 1].result != step_result::success && f.steps[i - 1].result != step_result::none &&
        f.steps[i].result == step_result::success) {
      bonus += 0.15;
      break;
    }
  }
  if (f.duration_s > 0 && f.duration_s < 30 && n >= 1 && n <= 9) bonus += 0.1;
  return std::min(bonus, 0.5);
}

}  // namespace

reward_score compute_reward(const episode_facts& f) {
  reward_score r;
  r.base = base_reward(f.outcome);
  r.abstention = abstention_score(f);
  r.efficiency = efficiency(f);
  r.complexity_bonus = complexity_bonus(f.complexity);
  r.quality_multiplier = quality(f);
  r.learning_bonus = learning_bonus(f);
  r.total = std::max(0.0, r.base + r.abstention) * r.efficiency * r.complexity_bonus * r.quality_multiplier +
            r.learning_bonus;
  return r;
}

}  // namespace memory_mcp
