#include "actors/stdio_transport.hpp"

#include <caf/all.hpp>
#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace memory_mcp {

namespace {

// Writes all bytes, retrying on EINTR and short writes. Returns false on a hard error (e.g. EPIPE).
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

struct writer_state {
  static inline const char* name = "stdio_writer";
  bool broken = false;
};

stdio_writer_actor::behavior_type writer(stdio_writer_actor::stateful_pointer<writer_state> self, runtime_ptr rt,
                                         int fd) {
  return {
      [=](write_atom, std::string& line) {
        if (self->state.broken) return;
        line += '\n';
        if (!write_all(fd, line.data(), line.size())) {
          self->state.broken = true;
          rt->log->log(log_level::warning, "stdio_writer", std::string("stdout closed: ") + std::strerror(errno));
        }
      },
      [](drain_atom) { return caf::ok_atom::value; },
  };
}

void reader(caf::blocking_actor* self, runtime_ptr rt, router_actor router, int fd) {
  const size_t max_bytes = rt->cfg.max_message_bytes;
  std::string pending;      // bytes of the current, unfinished line
  bool discarding = false;  // the current line is over the limit; drop bytes until '\n'
  uint64_t discarded = 0;
  bool running = true;
  std::vector<char> buf(64 * 1024);
  auto emit = [&](std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) return;  // blank lines carry nothing
    self->send(router, line_atom::value, std::move(line));
  };
  while (running) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    if (r > 0) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        // End of input: a final line without newline is still a message (possibly truncated JSON).
        if (discarding) self->send(router, oversized_atom::value, discarded);
        else if (!pending.empty()) emit(std::move(pending));
        self->send(router, eof_atom::value);
        return;
      }
      size_t start = 0;
      for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
        if (buf[i] != '\n') continue;
        if (discarding) {
          discarded += i - start;
          self->send(router, oversized_atom::value, discarded);
          discarding = false;
          discarded = 0;
        } else {
          pending.append(buf.data() + start, i - start);
          emit(std::move(pending));
          pending.clear();
        }
        start = i + 1;
      }
      size_t rest = static_cast<size_t>(n) - start;
      if (discarding) {
        discarded += rest;
      } else {
        pending.append(buf.data() + start, rest);
        if (pending.size() > max_bytes) {
          discarding = true;
          discarded = pending.size();
          pending.clear();
          pending.shrink_to_fit();
        }
      }
    }
    self->receive([&](wire_atom, router_actor& fresh) { router = std::move(fresh); },
                  [&](caf::exit_msg& em) {
                    running = false;
                    // Propagate abnormal exits so the supervisor sees a crash, not a normal finish.
                    if (em.reason && em.reason != caf::exit_reason::user_shutdown) self->fail_state(em.reason);
                  },
                  caf::after(std::chrono::seconds(0)) >> [] {});
  }
}

}  // namespace

stdio_writer_actor spawn_stdio_writer(caf::actor_system& sys, runtime_ptr rt, int fd) {
  return sys.spawn<caf::detached>(writer, std::move(rt), fd);
}

caf::actor spawn_stdio_reader(caf::actor_system& sys, runtime_ptr rt, router_actor router, int fd) {
  return sys.spawn<caf::detached>(reader, std::move(rt), std::move(router), fd);
}

}  // namespace memory_mcp
