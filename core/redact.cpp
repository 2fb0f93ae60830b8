#include "core/redact.hpp"

#include <regex>
#include <vector>

namespace memory_mcp {

bool is_secret_key(const std::string& raw) {
  std::string key = raw;
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"token", "secret", "password", "passwd", "authorization", "api_key", "apikey",
                           "private_key", "credential"})
    if (key.find(word) != std::string::npos) return true;
  return false;
}

std::string redact_secrets(const std::string& text) {
  struct rule {
    std::regex pattern;
    const char* replacement;
  };
  static const std::vector<rule> rules = [] {
    auto icase = std::regex::ECMAScript | std::regex::icase;
    return std::vector<rule>{
        {std::regex(R"(\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+)", icase), "$1 [REDACTED]"},
        {std::regex(R"(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)"), "[REDACTED]"},
        {std::regex(R"(\b(sk|pk|rk)[-_](live_|test_)?[A-Za-z0-9]{16,})"), "[REDACTED]"},
        {std::regex(R"(\b(ghp|gho|ghs|ghu|github_pat|xoxa|xoxb|xoxp|xoxr)[-_][A-Za-z0-9_-]{10,})"), "[REDACTED]"},
        {std::regex(R"(\bAKIA[0-9A-Z]{16}\b)"), "[REDACTED]"},
        {std::regex(R"(((token|secret|password|passwd|api[_-]?key|authorization)\s*[=:]\s*)(?!Bearer\b|Basic\b|\[REDACTED\])[^\s,;&"']+)",
                    icase),
         "$1[REDACTED]"},
        {std::regex(R"((?=[A-Za-z0-9+/_-]*[0-9])(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{40,}={0,2})"),
         "[REDACTED]"},
    };
  }();
  std::string out = text;
  for (auto& r : rules) out = std::regex_replace(out, r.pattern, r.replacement);
  return out;
}

}  // namespace memory_mcp
