#include "adapters/recall_commands.hpp"

#include <map>

namespace memory_mcp {

namespace {

const std::map<std::string, command_handler>& table() {
  static const std::map<std::string, command_handler> t = [] {
    std::map<std::string, command_handler> all;
    for (auto&& group : {query_commands(), pattern_commands(), playbook_commands(), insight_commands()})
      for (auto& [name, fn] : group) all.emplace(name, fn);
    return all;
  }();
  return t;
}

}  // namespace

bool has_recall_command(const std::string& tool) { return table().count(tool) > 0; }

result<nlohmann::json> run_recall_command(command_context& ctx, const std::string& tool, const nlohmann::json& args) {
  auto it = table().find(tool);
  if (it == table().end()) return make_error(error_code::internal, "no recall command for tool " + tool);
  try {
    return it->second(ctx, args);
  } catch (const std::exception& e) {
    return make_error(error_code::storage, std::string("storage error while reading: ") + e.what());
  }
}

}  // namespace memory_mcp
