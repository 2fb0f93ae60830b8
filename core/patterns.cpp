#include "core/patterns.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace memory_mcp {

namespace {

bool is_success(const step_fact& s) { return s.result == step_result::success; }

std::string lower(const std::string& text) {
  std::string out = text;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trimmed(const std::string& text) {
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  return text.substr(b, e - b);
}

std::string joined(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// Tool names compare case-insensitively and without surrounding blanks.
std::string tool_name(const std::string& tool) { return lower(trimmed(tool)); }

const std::set<std::string>& decision_verbs() {
  static const std::set<std::string> v = {"check",  "verify",  "validate", "decide", "choose",
                                          "select", "determine", "compare", "ensure", "confirm"};
  return v;
}

const std::set<std::string>& choice_parameters() {
  static const std::set<std::string> v = {"strategy", "approach", "method", "algorithm", "mode", "option"};
  return v;
}

// The choice a step makes, if any: its normalized action when the action starts with a decision verb, else
// "<key>=<value>" of the first choice parameter.
std::string decision_of(const step_fact& s) {
  auto phrase = normalize_phrase(s.action);
  auto first = phrase.substr(0, phrase.find(' '));
  if (decision_verbs().count(first)) return phrase;
  for (auto& [k, v] : s.parameters) {
    auto key = lower(trimmed(k));
    if (!choice_parameters().count(key)) continue;
    auto value = normalize_phrase(v, 4);
    if (!value.empty()) return "choose " + key + " " + value;
  }
  return "";
}

void add_unique(std::vector<pattern_observation>& out, std::set<std::string>& seen, pattern_observation o) {
  if (seen.insert(o.key).second) out.push_back(std::move(o));
}

}  // namespace

const char* to_string(pattern_kind kind) noexcept {
  switch (kind) {
    case pattern_kind::tool_sequence: return "tool_sequence";
    case pattern_kind::decision_point: return "decision_point";
    case pattern_kind::error_recovery: return "error_recovery";
    case pattern_kind::context_pattern: return "context_pattern";
    case pattern_kind::heuristic: return "heuristic";
  }
  return "tool_sequence";
}

bool parse_pattern_kind(const std::string& text, pattern_kind& out) noexcept {
  for (auto k : {pattern_kind::tool_sequence, pattern_kind::decision_point, pattern_kind::error_recovery,
                 pattern_kind::context_pattern, pattern_kind::heuristic}) {
    if (text == to_string(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

double outcome_success_weight(const outcome_fact& o) {
  switch (o.kind) {
    case outcome_kind::success: return 1.0;
    case outcome_kind::partial_success: {
      auto total = o.completed.size() + o.failed.size();
      return total == 0 ? 0.5 : static_cast<double>(o.completed.size()) / static_cast<double>(total);
    }
    case outcome_kind::failure:
    case outcome_kind::abstained: return 0.0;
  }
  return 0.0;
}

std::string pattern_domain(const std::string& domain) { return lower(trimmed(domain)); }

std::string normalize_phrase(const std::string& text, size_t max_words) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size() && words.size() < max_words) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::string token = text.substr(start, i - start);
    // A quoted word is a value ('requests', "users"): an instance detail.
    if (token.find_first_of("'\"`") != std::string::npos) continue;
    // Strip surrounding punctuation: "(try" -> "try", "exists," -> "exists".
    size_t b = 0, e = token.size();
    while (b < e && std::ispunct(static_cast<unsigned char>(token[b]))) ++b;
    while (e > b && std::ispunct(static_cast<unsigned char>(token[e - 1]))) --e;
    token = token.substr(b, e - b);
    if (token.empty()) continue;
    bool letters_only = std::all_of(token.begin(), token.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (!letters_only) continue;  // numbers, paths, file names, quoted values: details of one instance
    words.push_back(lower(token));
  }
  return joined(words, " ");
}

std::string error_class(const std::string& message) {
  auto line = trimmed(message.substr(0, message.find('\n')));
  auto space = line.find(' ');
  auto head = line.substr(0, space);
  if (head.size() >= 4 && head.back() == ':') {
    auto name = lower(head.substr(0, head.size() - 1));
    bool identifier = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == ':';
    });
    // A qualified name keeps its last part: "requests.exceptions.ConnectionError" -> "connectionerror",
    // "Bullet::Notification::UnoptimizedQueryError" -> "unoptimizedqueryerror".
    if (identifier) {
      auto cut = name.find_last_of(".:");
      if (cut != std::string::npos && cut + 1 < name.size()) name = name.substr(cut + 1);
    }
    static const std::set<std::string> generic = {"error", "fatal", "warning", "failed", "failure", "exception"};
    if (identifier && !generic.count(name)) return name;
    if (identifier) line = space == std::string::npos ? "" : line.substr(space + 1);  // "error: x" -> "x"
  }
  auto phrase = normalize_phrase(line, 6);
  return phrase.empty() ? "unknown error" : phrase;
}

std::vector<pattern_observation> extract_patterns(const episode_facts& facts, const extraction_limits& limits) {
  std::vector<pattern_observation> out;
  std::set<std::string> seen;
  if (facts.steps.empty()) return out;
  const std::string domain = pattern_domain(facts.domain);
  const double success = outcome_success_weight(facts.outcome);
  auto base = [&](pattern_kind kind) {
    pattern_observation o;
    o.kind = kind;
    o.domain = domain;
    o.success = success;
    return o;
  };

  // The successful path: tools of successful steps in order, consecutive repeats collapsed.
  std::vector<std::string> path;
  int64_t path_latency = 0;
  for (auto& s : facts.steps) {
    if (!is_success(s)) continue;
    path_latency += s.latency_ms;
    auto t = tool_name(s.tool);
    if (path.empty() || path.back() != t) path.push_back(t);
  }

  if (path.size() >= 2) {
    auto o = base(pattern_kind::tool_sequence);
    o.tools.assign(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(std::min(path.size(), limits.max_sequence_tools)));
    o.latency_ms = path_latency;
    o.key = "tool_sequence|" + domain + "|" + joined(o.tools, ">");
    o.description = "In " + domain + " tasks, the tools " + joined(o.tools, " -> ") + " in this order";
    add_unique(out, seen, std::move(o));
  }

  size_t decisions = 0;
  for (size_t i = 0; i < facts.steps.size() && decisions < limits.max_decisions; ++i) {
    auto& s = facts.steps[i];
    if (!is_success(s)) continue;
    auto choice = decision_of(s);
    if (choice.empty()) continue;
    auto o = base(pattern_kind::decision_point);
    o.condition = choice;
    o.action = tool_name(s.tool);
    o.key = "decision_point|" + domain + "|" + o.condition + "|" + o.action;
    o.description = "In " + domain + " tasks, '" + o.condition + "' decided with " + o.action;
    auto before = out.size();
    add_unique(out, seen, std::move(o));
    decisions += out.size() > before;
  }

  size_t recoveries = 0;
  for (size_t i = 0; i + 1 < facts.steps.size() && recoveries < limits.max_recoveries; ++i) {
    auto& failed = facts.steps[i];
    if (is_success(failed)) continue;
    // Only the last failure of a run of failures is the one that was recovered from.
    if (!is_success(facts.steps[i + 1])) continue;
    std::vector<std::string> recovery;
    auto failing = tool_name(failed.tool);
    for (size_t j = i + 1; j < facts.steps.size() && j <= i + limits.recovery_window; ++j) {
      if (!is_success(facts.steps[j])) break;
      auto t = tool_name(facts.steps[j].tool);
      if (recovery.empty() || recovery.back() != t) recovery.push_back(t);
      if (t == failing) break;  // the failed tool succeeded on retry: the recovery is complete
    }
    if (recovery.empty()) continue;
    auto o = base(pattern_kind::error_recovery);
    o.failing_tool = failing;
    o.error_type = failed.result == step_result::timeout ? "timeout"
                   : failed.result == step_result::none  ? "no result"
                                                         : error_class(failed.error_message);
    o.recovery_steps = recovery;
    o.key = "error_recovery|" + domain + "|" + failing + "|" + o.error_type + "|" + joined(recovery, ">");
    o.description = "When " + failing + " fails with '" + o.error_type + "', recover with " + joined(recovery, " -> ");
    auto before = out.size();
    add_unique(out, seen, std::move(o));
    recoveries += out.size() > before;
  }

  if (!path.empty()) {
    std::vector<std::string> approach;
    for (auto& t : path)
      if (std::find(approach.begin(), approach.end(), t) == approach.end() && approach.size() < 3) approach.push_back(t);
    auto o = base(pattern_kind::context_pattern);
    o.context_features.push_back("domain:" + domain);
    if (!facts.task_type.empty()) o.context_features.push_back("task_type:" + lower(facts.task_type));
    if (!facts.language.empty()) o.context_features.push_back("language:" + lower(trimmed(facts.language)));
    if (!facts.framework.empty()) o.context_features.push_back("framework:" + lower(trimmed(facts.framework)));
    o.tools = approach;
    o.recommended_approach = joined(approach, " -> ");
    o.key = "context_pattern|" + domain + "|" + joined(o.context_features, ",") + "|" + joined(approach, ">");
    o.description = "For " + joined(o.context_features, ", ") + ": start with " + o.recommended_approach;
    add_unique(out, seen, std::move(o));
  }

  size_t heuristics = 0;
  for (size_t i = 0; i + 1 < path.size() && heuristics < limits.max_heuristics; ++i) {
    auto o = base(pattern_kind::heuristic);
    o.condition = "after " + path[i];
    o.action = path[i + 1];
    o.tools = {path[i], path[i + 1]};
    o.key = "heuristic|" + domain + "|" + path[i] + ">" + path[i + 1];
    o.description = "In " + domain + " tasks, after " + path[i] + ", run " + path[i + 1];
    auto before = out.size();
    add_unique(out, seen, std::move(o));
    heuristics += out.size() > before;
  }
  return out;
}

}  // namespace memory_mcp
