#include "core/evidence.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

namespace memory_mcp {

double wilson_lower_bound(double successes, double trials, double z) {
  if (trials <= 0) return 0;
  double p = std::clamp(successes / trials, 0.0, 1.0);
  double z2 = z * z;
  double centre = p + z2 / (2 * trials);
  double margin = z * std::sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials));
  return std::max(0.0, (centre - margin) / (1 + z2 / trials));
}

double decay_weight(double age_days, double half_life_days) {
  if (half_life_days <= 0) return 1.0;
  return std::pow(2.0, -std::max(0.0, age_days) / half_life_days);
}

double feedback_effectiveness(double helped, double applied) {
  applied = std::max(0.0, applied);
  helped = std::clamp(helped, 0.0, applied);
  return (1.0 + helped) / (2.0 + applied);
}

quality_score assess_quality(const episode_facts& f, const reflection& refl) {
  quality_score q;
  auto n = f.steps.size();
  q.steps = std::min(static_cast<double>(n) / 5.0, 1.0);
  if (n > 0) {
    size_t with_result = 0;
    std::set<std::string> tools;
    for (auto& s : f.steps) {
      with_result += s.result != step_result::none;
      tools.insert(s.tool);
    }
    q.results = static_cast<double>(with_result) / static_cast<double>(n);
    q.diversity = std::min(static_cast<double>(tools.size()) / 3.0, 1.0);
  }
  const auto& o = f.outcome;
  bool explained = false;
  switch (o.kind) {
    case outcome_kind::success: explained = !o.verdict.empty() || !o.artifacts.empty(); break;
    case outcome_kind::partial_success: explained = !o.completed.empty() || !o.failed.empty(); break;
    case outcome_kind::failure:
    case outcome_kind::abstained: explained = !o.reason.empty(); break;
  }
  q.outcome_detail = explained ? 1.0 : 0.5;
  auto entries = refl.successes.size() + refl.improvements.size() + refl.insights.size();
  q.reflection = std::min(static_cast<double>(entries) / 6.0, 1.0);
  q.total = 0.30 * q.steps + 0.20 * q.results + 0.20 * q.outcome_detail + 0.15 * q.diversity + 0.15 * q.reflection;
  return q;
}

}  // namespace memory_mcp
