// Tag syntax and normalization. Pure.
// A tag is trimmed and lower-cased, then must be 2..100 characters of [a-z0-9_-] starting with a letter or digit.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace memory_mcp {

inline constexpr size_t max_tag_length = 100;
inline constexpr size_t max_tags_per_call = 100;

// The normalized tag, or nullopt when it does not satisfy the syntax after normalization.
std::optional<std::string> normalize_tag(const std::string& raw);

// Normalizes a list, removing duplicates while keeping first-seen order. On the first invalid entry returns
// nullopt and sets `bad_index` to its position.
std::optional<std::vector<std::string>> normalize_tags(const std::vector<std::string>& raw, size_t& bad_index);

}  // namespace memory_mcp
