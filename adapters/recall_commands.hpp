// The recall command table: read-only tools run by the pattern learner on its own read connection (WAL lets
// it read while the episode store writes): query_memory, the pattern tools, playbooks and the learning
// metrics. Handlers have the store commands' shape (adapters/store_commands.hpp) but never write.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "adapters/episode_repo.hpp"
#include "adapters/store_commands.hpp"

namespace memory_mcp {

// A key a recall result may carry to ask the pattern learner to record a recommendation session through the
// episode store: {"episode_id", "recommended_pattern_ids", "recommended_playbook_ids"}. The learner removes it
// and adds the session's "attribution" to the reply.
inline constexpr const char* session_request_key = "_record_session";

command_list pattern_commands();   // adapters/pattern_commands.cpp
command_list playbook_commands();  // adapters/playbook_commands.cpp
command_list insight_commands();   // adapters/insight_commands.cpp

// True when the recall table implements `tool`.
bool has_recall_command(const std::string& tool);

// Runs `tool` with schema-validated `args`. Errors: invalid_argument, not_found, storage.
result<nlohmann::json> run_recall_command(command_context& ctx, const std::string& tool, const nlohmann::json& args);

}  // namespace memory_mcp
