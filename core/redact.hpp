// Secret redaction for audit lines: by key name and by value pattern. Pure.
#pragma once

#include <string>

namespace memory_mcp {

// True for keys that name a secret (token, secret, password, passwd, authorization, api_key, apikey,
// private_key, credential), case-insensitive, anywhere in the key.
bool is_secret_key(const std::string& key);

// Replaces secret-looking parts of free text with "[REDACTED]": bearer/basic credentials, JWTs, well-known API
// key formats (sk-/pk-/rk-, GitHub, Slack, AWS access key ids), "token=..."-style assignments, and long random
// strings (40+ characters of base64/hex alphabet mixing letters and digits). UUIDs are kept.
std::string redact_secrets(const std::string& text);

}  // namespace memory_mcp
