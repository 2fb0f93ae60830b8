// result<T>: the value-or-error type returned across core/, config/ and adapters/.
// Plain value type; no ownership rules beyond those of T. Nothing in those layers throws through its API.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace memory_mcp {

// The kinds of failure the product distinguishes. The router maps each to a JSON-RPC code or a tool error
// (see adapters/jsonrpc_codec.hpp, error table).
enum class error_code {
  invalid_argument,  // the caller sent something malformed or out of limits; message names field and limit
  not_found,         // the addressed entity does not exist
  conflict,          // the request contradicts stored state (duplicate, completed episode, cycle)
  unavailable,       // a dependency is down or the server is draining; retrying later may succeed
  storage,           // the database failed; the write was not acknowledged
  internal,          // a bug: an invariant broke
};

// Stable lower-case name of an error code, used in logs and tool error payloads.
const char* to_string(error_code code) noexcept;

struct error {
  error_code code = error_code::internal;
  std::string message;
};

inline error make_error(error_code code, std::string message) { return error{code, std::move(message)}; }

// Either a T or an error. REQUIRES for value()/err(): the matching ok() state.
template <class T>
class result {
 public:
  result(T value) : data_(std::move(value)) {}           // NOLINT: implicit on purpose
  result(error failure) : data_(std::move(failure)) {}   // NOLINT: implicit on purpose

  bool ok() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  const error& err() const { return std::get<1>(data_); }

 private:
  std::variant<T, error> data_;
};

// result<void> equivalent.
struct ok_t {};
using status = result<ok_t>;
inline status ok_status() { return ok_t{}; }

}  // namespace memory_mcp
