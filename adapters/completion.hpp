// complete_episode in two halves. The pattern learner prepares the completion on its own read connection:
// it validates the outcome, loads the episode, and computes reward, reflection, quality and pattern
// observations (all pure, in core/). The episode store applies the prepared plan in one transaction: outcome,
// reward, reflection, pattern evidence and the full-text document commit together, so once complete_episode
// has answered, the next request sees all of it.
#pragma once

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "adapters/learning_settings.hpp"
#include "adapters/store_commands.hpp"
#include "core/result.hpp"

namespace memory_mcp {

// The outcome object of complete_episode's arguments (docs/API.md, TaskOutcome). Errors (invalid_argument)
// name the missing field or the field that does not belong to the outcome type.
result<nlohmann::json> read_outcome(const nlohmann::json& args);

// Prepares the completion of args.episode_id at `now_us`. Errors: invalid_argument (outcome), not_found,
// conflict (already completed). The plan is a JSON object for apply_completion.
result<nlohmann::json> prepare_completion(SQLite::Database& db, const nlohmann::json& args,
                                          const learning_settings& settings, int64_t now_us);

// Applies a plan inside the store's transaction. When steps were added since the plan was made (the step
// count differs) nothing is written and the result is {"retry": true}: prepare again. Errors: not_found
// (deleted meanwhile), conflict (completed meanwhile). On success: the complete_episode result (docs/API.md).
result<nlohmann::json> apply_completion(command_context& ctx, const nlohmann::json& plan);

}  // namespace memory_mcp
