#include "adapters/json_schema.hpp"

#include <cmath>
#include <regex>
#include <set>

#include "core/time_format.hpp"

namespace memory_mcp {

namespace {

const char* type_name(const nlohmann::json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

bool has_type(const nlohmann::json& v, const std::string& t) {
  if (t == "null") return v.is_null();
  if (t == "boolean") return v.is_boolean();
  if (t == "integer") {
    if (v.is_number_integer() || v.is_number_unsigned()) return true;
    if (v.is_number_float()) {
      // Not via a cast to long long: that is undefined behaviour for |d| >= 2^63 (e.g. a client's 1e300).
      double d = v.get<double>();
      return std::isfinite(d) && std::trunc(d) == d;
    }
    return false;
  }
  if (t == "number") return v.is_number();
  if (t == "string") return v.is_string();
  if (t == "array") return v.is_array();
  if (t == "object") return v.is_object();
  return false;
}

bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

std::string short_value(const nlohmann::json& v) {
  auto s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string number_text(double d) {
  if (d == static_cast<double>(static_cast<long long>(d))) return std::to_string(static_cast<long long>(d));
  auto s = std::to_string(d);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

}  // namespace

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

namespace {

// Where in the value the validator is, rendered as a dotted path only when a message needs it (validation runs on
// every call; building the path for every field would cost more than the checks).
struct path_ref {
  const path_ref* parent = nullptr;
  const std::string* key = nullptr;  // a property name, or the root's name
  size_t index = 0;                  // an array index when key is null
};

std::string render(const path_ref& p) {
  if (!p.parent) return p.key ? *p.key : std::string();
  return render(*p.parent) + (p.key ? "." + *p.key : "[" + std::to_string(p.index) + "]");
}

std::optional<std::string> check(const nlohmann::json& schema, const nlohmann::json& v, const path_ref& at);

}  // namespace

std::optional<std::string> validate_json(const nlohmann::json& schema, const nlohmann::json& v,
                                         const std::string& path) {
  return check(schema, v, path_ref{nullptr, &path, 0});
}

namespace {

std::optional<std::string> check(const nlohmann::json& schema, const nlohmann::json& v, const path_ref& at) {
  if (!schema.is_object()) return std::nullopt;
  if (auto any = schema.find("anyOf"); any != schema.end() && any->is_array() && !any->empty()) {
    // One branch must accept the value. When none does, the error of the branch whose "type" fits the value is the
    // useful one (e.g. a string that is too long); when no branch's type fits, name the types.
    std::optional<std::string> fitting_error;
    std::string expected;
    bool accepted = false;
    for (auto& branch : *any) {
      auto err = check(branch, v, at);
      if (!err) {
        accepted = true;
        break;
      }
      auto t = branch.is_object() ? branch.find("type") : branch.end();
      if (branch.is_object() && t != branch.end() && t->is_string()) {
        expected += (expected.empty() ? "" : " or ") + t->get<std::string>();
        if (has_type(v, *t) && !fitting_error) fitting_error = err;
      } else if (!fitting_error) {
        fitting_error = err;
      }
    }
    if (!accepted) {
      if (fitting_error) return fitting_error;
      return render(at) + ": must be " + expected + " (got " + type_name(v) + ")";
    }
  }
  // Messages are built only on failure: validation runs on every call.
  if (auto t = schema.find("type"); t != schema.end()) {
    bool match = false;
    if (t->is_string()) {
      match = has_type(v, t->get_ref<const std::string&>());
    } else if (t->is_array()) {
      for (auto& one : *t) match = match || has_type(v, one);
    }
    if (!match) {
      std::string expected = t->is_string() ? t->get<std::string>() : std::string();
      if (t->is_array())
        for (auto& one : *t) expected += (expected.empty() ? "" : " or ") + one.get<std::string>();
      return render(at) + ": must be " + expected + " (got " + type_name(v) + ")";
    }
  }
  if (auto e = schema.find("enum"); e != schema.end()) {
    bool found = false;
    for (auto& o : *e) found = found || o == v;
    if (!found) {
      std::string options;
      for (auto& o : *e) options += (options.empty() ? "" : ", ") + short_value(o);
      return render(at) + ": must be one of " + options + " (got " + short_value(v) + ")";
    }
  }
  if (auto c = schema.find("const"); c != schema.end() && *c != v)
    return render(at) + ": must be " + short_value(*c) + " (got " + short_value(v) + ")";

  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    size_t len = utf8_length(s);
    if (auto m = schema.find("maxLength"); m != schema.end() && len > m->get<size_t>())
      return render(at) + ": length " + std::to_string(len) + " exceeds the maximum of " + std::to_string(m->get<size_t>()) +
             " characters";
    if (auto m = schema.find("minLength"); m != schema.end() && len < m->get<size_t>())
      return render(at) + ": length " + std::to_string(len) + " is below the minimum of " + std::to_string(m->get<size_t>()) +
             " characters";
    if (auto f = schema.find("format"); f != schema.end()) {
      if (*f == "uuid" && !is_uuid(s)) return render(at) + ": must be a UUID (got " + short_value(v) + ")";
      if (*f == "date-time" && !parse_rfc3339_us(s))
        return render(at) + ": must be an RFC 3339 date-time (got " + short_value(v) + ")";
    }
    if (auto p = schema.find("pattern"); p != schema.end()) {
      // Patterns are ours (from the catalog), never the client's, so compiling them cannot be abused.
      std::regex re(p->get<std::string>(), std::regex::ECMAScript);
      if (!std::regex_search(s, re))
        return render(at) + ": must match " + p->get<std::string>() + " (got " + short_value(v) + ")";
    }
  }
  if (v.is_number()) {
    double d = v.get<double>();
    if (auto m = schema.find("minimum"); m != schema.end() && d < m->get<double>())
      return render(at) + ": must be >= " + number_text(m->get<double>()) + " (got " + short_value(v) + ")";
    if (auto m = schema.find("maximum"); m != schema.end() && d > m->get<double>())
      return render(at) + ": must be <= " + number_text(m->get<double>()) + " (got " + short_value(v) + ")";
  }
  if (v.is_array()) {
    if (auto m = schema.find("maxItems"); m != schema.end() && v.size() > m->get<size_t>())
      return render(at) + ": " + std::to_string(v.size()) + " items exceed the maximum of " + std::to_string(m->get<size_t>());
    if (auto m = schema.find("minItems"); m != schema.end() && v.size() < m->get<size_t>())
      return render(at) + ": needs at least " + std::to_string(m->get<size_t>()) + " item(s) (got " +
             std::to_string(v.size()) + ")";
    if (auto u = schema.find("uniqueItems"); u != schema.end() && u->is_boolean() && u->get<bool>()) {
      std::set<std::string> seen;
      for (size_t i = 0; i < v.size(); ++i)
        if (!seen.insert(v[i].dump()).second) return render(path_ref{&at, nullptr, i}) + ": duplicate item";
    }
    if (auto items = schema.find("items"); items != schema.end())
      for (size_t i = 0; i < v.size(); ++i)
        if (auto err = check(*items, v[i], path_ref{&at, nullptr, i})) return err;
  }
  if (v.is_object()) {
    if (auto m = schema.find("maxProperties"); m != schema.end() && v.size() > m->get<size_t>())
      return render(at) + ": " + std::to_string(v.size()) + " properties exceed the maximum of " +
             std::to_string(m->get<size_t>());
    if (auto req = schema.find("required"); req != schema.end())
      for (auto& name : *req)
        if (!v.contains(name.get<std::string>()))
          return render(at) + "." + name.get<std::string>() + ": is required";
    auto props = schema.find("properties");
    auto additional = schema.find("additionalProperties");
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& key = it.key();
      path_ref sub{&at, &key, 0};
      auto prop = props != schema.end() ? props->find(key) : schema.end();
      if (props != schema.end() && prop != props->end()) {
        if (auto err = check(*prop, it.value(), sub)) return err;
      } else if (additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>())
          return render(sub) + ": unknown field (allowed: " + [&] {
            std::string names;
            if (props != schema.end())
              for (auto p = props->begin(); p != props->end(); ++p) names += (names.empty() ? "" : ", ") + p.key();
            return names.empty() ? std::string("none") : names;
          }() + ")";
        if (additional->is_object())
          if (auto err = check(*additional, it.value(), sub)) return err;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

}  // namespace memory_mcp
