// Unit tests for adapters/http_auth: the Bearer check of GET /metrics.
#include "adapters/http_auth.hpp"

#include <doctest/doctest.h>

using namespace memory_mcp;

TEST_CASE("only Bearer with exactly the expected token passes") {
  const std::string token = "0123456789abcdef-scrape";
  CHECK(check_bearer("Bearer " + token, token) == bearer_check::ok);
  CHECK(check_bearer("bearer " + token, token) == bearer_check::ok);  // the scheme is case-insensitive
  CHECK(check_bearer("BEARER   " + token + "  ", token) == bearer_check::ok);
  CHECK(check_bearer("Bearer " + token + "x", token) == bearer_check::mismatch);
  CHECK(check_bearer("Bearer " + token.substr(1), token) == bearer_check::mismatch);
  CHECK(check_bearer("Bearer 0123456789ABCDEF-scrape", token) == bearer_check::mismatch);  // tokens are exact
}

TEST_CASE("missing and malformed headers are told apart") {
  const std::string token = "0123456789abcdef";
  CHECK(check_bearer("", token) == bearer_check::missing);
  for (const char* bad : {"Bearer", "Bearer ", "Bearer    ", "Basic dXNlcjpwYXNz", "Bearer0123456789abcdef",
                          "Token 0123456789abcdef", "0123456789abcdef"}) {
    CAPTURE(bad);
    CHECK(check_bearer(bad, token) == bearer_check::malformed);
  }
  CHECK(std::string(to_string(bearer_check::mismatch)) == "mismatch");
}
