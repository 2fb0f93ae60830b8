#include "adapters/store_commands.hpp"

#include "adapters/completion.hpp"
#include "adapters/episode_repo.hpp"

#include <chrono>
#include <map>
#include <thread>

namespace memory_mcp {

namespace {

#ifdef MEMORY_MCP_TEST_HOOKS
// Test hook: keeps the store busy like a slow query would.
result<nlohmann::json> debug_sleep(command_context& ctx, const nlohmann::json& args) {
  int64_t ms = args.at("ms").get<int64_t>();
  int64_t steps = args.value("steps", int64_t{1});
  for (int64_t i = 1; i <= steps; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms / steps));
    ctx.progress(static_cast<double>(i), static_cast<double>(steps), "slept " + std::to_string(i * ms / steps) + " ms");
  }
  return nlohmann::json{{"slept_ms", ms}};
}
#endif

const command_table& table() {
  static const command_table t = [] {
    command_table all({episode_commands(), tag_commands(), relationship_commands(), resource_commands(),
                       feedback_commands()},
                      "storage error");
    // Internal: the second half of complete_episode, sent by the pattern learner (adapters/completion.hpp).
    all.add("apply_completion", apply_completion);
#ifdef MEMORY_MCP_TEST_HOOKS
    all.add("debug_sleep", debug_sleep);
#endif
    return all;
  }();
  return t;
}

}  // namespace

command_table::command_table(std::initializer_list<command_list> groups, std::string what) : what_(std::move(what)) {
  for (auto& group : groups)
    for (auto& [name, fn] : group) handlers_.emplace(name, fn);
}

result<nlohmann::json> command_table::run(command_context& ctx, const std::string& tool,
                                          const nlohmann::json& args) const {
  auto it = handlers_.find(tool);
  if (it == handlers_.end()) return make_error(error_code::internal, "no command for tool " + tool);
  try {
    return it->second(ctx, args);
  } catch (const std::exception& e) {
    // The transaction object in the handler (if any) has rolled back by now.
    return make_error(error_code::storage, what_ + ": " + e.what());
  }
}

bool has_store_command(const std::string& tool) { return table().has(tool); }

result<nlohmann::json> run_store_command(command_context& ctx, const std::string& tool, const nlohmann::json& args) {
  return table().run(ctx, tool, args);
}

}  // namespace memory_mcp
