#include "adapters/recall_commands.hpp"

namespace memory_mcp {

namespace {

const command_table& table() {
  static const command_table t({query_commands(), pattern_commands(), playbook_commands(), insight_commands()},
                               "storage error while reading");
  return t;
}

}  // namespace

bool has_recall_command(const std::string& tool) { return table().has(tool); }

result<nlohmann::json> run_recall_command(command_context& ctx, const std::string& tool, const nlohmann::json& args) {
  return table().run(ctx, tool, args);
}

}  // namespace memory_mcp
