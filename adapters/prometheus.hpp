// Rendering metrics in the Prometheus text exposition format (version 0.0.4). Pure; no registry, no globals:
// each actor keeps its own counters and renders them on request.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace memory_mcp {

using metric_labels = std::vector<std::pair<std::string, std::string>>;

// A latency histogram with fixed upper bounds in seconds.
class latency_histogram {
 public:
  static const std::vector<double>& bounds();  // 0.0005 ... 10 s
  void observe(double seconds);
  const std::vector<uint64_t>& buckets() const { return counts_; }  // cumulative when rendered, per bucket here
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  // The upper bound (seconds) of the first bucket whose cumulative count reaches q * count: the q-quantile is
  // at most this. +infinity when it lies beyond the last bound; 0 when nothing was observed.
  double quantile_upper_bound(double q) const;

 private:
  std::vector<uint64_t> counts_ = std::vector<uint64_t>(bounds().size(), 0);
  uint64_t count_ = 0;
  double sum_ = 0;
};

class metrics_text {
 public:
  // One metric family: HELP and TYPE once, then one sample per label set. `type` is counter or gauge.
  void family(const std::string& name, const std::string& type, const std::string& help,
              const std::vector<std::pair<metric_labels, double>>& samples);
  void histogram(const std::string& name, const std::string& help,
                 const std::map<metric_labels, latency_histogram>& series);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// The process's resident memory (VmRSS) and its peak (VmHWM) from /proc/self/status, in bytes; 0 when unknown.
uint64_t process_resident_bytes();
uint64_t process_peak_resident_bytes();

// "{a="x",b="y"}" with values escaped (backslash, quote, newline); "" for no labels.
std::string render_labels(const metric_labels& labels);

}  // namespace memory_mcp
