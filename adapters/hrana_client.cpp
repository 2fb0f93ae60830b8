#include "adapters/hrana_client.hpp"

#include <httplib.h>

#include <cstdlib>

namespace memory_mcp {

using nlohmann::json;

const char* to_string(hrana_error::kind k) noexcept {
  switch (k) {
    case hrana_error::kind::network: return "network";
    case hrana_error::kind::tls: return "tls";
    case hrana_error::kind::auth: return "auth";
    case hrana_error::kind::http: return "http";
    case hrana_error::kind::protocol: return "protocol";
    case hrana_error::kind::sql: return "sql";
  }
  return "network";
}

json to_hrana_value(const json& v) {
  if (v.is_null()) return {{"type", "null"}};
  if (v.is_boolean()) return {{"type", "integer"}, {"value", v.get<bool>() ? "1" : "0"}};
  if (v.is_number_integer()) return {{"type", "integer"}, {"value", std::to_string(v.get<int64_t>())}};
  if (v.is_number_unsigned()) return {{"type", "integer"}, {"value", std::to_string(v.get<uint64_t>())}};
  if (v.is_number_float()) return {{"type", "float"}, {"value", v.get<double>()}};
  if (v.is_string()) return {{"type", "text"}, {"value", v.get<std::string>()}};
  return {{"type", "text"}, {"value", v.dump()}};  // objects and arrays travel as JSON text
}

json from_hrana_value(const json& v) {
  auto type = v.value("type", "null");
  if (type == "integer") {
    auto text = v.value("value", "0");
    return static_cast<int64_t>(std::strtoll(text.c_str(), nullptr, 10));
  }
  if (type == "float") return v.contains("value") && v["value"].is_number() ? v["value"] : json(0.0);
  if (type == "text") return v.value("value", "");
  if (type == "blob") return v.value("base64", "");
  return nullptr;
}

namespace {

json encode_stmt(const hrana_stmt& s) {
  json args = json::array();
  for (auto& a : s.args) args.push_back(to_hrana_value(a));
  return {{"sql", s.sql}, {"args", args}, {"want_rows", true}};
}

hrana_rows decode_rows(const json& result) {
  hrana_rows out;
  for (auto& c : result.value("cols", json::array())) out.columns.push_back(c.value("name", ""));
  for (auto& r : result.value("rows", json::array())) {
    std::vector<json> row;
    for (auto& v : r) row.push_back(from_hrana_value(v));
    out.rows.push_back(std::move(row));
  }
  return out;
}

template <class T>
hrana_result<T> fail(hrana_error::kind k, std::string message, int status = 0) {
  hrana_result<T> r;
  r.error = hrana_error{k, status, std::move(message)};
  return r;
}

}  // namespace

hrana_client::hrana_client(hrana_endpoint endpoint, std::string token)
    : endpoint_(std::move(endpoint)), token_(std::move(token)) {}

hrana_client::~hrana_client() = default;

void hrana_client::set_token(std::string token) { token_ = std::move(token); }

hrana_result<json> hrana_client::post(const json& body) {
  if (!http_) {
    if (!endpoint_.client_cert_path.empty())
      http_ = std::make_unique<httplib::SSLClient>(endpoint_.host, endpoint_.port, endpoint_.client_cert_path,
                                                   endpoint_.client_key_path);
    else
      http_ = std::make_unique<httplib::SSLClient>(endpoint_.host, endpoint_.port);
    if (!http_->is_valid()) {
      http_.reset();
      return fail<json>(hrana_error::kind::tls, "cannot set up TLS (client certificate or key unreadable or invalid)");
    }
    if (!endpoint_.ca_cert_path.empty()) http_->set_ca_cert_path(endpoint_.ca_cert_path);
    http_->enable_server_certificate_verification(true);
    http_->set_connection_timeout(std::chrono::milliseconds(endpoint_.connect_timeout_ms));
    http_->set_read_timeout(std::chrono::milliseconds(endpoint_.io_timeout_ms));
    http_->set_write_timeout(std::chrono::milliseconds(endpoint_.io_timeout_ms));
  }
  httplib::Headers headers = {{"Authorization", "Bearer " + token_}};
  auto res = http_->Post("/v2/pipeline", headers, body.dump(), "application/json");
  if (!res) {
    auto err = res.error();
    auto where = endpoint_.host + ":" + std::to_string(endpoint_.port);
    // A failed connection may leave the client in a bad state; start afresh next time.
    http_.reset();
    if (err == httplib::Error::SSLServerVerification)
      return fail<json>(hrana_error::kind::tls, "TLS verification of " + where +
                                                    " failed (certificate not trusted or not issued for this host)");
    if (err == httplib::Error::SSLConnection || err == httplib::Error::SSLLoadingCerts)
      return fail<json>(hrana_error::kind::tls, "TLS handshake with " + where + " failed: " + httplib::to_string(err));
    return fail<json>(hrana_error::kind::network, "request to " + where + " failed: " + httplib::to_string(err));
  }
  if (res->status == 401 || res->status == 403)
    return fail<json>(hrana_error::kind::auth, "the server refused the token (HTTP " + std::to_string(res->status) + ")",
                      res->status);
  if (res->status != 200)
    return fail<json>(hrana_error::kind::http,
                      "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 200), res->status);
  auto parsed = json::parse(res->body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("results") || !parsed["results"].is_array())
    return fail<json>(hrana_error::kind::protocol, "not a Hrana pipeline response: " + res->body.substr(0, 200), 200);
  hrana_result<json> ok;
  ok.value = std::move(parsed);
  return ok;
}

hrana_result<hrana_rows> hrana_client::execute(const hrana_stmt& stmt) {
  json body = {{"baton", nullptr}, {"requests", {{{"type", "execute"}, {"stmt", encode_stmt(stmt)}}}}};
  auto r = post(body);
  if (!r.ok()) return fail<hrana_rows>(r.error.what, r.error.message, r.error.http_status);
  const auto& first = (*r.value)["results"].empty() ? json::object() : (*r.value)["results"][0];
  if (first.value("type", "") != "ok") {
    auto msg = first.contains("error") ? first["error"].value("message", "unknown error") : std::string("no result");
    return fail<hrana_rows>(hrana_error::kind::sql, msg);
  }
  hrana_result<hrana_rows> out;
  out.value = decode_rows(first["response"]["result"]);
  return out;
}

hrana_result<std::vector<hrana_rows>> hrana_client::pipeline(const std::vector<hrana_stmt>& stmts) {
  json requests = json::array();
  for (auto& st : stmts) requests.push_back({{"type", "execute"}, {"stmt", encode_stmt(st)}});
  auto r = post({{"baton", nullptr}, {"requests", requests}});
  if (!r.ok()) return fail<std::vector<hrana_rows>>(r.error.what, r.error.message, r.error.http_status);
  const auto& results = (*r.value)["results"];
  hrana_result<std::vector<hrana_rows>> out;
  out.value.emplace();
  for (size_t i = 0; i < stmts.size(); ++i) {
    if (i >= results.size() || results[i].value("type", "") != "ok") {
      auto msg = i < results.size() && results[i].contains("error") ? results[i]["error"].value("message", "unknown error")
                                                                    : std::string("no result");
      return fail<std::vector<hrana_rows>>(hrana_error::kind::sql, "statement " + std::to_string(i) + ": " + msg);
    }
    out.value->push_back(decode_rows(results[i]["response"]["result"]));
  }
  return out;
}

hrana_result<std::vector<hrana_rows>> hrana_client::transaction(const std::vector<hrana_stmt>& stmts) {
  // Steps: 0 BEGIN; 1..n the statements, each conditioned on the previous step; n+1 COMMIT on step n;
  // n+2 ROLLBACK unless the COMMIT succeeded.
  json steps = json::array();
  steps.push_back({{"stmt", {{"sql", "BEGIN IMMEDIATE"}}}});
  for (size_t i = 0; i < stmts.size(); ++i)
    steps.push_back({{"stmt", encode_stmt(stmts[i])}, {"condition", {{"type", "ok"}, {"step", i}}}});
  size_t n = stmts.size();
  steps.push_back({{"stmt", {{"sql", "COMMIT"}}}, {"condition", {{"type", "ok"}, {"step", n}}}});
  steps.push_back({{"stmt", {{"sql", "ROLLBACK"}}},
                   {"condition", {{"type", "not"}, {"cond", {{"type", "ok"}, {"step", n + 1}}}}}});
  json body = {{"baton", nullptr}, {"requests", {{{"type", "batch"}, {"batch", {{"steps", steps}}}}}}};
  auto r = post(body);
  if (!r.ok()) return fail<std::vector<hrana_rows>>(r.error.what, r.error.message, r.error.http_status);
  const auto& first = (*r.value)["results"].empty() ? json::object() : (*r.value)["results"][0];
  if (first.value("type", "") != "ok")
    return fail<std::vector<hrana_rows>>(
        hrana_error::kind::sql, first.contains("error") ? first["error"].value("message", "batch failed") : "batch failed");
  const auto& result = first["response"]["result"];
  const auto& step_results = result.value("step_results", json::array());
  const auto& step_errors = result.value("step_errors", json::array());
  bool committed = step_results.size() > n + 1 && step_results[n + 1].is_object();
  if (!committed) {
    for (size_t i = 0; i < step_errors.size(); ++i)
      if (step_errors[i].is_object())
        return fail<std::vector<hrana_rows>>(
            hrana_error::kind::sql,
            (i == 0 ? std::string("BEGIN") : i <= n ? "statement " + std::to_string(i - 1) : std::string("COMMIT")) +
                " failed: " + step_errors[i].value("message", "unknown error") + "; the transaction was rolled back");
    return fail<std::vector<hrana_rows>>(hrana_error::kind::protocol, "the transaction did not commit");
  }
  hrana_result<std::vector<hrana_rows>> out;
  out.value.emplace();
  for (size_t i = 1; i <= n; ++i) out.value->push_back(decode_rows(step_results[i]));
  return out;
}

}  // namespace memory_mcp
