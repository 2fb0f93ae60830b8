// MCP protocol pieces that need no actor: version negotiation, the initialize result, the shape of tool
// results, and parameter checks of protocol methods. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace memory_mcp::mcp {

inline constexpr const char* latest_version = "2025-11-25";

// True for 2025-11-25, 2025-06-18, 2025-03-26 and 2024-11-05.
bool is_supported_version(const std::string& version);

// Echoes `requested` when supported, else our latest (the client then decides whether to continue).
std::string negotiate_version(const std::string& requested);

// Whether JSON-RPC batch arrays are allowed under `version` (only 2025-03-26 defines them).
bool batches_allowed(const std::string& version);

// The initialize result: protocolVersion, capabilities (tools, logging), serverInfo, instructions.
nlohmann::json initialize_result(const std::string& version, const std::string& server_version);

// A successful tools/call result: structuredContent plus its JSON text mirror.
nlohmann::json tool_success(const nlohmann::json& structured);

// A failed tools/call result: isError true and one text block with the message.
nlohmann::json tool_failure(const std::string& message);

// Validates tools/call params; on success fills name and arguments (an object; {} when absent).
// Returns the -32602 message otherwise.
std::optional<std::string> read_call_params(const nlohmann::json& params, std::string& name, nlohmann::json& arguments);

// params._meta.progressToken (string or integer) or null.
nlohmann::json progress_token(const nlohmann::json& params);

}  // namespace memory_mcp::mcp
