// Input limits of the storage tools, in one place. docs/API.md has the same table; tools_episodes.cpp puts the
// string and array limits into each inputSchema so the router rejects violations before they reach storage.
#pragma once

#include <cstddef>

namespace memory_mcp::limits {

inline constexpr size_t max_description_chars = 10000;  // task_description
inline constexpr size_t max_name_chars = 100;           // domain, language, framework
inline constexpr size_t max_tool_chars = 256;           // step tool
inline constexpr size_t max_action_chars = 10000;       // step action
inline constexpr size_t max_result_chars = 100000;      // step result output / error message
inline constexpr size_t max_parameters_bytes = 262144;  // step parameters, as serialized JSON
inline constexpr size_t max_steps_per_episode = 1000;
inline constexpr size_t max_metadata_keys = 64;
inline constexpr size_t max_metadata_value_chars = 10000;
inline constexpr size_t max_outcome_text_chars = 10000;  // verdict, reason, error_details
inline constexpr size_t max_outcome_items = 100;         // artifacts, completed, failed, infeasibility_signals
inline constexpr size_t max_outcome_item_chars = 1000;
inline constexpr size_t max_bulk_ids = 100;
inline constexpr size_t max_list_page = 200;
inline constexpr size_t max_tag_search_results = 1000;
inline constexpr size_t max_relationship_reason_chars = 1000;
inline constexpr size_t max_graph_depth = 10;
inline constexpr size_t max_related = 100;
inline constexpr size_t max_topological_ids = 1000;

}  // namespace memory_mcp::limits
