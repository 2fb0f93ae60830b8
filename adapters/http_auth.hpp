// Bearer-token checks for the HTTP endpoint. Pure apart from hashing (OpenSSL); safe to call from any thread.
#pragma once

#include <string>

namespace memory_mcp {

enum class bearer_check {
  ok,         // "Bearer <expected>"
  missing,    // no Authorization header (empty value)
  malformed,  // not the Bearer scheme, or no token after it
  mismatch,   // a Bearer token, but not the expected one
};

// Checks an Authorization header value against `expected` (REQUIRES: expected is not empty). The scheme is matched
// case-insensitively (RFC 7235); the token exactly. Tokens are compared as SHA-256 digests with CRYPTO_memcmp, so
// the time taken reveals neither the expected token's content nor its length.
bearer_check check_bearer(const std::string& authorization, const std::string& expected);

// "missing", "malformed", "mismatch" or "ok": the reason recorded in audit lines (never the token itself).
const char* to_string(bearer_check c);

}  // namespace memory_mcp
