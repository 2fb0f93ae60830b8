#include "adapters/mcp_protocol.hpp"

#include "adapters/jsonrpc_codec.hpp"

namespace memory_mcp::mcp {

namespace {
const char* const versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
}

bool is_supported_version(const std::string& version) {
  for (auto* v : versions)
    if (version == v) return true;
  return false;
}

std::string negotiate_version(const std::string& requested) {
  return is_supported_version(requested) ? requested : latest_version;
}

bool batches_allowed(const std::string& version) { return version == "2025-03-26"; }

nlohmann::json initialize_result(const std::string& version, const std::string& server_version) {
  return {{"protocolVersion", version},
          {"capabilities",
           {{"tools", {{"listChanged", false}}},
            {"resources", {{"subscribe", false}, {"listChanged", false}}},
            {"logging", nlohmann::json::object()}}},
          {"serverInfo", {{"name", "memory-mcp-server"}, {"title", "memory-mcp"}, {"version", server_version}}},
          {"instructions",
           "Episodic memory for agents. Record each task as an episode (create_episode, add_episode_step per tool "
           "call, complete_episode with the outcome, which returns a reward and a reflection). Before a task, "
           "query_memory finds relevant past episodes; list_episodes, search_episodes_by_tags and get_episode browse "
           "them; add_episode_relationship relates them."}};
}

nlohmann::json tool_success(const nlohmann::json& structured) {
  return {{"content", {{{"type", "text"}, {"text", jsonrpc::to_line(structured)}}}},
          {"structuredContent", structured},
          {"isError", false}};
}

nlohmann::json tool_failure(const std::string& message) {
  return {{"content", {{{"type", "text"}, {"text", message}}}}, {"isError", true}};
}

std::optional<std::string> read_call_params(const nlohmann::json& params, std::string& name, nlohmann::json& arguments) {
  if (!params.is_object()) return "tools/call requires params {name, arguments}";
  auto n = params.find("name");
  if (n == params.end() || !n->is_string()) return "params.name: required, must be a string";
  name = n->get<std::string>();
  auto a = params.find("arguments");
  if (a == params.end() || a->is_null()) {
    arguments = nlohmann::json::object();
  } else if (!a->is_object()) {
    return "params.arguments: must be an object";
  } else {
    arguments = *a;
  }
  return std::nullopt;
}

nlohmann::json progress_token(const nlohmann::json& params) {
  if (!params.is_object()) return nullptr;
  auto meta = params.find("_meta");
  if (meta == params.end() || !meta->is_object()) return nullptr;
  auto t = meta->find("progressToken");
  if (t == meta->end() || !(t->is_string() || t->is_number_integer() || t->is_number_unsigned())) return nullptr;
  return *t;
}

}  // namespace memory_mcp::mcp
