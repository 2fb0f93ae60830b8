#include "core/pattern_ranking.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace memory_mcp {

namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// 1 when the pattern records `name` with the requested value, 0 when it records another value, 0.5 when it
// records none.
double feature_match(const std::vector<std::string>& features, const std::string& name, const std::string& wanted) {
  auto prefix = name + ":";
  for (auto& f : features)
    if (f.rfind(prefix, 0) == 0) return f.substr(prefix.size()) == lower(wanted) ? 1.0 : 0.0;
  return 0.5;
}

}  // namespace

std::vector<pattern_rank> score_patterns(const pattern_query& q, const std::vector<pattern_candidate>& cands,
                                         int64_t now_us, const pattern_weights& w) {
  std::optional<double> best;
  for (auto& c : cands)
    if (c.bm25 && (!best || *c.bm25 < *best)) best = c.bm25;
  double text_w = q.has_text ? w.text : 0.0;
  double sum = text_w + w.context + w.confidence + w.effectiveness + w.recency + w.specificity;
  std::vector<pattern_rank> out;
  out.reserve(cands.size());
  for (auto& c : cands) {
    pattern_rank r;
    if (c.bm25 && best && *best < 0) r.text = std::clamp(*c.bm25 / *best, 0.0, 1.0);
    else if (c.bm25) r.text = 1.0;
    double got = 0, asked = 0;
    if (!q.domain.empty()) {
      got += 0.5 * (lower(q.domain) == lower(c.domain) ? 1.0 : 0.0);
      asked += 0.5;
    }
    struct field {
      const char* name;
      const std::string& value;
      double weight;
    };
    for (const field& f : {field{"task_type", q.task_type, 0.2}, field{"language", q.language, 0.15},
                           field{"framework", q.framework, 0.15}}) {
      if (f.value.empty()) continue;
      got += f.weight * feature_match(c.context_features, f.name, f.value);
      asked += f.weight;
    }
    r.context = asked > 0 ? got / asked : 0.5;
    r.confidence = std::clamp(c.confidence, 0.0, 1.0);
    r.effectiveness = std::clamp(c.effectiveness, 0.0, 1.0);
    double age_days = std::max(0.0, static_cast<double>(now_us - c.last_seen_us) / 86400e6);
    r.recency = std::pow(2.0, -age_days / w.recency_half_life_days);
    r.specificity = pattern_specificity(c.kind, c.tool_count);
    r.total = (text_w * r.text + w.context * r.context + w.confidence * r.confidence +
               w.effectiveness * r.effectiveness + w.recency * r.recency + w.specificity * r.specificity) /
              sum;
    out.push_back(r);
  }
  return out;
}

double pattern_specificity(const std::string& kind, size_t tool_count) {
  if (kind == "tool_sequence") return std::min(1.0, static_cast<double>(tool_count) / 5.0);
  if (kind == "error_recovery") return 1.0;
  if (kind == "decision_point") return 0.7;
  if (kind == "context_pattern") return 0.6;
  return 0.4;  // heuristic
}

namespace {
// Whether `part` appears in `whole` as a run of consecutive tools.
bool contiguous_in(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  if (part.empty() || part.size() > whole.size()) return false;
  return std::search(whole.begin(), whole.end(), part.begin(), part.end()) != whole.end();
}
}  // namespace

std::vector<size_t> demote_covered(const std::vector<size_t>& order, const std::vector<std::string>& kinds,
                                   const std::vector<std::string>& domains,
                                   const std::vector<std::vector<std::string>>& tools, size_t window) {
  std::vector<size_t> sequences;  // the tool sequences among the first `window`
  for (size_t k = 0; k < order.size() && k < window; ++k)
    if (kinds[order[k]] == "tool_sequence") sequences.push_back(order[k]);
  std::vector<size_t> fresh, covered;
  for (auto i : order) {
    bool is_covered = false;
    if (kinds[i] == "heuristic" || kinds[i] == "context_pattern")
      for (auto s : sequences)
        if (domains[s] == domains[i] && contiguous_in(tools[i], tools[s])) is_covered = true;
    (is_covered ? covered : fresh).push_back(i);
  }
  fresh.insert(fresh.end(), covered.begin(), covered.end());
  return fresh;
}

}  // namespace memory_mcp
