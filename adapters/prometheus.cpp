#include "adapters/prometheus.hpp"

#include <cstdio>
#include <cstring>
#include <limits>

#include <cmath>
#include <cstdio>

namespace memory_mcp {

namespace {

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == static_cast<double>(static_cast<int64_t>(v)) && std::fabs(v) < 1e15)
    return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.16g", v);
  return buf;
}

}  // namespace

const std::vector<double>& latency_histogram::bounds() {
  static const std::vector<double> b = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return b;
}

void latency_histogram::observe(double seconds) {
  ++count_;
  sum_ += seconds;
  const auto& b = bounds();
  for (size_t i = 0; i < b.size(); ++i)
    if (seconds <= b[i]) {
      ++counts_[i];
      return;
    }
}

std::string render_labels(const metric_labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '\\') out += "\\\\";
      else if (c == '"') out += "\\\"";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    out += '"';
  }
  return out + "}";
}

void metrics_text::family(const std::string& name, const std::string& type, const std::string& help,
                          const std::vector<std::pair<metric_labels, double>>& samples) {
  out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  for (auto& [labels, value] : samples) out_ += name + render_labels(labels) + " " + number(value) + "\n";
}

void metrics_text::histogram(const std::string& name, const std::string& help,
                             const std::map<metric_labels, latency_histogram>& series) {
  out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
  for (auto& [labels, h] : series) {
    uint64_t cumulative = 0;
    const auto& b = latency_histogram::bounds();
    for (size_t i = 0; i < b.size(); ++i) {
      cumulative += h.buckets()[i];
      auto l = labels;
      l.emplace_back("le", number(b[i]));
      out_ += name + "_bucket" + render_labels(l) + " " + std::to_string(cumulative) + "\n";
    }
    auto l = labels;
    l.emplace_back("le", "+Inf");
    out_ += name + "_bucket" + render_labels(l) + " " + std::to_string(h.count()) + "\n";
    out_ += name + "_sum" + render_labels(labels) + " " + number(h.sum()) + "\n";
    out_ += name + "_count" + render_labels(labels) + " " + std::to_string(h.count()) + "\n";
  }
}

double latency_histogram::quantile_upper_bound(double q) const {
  if (count_ == 0) return 0;
  const auto& b = bounds();
  double need = q * static_cast<double>(count_);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    cumulative += counts_[i];
    if (static_cast<double>(cumulative) >= need) return b[i];
  }
  return std::numeric_limits<double>::infinity();
}

namespace {
uint64_t status_kb(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  uint64_t kb = 0;
  auto len = std::strlen(field);
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, field, len) == 0 && line[len] == ':') {
      std::sscanf(line + len + 1, "%lu", &kb);
      break;
    }
  std::fclose(f);
  return kb;
}
}  // namespace

uint64_t process_resident_bytes() { return status_kb("VmRSS") * 1024; }
uint64_t process_peak_resident_bytes() { return status_kb("VmHWM") * 1024; }

}  // namespace memory_mcp
