// The learning knobs the storage and recall commands need (set from config; see config/config.hpp).
#pragma once

namespace memory_mcp {

struct learning_settings {
  double min_quality = 0.3;             // MEMORY_MCP_LEARNING_MIN_QUALITY: episodes below it are not learned from
  double feedback_half_life_days = 30;  // MEMORY_MCP_FEEDBACK_HALF_LIFE_DAYS: feedback loses half its weight
};

}  // namespace memory_mcp
