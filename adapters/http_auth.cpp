#include "adapters/http_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <cctype>

namespace memory_mcp {

namespace {

std::array<unsigned char, SHA256_DIGEST_LENGTH> digest(const std::string& text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

}  // namespace

bearer_check check_bearer(const std::string& authorization, const std::string& expected) {
  if (authorization.empty()) return bearer_check::missing;
  static const std::string scheme = "bearer";
  if (authorization.size() <= scheme.size()) return bearer_check::malformed;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return bearer_check::malformed;
  size_t start = scheme.size();
  if (authorization[start] != ' ') return bearer_check::malformed;
  while (start < authorization.size() && authorization[start] == ' ') ++start;
  size_t end = authorization.size();
  while (end > start && authorization[end - 1] == ' ') --end;
  if (start == end) return bearer_check::malformed;
  auto presented = digest(authorization.substr(start, end - start));
  auto wanted = digest(expected);
  return CRYPTO_memcmp(presented.data(), wanted.data(), presented.size()) == 0 ? bearer_check::ok
                                                                                : bearer_check::mismatch;
}

const char* to_string(bearer_check c) {
  switch (c) {
    case bearer_check::ok: return "ok";
    case bearer_check::missing: return "missing";
    case bearer_check::malformed: return "malformed";
    case bearer_check::mismatch: return "mismatch";
  }
  return "unknown";
}

}  // namespace memory_mcp
