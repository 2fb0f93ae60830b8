#include "core/tags.hpp"

#include <algorithm>

namespace memory_mcp {

std::optional<std::string> normalize_tag(const std::string& raw) {
  size_t b = raw.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::nullopt;
  size_t e = raw.find_last_not_of(" \t\r\n");
  std::string t = raw.substr(b, e - b + 1);
  if (t.size() < 2 || t.size() > max_tag_length) return std::nullopt;
  for (auto& c : t) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return std::nullopt;
  }
  if (t[0] == '-' || t[0] == '_') return std::nullopt;
  return t;
}

std::optional<std::vector<std::string>> normalize_tags(const std::vector<std::string>& raw, size_t& bad_index) {
  std::vector<std::string> out;
  for (size_t i = 0; i < raw.size(); ++i) {
    auto t = normalize_tag(raw[i]);
    if (!t) {
      bad_index = i;
      return std::nullopt;
    }
    if (std::find(out.begin(), out.end(), *t) == out.end()) out.push_back(*t);
  }
  return out;
}

}  // namespace memory_mcp
