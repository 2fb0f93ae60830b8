// A client for Hrana over HTTP (POST /v2/pipeline), the protocol Turso Cloud, self-hosted libSQL (sqld) and
// `tursodb --sync-server` speak. Always TLS with certificate and host-name verification (libsql:// maps to
// https://host:port/v2/pipeline); optional private CA and client certificate (mTLS). Each call is one HTTP
// request; a transaction never spans requests (servers such as tursodb share one connection between all
// clients, so a transaction left open would capture other clients' statements).
//
// Owned by one actor (the Turso syncer); not thread-safe. The bearer token is sent only in the Authorization
// header and never appears in an error message.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace httplib {
class SSLClient;
}

namespace memory_mcp {

// A statement with positional arguments. Arguments are plain JSON values: null, integer, float, string;
// they are encoded as Hrana values ({"type":"integer","value":"42"}, ...).
struct hrana_stmt {
  std::string sql;
  std::vector<nlohmann::json> args;
};

// Rows of one statement, decoded back to plain JSON values (integers as numbers, blobs as base64 strings).
struct hrana_rows {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
};

// Why a call failed. The syncer backs off on every kind; `auth` is audited; `sql` means the remote refused a
// statement (the batch was rolled back).
struct hrana_error {
  enum class kind { network, tls, auth, http, protocol, sql };
  kind what = kind::network;
  int http_status = 0;
  std::string message;  // never contains the token
};

const char* to_string(hrana_error::kind k) noexcept;

template <class T>
struct hrana_result {
  std::optional<T> value;
  hrana_error error;
  bool ok() const { return value.has_value(); }
};

struct hrana_endpoint {
  std::string host;
  uint16_t port = 443;
  std::string ca_cert_path;      // empty: the system's CA store
  std::string client_cert_path;  // with client_key_path: mTLS
  std::string client_key_path;
  int connect_timeout_ms = 2000;
  int io_timeout_ms = 5000;      // read and write; bounds how long a shutdown can wait for a request in flight
};

class hrana_client {
 public:
  hrana_client(hrana_endpoint endpoint, std::string token);
  ~hrana_client();
  hrana_client(const hrana_client&) = delete;
  hrana_client& operator=(const hrana_client&) = delete;

  // The next request uses `token` (SIGHUP rotation).
  void set_token(std::string token);

  // Runs one statement. Errors: any kind.
  hrana_result<hrana_rows> execute(const hrana_stmt& stmt);

  // Runs the statements one after another in one request, outside any transaction (reads). Errors: any kind;
  // `sql` for the first statement the server refused.
  hrana_result<std::vector<hrana_rows>> pipeline(const std::vector<hrana_stmt>& stmts);

  // Runs the statements as one transaction in one request: BEGIN, each statement only if the previous one
  // succeeded, COMMIT, and ROLLBACK if anything failed. Either every statement took effect or none did.
  // Returns the rows of each statement. Errors: any kind; `sql` names the first failing statement's index.
  hrana_result<std::vector<hrana_rows>> transaction(const std::vector<hrana_stmt>& stmts);

 private:
  hrana_result<nlohmann::json> post(const nlohmann::json& body);

  hrana_endpoint endpoint_;
  std::string token_;
  std::unique_ptr<httplib::SSLClient> http_;
};

// Encodes a plain JSON value as a Hrana value, and back.
nlohmann::json to_hrana_value(const nlohmann::json& v);
nlohmann::json from_hrana_value(const nlohmann::json& v);

}  // namespace memory_mcp
