#include "actors/rate_limiter.hpp"

#include <caf/all.hpp>
#include <unordered_map>

#include "adapters/prometheus.hpp"
#include "core/token_bucket.hpp"

namespace memory_mcp {

namespace {

struct client_buckets {
  token_bucket read;
  token_bucket write;
};

struct limiter_state {
  static inline const char* name = "rate_limiter";
  runtime_ptr rt;
  std::unordered_map<std::string, client_buckets> buckets;
  uint64_t denials = 0;
  uint64_t read_denials = 0;
  uint64_t write_denials = 0;
};

void evict_oldest(std::unordered_map<std::string, client_buckets>& table) {
  auto oldest = table.begin();
  for (auto it = table.begin(); it != table.end(); ++it)
    if (std::max(it->second.read.last_seen_us(), it->second.write.last_seen_us()) <
        std::max(oldest->second.read.last_seen_us(), oldest->second.write.last_seen_us()))
      oldest = it;
  if (oldest != table.end()) table.erase(oldest);
}

rate_limiter_actor::behavior_type limiter(rate_limiter_actor::stateful_pointer<limiter_state> self, runtime_ptr rt) {
  self->state.rt = std::move(rt);
  return {
      [=](check_atom, const std::string& client, bool is_write) -> rate_decision {
        const auto& rl = self->state.rt->cfg.rate_limit;
        double rps = is_write ? rl.write_rps : rl.read_rps;
        if (!rl.enabled) return {true, 0, rps, 0};
        auto now = monotonic_us();
        auto& table = self->state.buckets;
        auto it = table.find(client);
        if (it == table.end()) {
          if (table.size() >= rl.max_clients) evict_oldest(table);
          it = table.emplace(client, client_buckets{token_bucket({rl.read_rps, rl.read_burst}, now),
                                                    token_bucket({rl.write_rps, rl.write_burst}, now)})
                   .first;
        }
        auto d = (is_write ? it->second.write : it->second.read).try_take(now);
        if (!d.allowed) {
          ++self->state.denials;
          ++(is_write ? self->state.write_denials : self->state.read_denials);
        }
        return {d.allowed, d.retry_after_ms, rps, d.remaining};
      },
      [=](status_atom) {
        auto& s = self->state;
        if (!self->state.rt->cfg.rate_limit.enabled)
          return component_status{"rate_limiter", "disabled", 0, "MCP_RATE_LIMIT_ENABLED is false"};
        return component_status{"rate_limiter", "running", 0,
                                std::to_string(s.buckets.size()) + " clients tracked, " + std::to_string(s.denials) +
                                    " denials"};
      },
      [=](metrics_atom) {
        auto& s = self->state;
        metrics_text m;
        m.family("memory_mcp_rate_limit_denials_total", "counter", "Calls refused by the rate limiter, by class.",
                 {{{{"class", "read"}}, static_cast<double>(s.read_denials)},
                  {{{"class", "write"}}, static_cast<double>(s.write_denials)}});
        m.family("memory_mcp_rate_limit_clients", "gauge", "Clients with a token bucket.",
                 {{{}, static_cast<double>(s.buckets.size())}});
        return m.text();
      },
      [=](reload_atom, const config_update& update) {
        self->state.rt = with_config(self->state.rt, *update.cfg);
        self->state.buckets.clear();  // every client starts with a full bucket under the new limits
      },
  };
}

}  // namespace

rate_limiter_actor spawn_rate_limiter(caf::actor_system& sys, runtime_ptr rt) { return sys.spawn(limiter, rt); }

}  // namespace memory_mcp
