#include <doctest/doctest.h>

#include "core/redact.hpp"

using namespace memory_mcp;

TEST_CASE("secret keys are recognised anywhere in the name, case-insensitively") {
  CHECK(is_secret_key("TURSO_AUTH_TOKEN"));
  CHECK(is_secret_key("db_password"));
  CHECK(is_secret_key("Authorization"));
  CHECK(is_secret_key("x-api_key"));
  CHECK_FALSE(is_secret_key("tool"));
  CHECK_FALSE(is_secret_key("episode_id"));
}

TEST_CASE("secret-looking values are redacted inside free text") {
  CHECK(redact_secrets("Authorization: Bearer abc.def-ghi") == "Authorization: Bearer [REDACTED]");
  CHECK(redact_secrets("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-x_y here") == "jwt [REDACTED] here");
  CHECK(redact_secrets("key sk-live_ABCDEFGHIJKLMNOP1234 used") == "key [REDACTED] used");
  CHECK(redact_secrets("gh ghp_abcdefghijklmnop1234") == "gh [REDACTED]");
  CHECK(redact_secrets("aws AKIAABCDEFGHIJKLMNOP!") == "aws [REDACTED]!");
  CHECK(redact_secrets("url?token=s3cr3t&x=1") == "url?token=[REDACTED]&x=1");
  CHECK(redact_secrets("password: hunter2, user: bob") == "password: [REDACTED], user: bob");
  CHECK(redact_secrets("blob Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbA== end") == "blob [REDACTED] end");
}

TEST_CASE("ordinary text, ids and words are kept") {
  const char* kept[] = {"tools/call", "create_episode", "d0e11e60-5d88-455c-99ef-7ca952078709",
                        "message of 5000000 bytes exceeds the maximum of 4194304 bytes (MEMORY_MCP_MAX_MESSAGE_BYTES)",
                        "MCP_RATE_LIMIT_WRITE_BURST: invalid value; expected a positive number",
                        "a_very_long_identifier_without_any_digits_at_all_here"};
  for (auto* k : kept) {
    CAPTURE(k);
    CHECK(redact_secrets(k) == k);
  }
}
