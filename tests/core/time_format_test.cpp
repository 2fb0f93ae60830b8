// Unit tests for core/time_format: RFC 3339 formatting and parsing with microsecond precision.
#include "core/time_format.hpp"

#include <doctest/doctest.h>

using namespace memory_mcp;

TEST_CASE("format_rfc3339_us renders the epoch with six fractional digits and Z") {
  CHECK(format_rfc3339_us(0) == "1970-01-01T00:00:00.000000Z");
}

TEST_CASE("format_rfc3339_us renders a known instant") {
  // 2026-12-03T19:16:25.123456Z = 1796325385 s since the epoch
  CHECK(format_rfc3339_us(1796325385123456) == "2026-12-03T19:16:25.123456Z");
  CHECK(format_rfc3339_us(951782400000000) == "2000-02-29T00:00:00.000000Z");  // leap day of a 400-year
}

TEST_CASE("format_rfc3339_us handles instants before the epoch") {
  CHECK(format_rfc3339_us(-1) == "1969-12-31T23:59:59.999999Z");
  CHECK(format_rfc3339_us(-1000000) == "1969-12-31T23:59:59.000000Z");
  CHECK(format_rfc3339_us(-86400000000) == "1969-12-31T00:00:00.000000Z");
}

TEST_CASE("parse_rfc3339_us inverts format_rfc3339_us") {
  for (int64_t us : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1796325385123456}, int64_t{951782400000000},
                     int64_t{-62135596800000000} /* 0001-01-01 */, int64_t{253402300799999999} /* 9999-12-31 */}) {
    CAPTURE(us);
    auto text = format_rfc3339_us(us);
    auto back = parse_rfc3339_us(text);
    REQUIRE(back.has_value());
    CHECK(*back == us);
  }
}

TEST_CASE("parse_rfc3339_us accepts offsets, lower-case separators and short fractions") {
  CHECK(parse_rfc3339_us("1970-01-01T00:00:00Z") == int64_t{0});
  CHECK(parse_rfc3339_us("1970-01-01t00:00:00z") == int64_t{0});
  CHECK(parse_rfc3339_us("1970-01-01 00:00:00Z") == int64_t{0});
  CHECK(parse_rfc3339_us("1970-01-01T00:00:00.5Z") == int64_t{500000});
  CHECK(parse_rfc3339_us("1970-01-01T01:00:00+01:00") == int64_t{0});
  CHECK(parse_rfc3339_us("1969-12-31T23:30:00-00:30") == int64_t{0});
  CHECK(parse_rfc3339_us("1970-01-01T05:30:00.000001+05:30") == int64_t{1});
}

TEST_CASE("parse_rfc3339_us truncates fractions beyond microseconds") {
  CHECK(parse_rfc3339_us("1970-01-01T00:00:00.1234569Z") == int64_t{123456});
  CHECK(parse_rfc3339_us("1970-01-01T00:00:00.999999999Z") == int64_t{999999});
}

TEST_CASE("parse_rfc3339_us maps a leap second onto the preceding second") {
  CHECK(parse_rfc3339_us("2016-12-31T23:59:60Z") == parse_rfc3339_us("2016-12-31T23:59:59Z"));
}

TEST_CASE("parse_rfc3339_us rejects out-of-range fields") {
  CHECK_FALSE(parse_rfc3339_us("2026-13-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-00-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-01-00T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-01-32T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-04-31T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-02-29T00:00:00Z"));  // not a leap year
  CHECK(parse_rfc3339_us("2024-02-29T00:00:00Z"));        // leap year
  CHECK_FALSE(parse_rfc3339_us("1900-02-29T00:00:00Z"));  // century, not a leap year
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T24:00:00Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:60:00Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:61Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00+24:00"));
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00+01:60"));
}

TEST_CASE("parse_rfc3339_us rejects malformed syntax") {
  CHECK_FALSE(parse_rfc3339_us(""));
  CHECK_FALSE(parse_rfc3339_us("2026"));
  CHECK_FALSE(parse_rfc3339_us("2026-01-01"));
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00"));         // no offset
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00."));        // empty fraction
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00.Z"));       // empty fraction
  CHECK_FALSE(parse_rfc3339_us("2026-01-01X00:00:00Z"));        // bad separator
  CHECK_FALSE(parse_rfc3339_us("2026/01/01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-1-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00ZZ"));       // trailing garbage
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00+0100"));    // offset without colon
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00+01"));      // truncated offset
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00+01:0"));    // truncated offset
  CHECK_FALSE(parse_rfc3339_us("2026-01-01T00:00:00+01:00 "));  // trailing space
  CHECK_FALSE(parse_rfc3339_us(" 2026-01-01T00:00:00Z"));       // leading space
  CHECK_FALSE(parse_rfc3339_us("２026-01-01T00:00:00Z"));       // non-ASCII digit
}
