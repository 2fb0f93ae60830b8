// Unit tests for core/tags: trimming, lower-casing, the character set, length bounds and list de-duplication.
#include "core/tags.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace memory_mcp;

TEST_CASE("normalize_tag trims and lower-cases") {
  CHECK(normalize_tag("Auth") == "auth");
  CHECK(normalize_tag("  CI-Pipeline_2 \t\n") == "ci-pipeline_2");
  CHECK(normalize_tag("9lives") == "9lives");
  CHECK(normalize_tag("a-") == "a-");
}

TEST_CASE("normalize_tag refuses bad characters, bad first characters and bad lengths") {
  CHECK_FALSE(normalize_tag(""));
  CHECK_FALSE(normalize_tag("   "));
  CHECK_FALSE(normalize_tag("a"));          // too short
  CHECK_FALSE(normalize_tag(" a "));        // too short after trimming
  CHECK_FALSE(normalize_tag("bad tag"));    // inner space
  CHECK_FALSE(normalize_tag("bad!"));
  CHECK_FALSE(normalize_tag("a.b"));
  CHECK_FALSE(normalize_tag("a/b"));
  CHECK_FALSE(normalize_tag("-lead"));
  CHECK_FALSE(normalize_tag("_lead"));
  CHECK_FALSE(normalize_tag("caf\xC3\xA9"));  // non-ASCII letters are not allowed
  CHECK_FALSE(normalize_tag(std::string("a\0b", 3)));
}

TEST_CASE("normalize_tag length bounds: 2 and 100 accepted, 101 refused") {
  CHECK(normalize_tag("ab") == "ab");
  CHECK(normalize_tag(std::string(max_tag_length, 'x')) == std::string(max_tag_length, 'x'));
  CHECK_FALSE(normalize_tag(std::string(max_tag_length + 1, 'x')));
  // Surrounding whitespace does not count toward the limit.
  CHECK(normalize_tag("  " + std::string(max_tag_length, 'Y') + "  ") == std::string(max_tag_length, 'y'));
}

TEST_CASE("normalize_tags removes duplicates after normalization, keeping first-seen order") {
  size_t bad = 99;
  auto t = normalize_tags({"Beta", "alpha", "BETA", " alpha ", "gamma"}, bad);
  REQUIRE(t);
  CHECK(*t == std::vector<std::string>{"beta", "alpha", "gamma"});
  CHECK(bad == 99);  // untouched on success
}

TEST_CASE("normalize_tags reports the index of the first invalid entry") {
  size_t bad = 99;
  CHECK_FALSE(normalize_tags({"ok", "fine", "not ok", "x"}, bad));
  CHECK(bad == 2);
  CHECK_FALSE(normalize_tags({"x"}, bad));
  CHECK(bad == 0);
}

TEST_CASE("normalize_tags of an empty list is an empty list") {
  size_t bad = 0;
  auto t = normalize_tags({}, bad);
  REQUIRE(t);
  CHECK(t->empty());
}
