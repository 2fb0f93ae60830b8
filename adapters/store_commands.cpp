#include "adapters/store_commands.hpp"

#include "adapters/completion.hpp"
#include "adapters/episode_repo.hpp"

#include <chrono>
#include <map>
#include <thread>

namespace memory_mcp {

namespace {

using handler = std::function<result<nlohmann::json>(command_context&, const nlohmann::json&)>;

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

const std::map<std::string, handler>& table() {
  static const std::map<std::string, handler> t = [] {
    std::map<std::string, handler> all;
    for (auto&& group : {episode_commands(), tag_commands(), relationship_commands(), resource_commands(), feedback_commands()})
      for (auto& [name, fn] : group) all.emplace(name, fn);
    // Internal: the second half of complete_episode, sent by the pattern learner (adapters/completion.hpp).
    all.emplace("apply_completion", apply_completion);
#ifdef MEMORY_MCP_TEST_HOOKS
    all.emplace("debug_sleep", debug_sleep);
#endif
    return all;
  }();
  return t;
}

}  // namespace

bool has_store_command(const std::string& tool) { return table().count(tool) > 0; }

result<nlohmann::json> run_store_command(command_context& ctx, const std::string& tool, const nlohmann::json& args) {
  auto it = table().find(tool);
  if (it == table().end()) return make_error(error_code::internal, "no storage command for tool " + tool);
  try {
    return it->second(ctx, args);
  } catch (const std::exception& e) {
    // SQLiteCpp and nlohmann throw; the transaction object in the handler has rolled back by now.
    return make_error(error_code::storage, std::string("storage error: ") + e.what());
  }
}

}  // namespace memory_mcp
