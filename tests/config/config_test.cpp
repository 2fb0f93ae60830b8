// Unit tests for config/config: env-file parsing, precedence (flags > env file > environment > defaults),
// every invalid value reported at once without echoing values, the libsql:// rule and the token file.
#include "config/config.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <unistd.h>
#include <vector>

using namespace memory_mcp;
namespace fs = std::filesystem;

namespace {

// A scratch directory removed at scope exit.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "memory-mcp-config-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

result<invocation> load(std::initializer_list<const char*> args, const env_map& env = {}) {
  std::vector<const char*> argv{"memory-mcp-server"};
  argv.insert(argv.end(), args.begin(), args.end());
  return load_invocation(static_cast<int>(argv.size()), argv.data(), env);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

size_t count_lines(const std::string& text) {
  size_t n = 1;
  for (char c : text) n += c == '\n';
  return n;
}

}  // namespace

// --- env file parsing -----------------------------------------------------------------------------------------

TEST_CASE("parse_env_file: KEY=VALUE lines, comments, blanks, export and whitespace") {
  auto r = parse_env_file(
      "# a comment\n"
      "\n"
      "A=1\n"
      "  B = two  \n"
      "export C=3\n"
      "D=\n"
      "E=x=y\n"
      "F=value # trailing comment\n"
      "G=a#b\n"
      "H=crlf\r\n");
  REQUIRE(r);
  auto& m = r.value();
  CHECK(m.at("A") == "1");
  CHECK(m.at("B") == "two");
  CHECK(m.at("C") == "3");
  CHECK(m.at("D") == "");
  CHECK(m.at("E") == "x=y");
  CHECK(m.at("F") == "value");
  CHECK(m.at("G") == "a#b");
  CHECK(m.at("H") == "crlf");
  CHECK(m.size() == 8);
}

TEST_CASE("parse_env_file: quoted values") {
  auto r = parse_env_file(
      "A=\"hello world\"\n"
      "B='single $x \\n kept'\n"
      "C=\"line1\\nline2 \\\"q\\\" back\\\\slash\"\n"
      "D=\" # not a comment\"\n"
      "E=\"\"\n");
  REQUIRE(r);
  auto& m = r.value();
  CHECK(m.at("A") == "hello world");
  CHECK(m.at("B") == "single $x \\n kept");
  CHECK(m.at("C") == "line1\nline2 \"q\" back\\slash");
  CHECK(m.at("D") == " # not a comment");
  CHECK(m.at("E") == "");
}

TEST_CASE("parse_env_file: every malformed line is reported by number, never by value") {
  auto r = parse_env_file(
      "GOOD=1\n"
      "no_equals_sign_secret\n"
      "=value\n"
      "1BAD=x\n"
      "BAD-KEY=x\n"
      "Q=\"unterminated secretvalue\n"
      "OK2=2\n");
  REQUIRE_FALSE(r);
  CHECK(r.err().code == error_code::invalid_argument);
  CHECK(contains(r.err().message, "2, 3, 4, 5, 6"));
  CHECK_FALSE(contains(r.err().message, "secret"));
  CHECK_FALSE(contains(r.err().message, "7"));
}

TEST_CASE("parse_env_file: an empty file is an empty map") {
  auto r = parse_env_file("");
  REQUIRE(r);
  CHECK(r.value().empty());
}

// --- defaults and precedence ---------------------------------------------------------------------------------

TEST_CASE("defaults apply with no flags, environment or env file") {
  auto r = load({});
  REQUIRE(r);
  auto& inv = r.value();
  CHECK(inv.cmd == command::serve);
  CHECK(inv.cfg.data_dir == "./data");
  CHECK(inv.cfg.db_path == "./data/memory.db");
  CHECK(inv.cfg.max_message_bytes == (4u << 20));
  CHECK(inv.cfg.max_json_depth == 64);
  CHECK(inv.cfg.tools_page_size == 50);
  CHECK(inv.cfg.stderr_log_level == log_level::info);
  CHECK(inv.cfg.http_addr == "127.0.0.1:3000");
  CHECK(inv.cfg.max_restarts == 5);
  CHECK(inv.cfg.env_file.empty());
}

TEST_CASE("the environment sets values; db_path follows data_dir unless set") {
  auto r = load({}, {{"MEMORY_DATA_DIR", "/srv/mem"},
                     {"MEMORY_MCP_TOOLS_PAGE_SIZE", "1"},
                     {"MEMORY_MCP_LOG_LEVEL", "DEBUG"},
                     {"MEMORY_MCP_HTTP_ADDR", "off"},
                     {"MCP_RATE_LIMIT_ENABLED", "no"},
                     {"MCP_RATE_LIMIT_READ_RPS", "2.5"},
                     {"MEMORY_MCP_MAX_RESTARTS", "2"},
                     {"MEMORY_MCP_RESTART_WINDOW_MS", "1000"},
                     {"AUDIT_LOG_DESTINATION", "file"}});
  REQUIRE(r);
  auto& c = r.value().cfg;
  CHECK(c.data_dir == "/srv/mem");
  CHECK(c.db_path == "/srv/mem/memory.db");
  CHECK(c.tools_page_size == 1);
  CHECK(c.stderr_log_level == log_level::debug);
  CHECK(c.http_addr == "off");
  CHECK_FALSE(c.rate_limit.enabled);
  CHECK(c.rate_limit.read_rps == doctest::Approx(2.5));
  CHECK(c.max_restarts == 2);
  CHECK(c.restart_window_ms == 1000);
  CHECK(c.audit.destination == audit_destination::file);

  auto explicit_db = load({}, {{"MEMORY_DATA_DIR", "/srv/mem"}, {"MEMORY_DB_PATH", "/other/x.db"}});
  REQUIRE(explicit_db);
  CHECK(explicit_db.value().cfg.db_path == "/other/x.db");
}

TEST_CASE("precedence: flags > env file > environment > defaults") {
  temp_dir dir;
  auto env_file = dir.write("memory.env",
                            "MEMORY_DATA_DIR=/from/file\n"
                            "MEMORY_MCP_LOG_LEVEL=warning\n"
                            "MEMORY_MCP_TOOLS_PAGE_SIZE=7\n");
  env_map env = {{"MEMORY_MCP_ENV_FILE", env_file},
                 {"MEMORY_DATA_DIR", "/from/env"},
                 {"MEMORY_MCP_LOG_LEVEL", "error"},
                 {"MEMORY_MCP_TOOLS_PAGE_SIZE", "9"},
                 {"MEMORY_MCP_MAX_JSON_DEPTH", "32"}};
  auto r = load({"--data-dir", "/from/flag"}, env);
  REQUIRE(r);
  auto& c = r.value().cfg;
  CHECK(c.data_dir == "/from/flag");               // flag beats env file and environment
  CHECK(c.stderr_log_level == log_level::warning);  // env file beats environment
  CHECK(c.tools_page_size == 7);                    // env file beats environment
  CHECK(c.max_json_depth == 32);                    // environment beats default
  CHECK(c.max_message_bytes == (4u << 20));         // default
  CHECK(c.env_file == env_file);
}

TEST_CASE("--env-file beats MEMORY_MCP_ENV_FILE and flags accept --name=value") {
  temp_dir dir;
  auto a = dir.write("a.env", "MEMORY_DATA_DIR=/a\n");
  auto b = dir.write("b.env", "MEMORY_DATA_DIR=/b\n");
  auto r = load({("--env-file=" + b).c_str(), "--log-level=notice"}, {{"MEMORY_MCP_ENV_FILE", a}});
  REQUIRE(r);
  CHECK(r.value().cfg.data_dir == "/b");
  CHECK(r.value().cfg.env_file == b);
  CHECK(r.value().cfg.stderr_log_level == log_level::notice);
}

TEST_CASE("a flag given an invalid value is reported under the flag's name") {
  auto r = load({"--log-level", "loud"}, {{"MEMORY_MCP_LOG_LEVEL", "debug"}});
  REQUIRE_FALSE(r);
  CHECK(contains(r.err().message, "--log-level: invalid value"));
  CHECK_FALSE(contains(r.err().message, "loud"));
}

// --- validation --------------------------------------------------------------------------------------------

TEST_CASE("every invalid value is reported at once, one per line, naming each variable but never the value") {
  auto r = load({"--bogus-flag", "frobnicate"},
                {{"MEMORY_MCP_MAX_MESSAGE_BYTES", "-5"},
                 {"MEMORY_MCP_MAX_JSON_DEPTH", "deep"},
                 {"MEMORY_MCP_LOG_LEVEL", "sekrit-level"},
                 {"MCP_RATE_LIMIT_ENABLED", "maybe"},
                 {"MCP_RATE_LIMIT_WRITE_RPS", "0"},
                 {"AUDIT_LOG_DESTINATION", "stdout"},
                 {"MEMORY_MCP_MAX_RESTARTS", "1001"},
                 {"MEMORY_MCP_RESTART_WINDOW_MS", "1.5"},
                 {"MEMORY_MCP_HTTP_ADDR", "no-port"},
                 {"MEMORY_MCP_TLS_CERT_PATH", "/cert.pem"}});
  REQUIRE_FALSE(r);
  const auto& msg = r.err().message;
  CHECK(r.err().code == error_code::invalid_argument);
  for (const char* name : {"--bogus-flag", "'frobnicate'", "MEMORY_MCP_MAX_MESSAGE_BYTES", "MEMORY_MCP_MAX_JSON_DEPTH",
                           "MEMORY_MCP_LOG_LEVEL", "MCP_RATE_LIMIT_ENABLED", "MCP_RATE_LIMIT_WRITE_RPS",
                           "AUDIT_LOG_DESTINATION", "MEMORY_MCP_MAX_RESTARTS", "MEMORY_MCP_RESTART_WINDOW_MS",
                           "MEMORY_MCP_HTTP_ADDR", "MEMORY_MCP_TLS_KEY_PATH"}) {
    CAPTURE(name);
    CHECK(contains(msg, name));
  }
  CHECK(count_lines(msg) == 12);
  CHECK_FALSE(contains(msg, "sekrit"));
}

TEST_CASE("learning settings: a quality threshold from 0 to 1, a positive half-life") {
  auto load = [](std::vector<std::pair<std::string, std::string>> env) {
    env_map m(env.begin(), env.end());
    const char* argv[] = {"memory-mcp-server"};
    return load_invocation(1, argv, m);
  };
  for (auto ok : {"0", "0.0", "0.00", "0.3", "1"}) {
    auto r = load({{"MEMORY_MCP_LEARNING_MIN_QUALITY", ok}});
    REQUIRE_MESSAGE(r, ok);
  }
  CHECK(load({{"MEMORY_MCP_LEARNING_MIN_QUALITY", "0.25"}}).value().cfg.learning_min_quality == doctest::Approx(0.25));
  for (auto bad : {"-0.1", "1.5", "x", "", "nan"}) CHECK_FALSE(load({{"MEMORY_MCP_LEARNING_MIN_QUALITY", bad}}));
  CHECK(load({{"MEMORY_MCP_FEEDBACK_HALF_LIFE_DAYS", "7.5"}}).value().cfg.feedback_half_life_days == 7.5);
  CHECK_FALSE(load({{"MEMORY_MCP_FEEDBACK_HALF_LIFE_DAYS", "0"}}));
}

TEST_CASE("range checks in validate()") {
  config c;
  c.db_path = "x";
  CHECK(validate(c).empty());
  c.max_message_bytes = 1023;
  c.max_json_depth = 7;
  c.tools_page_size = 1001;
  c.rate_limit.read_burst = 0.5;
  c.data_dir = "";
  auto problems = validate(c);
  CHECK(problems.size() == 5);

  CHECK(load({}, {{"MEMORY_MCP_MAX_JSON_DEPTH", "513"}}).err().message.find("between 8 and 512") != std::string::npos);
  CHECK(load({}, {{"MEMORY_MCP_MAX_MESSAGE_BYTES", "1023"}}).err().message.find("MEMORY_MCP_MAX_MESSAGE_BYTES") !=
        std::string::npos);
}

TEST_CASE("the boundaries of the limits are accepted") {
  CHECK(load({}, {{"MEMORY_MCP_MAX_MESSAGE_BYTES", "1024"}, {"MEMORY_MCP_MAX_JSON_DEPTH", "8"},
                  {"MEMORY_MCP_TOOLS_PAGE_SIZE", "1000"}}));
  CHECK(load({}, {{"MEMORY_MCP_MAX_MESSAGE_BYTES", "268435456"}, {"MEMORY_MCP_MAX_JSON_DEPTH", "512"}}));
  CHECK_FALSE(load({}, {{"MEMORY_MCP_TOOLS_PAGE_SIZE", "0"}}));
}

TEST_CASE("HTTP address forms") {
  CHECK(load({}, {{"MEMORY_MCP_HTTP_ADDR", "127.0.0.1:0"}}));
  CHECK(load({}, {{"MEMORY_MCP_HTTP_ADDR", "[::1]:8080"}}));
  CHECK_FALSE(load({}, {{"MEMORY_MCP_HTTP_ADDR", "127.0.0.1:65536"}}));
  CHECK_FALSE(load({}, {{"MEMORY_MCP_HTTP_ADDR", ":3000"}}));
  CHECK_FALSE(load({}, {{"MEMORY_MCP_HTTP_ADDR", "host:"}}));
  auto hp = parse_host_port("[::1]:8080");
  REQUIRE(hp);
  CHECK(hp->host == "::1");
  CHECK(hp->port == 8080);
  CHECK_FALSE(parse_host_port("localhost:http"));
}

// --- Turso URL and token ---------------------------------------------------------------------------------------

TEST_CASE("TURSO_DATABASE_URL: only libsql:// is accepted") {
  for (const char* url : {"https://db.turso.io", "http://db.turso.io", "ws://db.turso.io", "file:local.db",
                          "libsql://", "LIBSQL://db.turso.io", "libsql:db"}) {
    CAPTURE(url);
    auto r = load({}, {{"TURSO_DATABASE_URL", url}, {"TURSO_AUTH_TOKEN", "t"}});
    REQUIRE_FALSE(r);
    CHECK(contains(r.err().message, "TURSO_DATABASE_URL"));
    CHECK(contains(r.err().message, "libsql://"));
  }
  auto ok = load({}, {{"TURSO_DATABASE_URL", "libsql://db-org.turso.io"}, {"TURSO_AUTH_TOKEN", "tok"}});
  REQUIRE(ok);
  CHECK(ok.value().cfg.turso_url == "libsql://db-org.turso.io");
  CHECK(ok.value().cfg.turso_auth_token == "tok");
}

TEST_CASE("a Turso URL without a token is refused") {
  auto r = load({}, {{"TURSO_DATABASE_URL", "libsql://db.turso.io"}});
  REQUIRE_FALSE(r);
  CHECK(contains(r.err().message, "TURSO_AUTH_TOKEN"));
}

TEST_CASE("TURSO_AUTH_TOKEN_FILE: the first line of the file, trimmed, is the token") {
  temp_dir dir;
  auto file = dir.write("token", "  s3cr3t-token \nsecond line ignored\n");
  auto r = load({}, {{"TURSO_DATABASE_URL", "libsql://db.turso.io"}, {"TURSO_AUTH_TOKEN_FILE", file}});
  REQUIRE(r);
  CHECK(r.value().cfg.turso_auth_token == "s3cr3t-token");
}

TEST_CASE("TURSO_AUTH_TOKEN_FILE may come from the env file") {
  temp_dir dir;
  auto token = dir.write("token", "from-file");
  auto env_file = dir.write("m.env", "TURSO_DATABASE_URL=libsql://db.turso.io\nTURSO_AUTH_TOKEN_FILE=" + token + "\n");
  auto r = load({"--env-file", env_file.c_str()});
  REQUIRE(r);
  CHECK(r.value().cfg.turso_auth_token == "from-file");
}

TEST_CASE("an unreadable token file and both token sources are errors that never show the token") {
  auto missing = load({}, {{"TURSO_DATABASE_URL", "libsql://db.turso.io"},
                           {"TURSO_AUTH_TOKEN_FILE", "/nonexistent/memory-mcp/token"}});
  REQUIRE_FALSE(missing);
  CHECK(contains(missing.err().message, "TURSO_AUTH_TOKEN_FILE"));

  temp_dir dir;
  auto file = dir.write("token", "filetoken");
  auto both = load({}, {{"TURSO_DATABASE_URL", "libsql://db.turso.io"},
                        {"TURSO_AUTH_TOKEN", "envtoken"},
                        {"TURSO_AUTH_TOKEN_FILE", file}});
  REQUIRE_FALSE(both);
  CHECK(contains(both.err().message, "both set"));
  CHECK_FALSE(contains(both.err().message, "envtoken"));
  CHECK_FALSE(contains(both.err().message, "filetoken"));
}

TEST_CASE("MEMORY_MCP_METRICS_TOKEN(_FILE): a secret of at least 16 characters, never echoed when refused") {
  auto ok = load({}, {{"MEMORY_MCP_METRICS_TOKEN", "0123456789abcdef"}});
  REQUIRE(ok);
  CHECK(ok.value().cfg.metrics_token == "0123456789abcdef");

  temp_dir dir;
  auto file = dir.write("metrics-token", "scrape-token-from-a-file\n");
  auto from_file = load({}, {{"MEMORY_MCP_METRICS_TOKEN_FILE", file}});
  REQUIRE(from_file);
  CHECK(from_file.value().cfg.metrics_token == "scrape-token-from-a-file");

  for (const char* bad : {"short", "has a space in it!!"}) {
    CAPTURE(bad);
    auto r = load({}, {{"MEMORY_MCP_METRICS_TOKEN", bad}});
    REQUIRE_FALSE(r);
    CHECK(contains(r.err().message, "MEMORY_MCP_METRICS_TOKEN"));
    CHECK(contains(r.err().message, "16 characters"));
    CHECK_FALSE(contains(r.err().message, bad));
  }
  auto both = load({}, {{"MEMORY_MCP_METRICS_TOKEN", "0123456789abcdef"}, {"MEMORY_MCP_METRICS_TOKEN_FILE", file}});
  REQUIRE_FALSE(both);
  CHECK(contains(both.err().message, "both set"));
}

// --- env file errors ------------------------------------------------------------------------------------------

TEST_CASE("a missing env file is reported with its path, together with other problems") {
  auto r = load({"--env-file", "/nonexistent/memory.env"}, {{"MEMORY_MCP_LOG_LEVEL", "x"}});
  REQUIRE_FALSE(r);
  CHECK(contains(r.err().message, "/nonexistent/memory.env"));
  CHECK(contains(r.err().message, "MEMORY_MCP_LOG_LEVEL"));
}

TEST_CASE("a malformed env file names the file and the lines") {
  temp_dir dir;
  auto f = dir.write("bad.env", "A=1\nthis is not a setting\n");
  auto r = load({"--env-file", f.c_str()});
  REQUIRE_FALSE(r);
  CHECK(contains(r.err().message, "line(s) 2"));
  CHECK(contains(r.err().message, f));
}

TEST_CASE("an invalid value from the env file is reported under its variable name") {
  temp_dir dir;
  auto f = dir.write("m.env", "MEMORY_MCP_MAX_RESTARTS=many\n");
  auto r = load({"--env-file", f.c_str()});
  REQUIRE_FALSE(r);
  CHECK(contains(r.err().message, "MEMORY_MCP_MAX_RESTARTS: invalid value"));
  CHECK_FALSE(contains(r.err().message, "many"));
}

// --- commands -------------------------------------------------------------------------------------------------

TEST_CASE("commands and positional arguments") {
  CHECK(load({"--help"}).value().cmd == command::help);
  CHECK(load({"-h"}).value().cmd == command::help);
  CHECK(load({"--version"}).value().cmd == command::version);
  CHECK(load({"--version", "--help"}).value().cmd == command::help);
  CHECK(load({"serve"}).value().cmd == command::serve);
  CHECK(load({"health-check"}).value().cmd == command::health_check);
  auto exp = load({"export", "out.jsonl"});
  REQUIRE(exp);
  CHECK(exp.value().cmd == command::export_jsonl);
  CHECK(exp.value().args == std::vector<std::string>{"out.jsonl"});
  auto bad = load({"frobnicate"});
  REQUIRE_FALSE(bad);
  CHECK(contains(bad.err().message, "unknown command 'frobnicate'"));
  auto missing_value = load({"--data-dir"});
  REQUIRE_FALSE(missing_value);
  CHECK(contains(missing_value.err().message, "--data-dir needs a value"));
}

TEST_CASE("help_text documents every environment variable the loader accepts") {
  auto help = help_text();
  for (const char* name : {"MEMORY_MCP_ENV_FILE", "MEMORY_DATA_DIR", "MEMORY_DB_PATH", "MEMORY_MCP_MAX_MESSAGE_BYTES",
                           "MEMORY_MCP_MAX_JSON_DEPTH", "MEMORY_MCP_TOOLS_PAGE_SIZE", "MEMORY_MCP_LOG_LEVEL",
                           "MEMORY_MCP_HTTP_ADDR", "MEMORY_MCP_TLS_CERT_PATH", "MEMORY_MCP_TLS_KEY_PATH",
                           "MCP_RATE_LIMIT_ENABLED", "MCP_RATE_LIMIT_READ_RPS", "MCP_RATE_LIMIT_READ_BURST",
                           "MCP_RATE_LIMIT_WRITE_RPS", "MCP_RATE_LIMIT_WRITE_BURST", "AUDIT_LOG_ENABLED",
                           "AUDIT_LOG_DESTINATION", "AUDIT_LOG_FILE_PATH", "TURSO_DATABASE_URL",
                           "TURSO_AUTH_TOKEN", "TURSO_AUTH_TOKEN_FILE", "MEMORY_MCP_METRICS_TOKEN",
                           "MEMORY_MCP_METRICS_TOKEN_FILE", "MEMORY_MCP_MAX_RESTARTS",
                           "MEMORY_MCP_RESTART_WINDOW_MS", "MEMORY_MCP_RESTART_BACKOFF_MS",
                           "MEMORY_MCP_SHUTDOWN_TIMEOUT_MS"}) {
    CAPTURE(name);
    CHECK(contains(help, name));
  }
}
