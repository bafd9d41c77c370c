#pragma once
// Test material for the embedder: the converted models and Python references (scripts/embedder-models.sh writes
// them under the build tree; TRACKKIT_EMBEDDER_MODELS / TRACKKIT_EMBEDDER_REFERENCE override), their text files, the
// frames they name, and the quality figures computed the way tools/embedder/reference_embed.py computes them.
#include <ATen/ATen.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmc/gmc_test_util.hpp"

namespace embedder_test {

inline std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

inline std::string models_dir() { return env_or("TRACKKIT_EMBEDDER_MODELS", TK_EMBEDDER_MODELS); }
inline std::string reference_dir() { return env_or("TRACKKIT_EMBEDDER_REFERENCE", TK_EMBEDDER_REFERENCE); }
/// Device of the model tests: "cpu" unless TRACKKIT_EMBEDDER_DEVICE says otherwise (the GPU script sets cuda).
inline std::string test_device() { return env_or("TRACKKIT_EMBEDDER_DEVICE", "cpu"); }

/// float64 tensor of literal values (mixed int/double literals in one braced list).
inline at::Tensor doubles(std::initializer_list<double> v) { return at::tensor(std::vector<double>(v), at::kDouble); }

inline bool have(const std::string& path) { return std::filesystem::exists(path); }

/// Whitespace-separated rows of a text file, as strings.
inline std::vector<std::vector<std::string>> read_rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream s(line);
    std::vector<std::string> row;
    for (std::string v; s >> v;) row.push_back(v);
    if (!row.empty()) rows.push_back(row);
  }
  return rows;
}

/// A text matrix of numbers -> float64 [rows, cols] (`count` columns from `first` on; 0: all).
inline at::Tensor read_matrix(const std::string& path, size_t first = 0, size_t count = 0) {
  std::vector<double> values;
  int64_t rows = 0, cols = 0;
  for (const auto& row : read_rows(path)) {
    const size_t end = count > 0 ? first + count : row.size();
    cols = static_cast<int64_t>(end - first);
    for (size_t c = first; c < end; ++c) values.push_back(std::stod(row[c]));
    ++rows;
  }
  return at::tensor(values, at::kDouble).view({rows, cols});
}

/// A BGR frame under the data folder as uint8 [H,W,3], or undefined when it cannot be read here.
inline at::Tensor load_frame(const std::string& data, const std::string& relative) {
  const cv::Mat m = gmc_test::load_image(data, relative);
  return m.empty() ? at::Tensor() : gmc_test::to_tensor(m);
}

/// Row-wise cosine between two [N,D] tensors (any device) -> float64 [N] on the CPU.
inline at::Tensor row_cosine(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = a.to(at::kCPU, at::kDouble), y = b.to(at::kCPU, at::kDouble);
  return (x * y).sum(1) / (x.norm(2, 1) * y.norm(2, 1));
}

/// ROC AUC of scores for positives vs negatives (Mann-Whitney U, ties counted half), as sklearn's roc_auc_score.
inline double roc_auc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  std::vector<size_t> order(scores.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0, positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double rank = (static_cast<double>(i + j) + 1) / 2; // mean 1-based rank of the tie group
    for (size_t k = i; k < j; ++k)
      if (positive[order[k]]) rank_sum += rank, positives += 1;
    i = j;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

/// Verification accuracy at the best threshold (similarity >= t means "same"), thresholds between the scores.
inline double best_accuracy(const std::vector<double>& sims, const std::vector<bool>& same) {
  std::vector<double> s = sims;
  std::sort(s.begin(), s.end());
  std::vector<double> candidates{s.front() - 1, s.back() + 1};
  for (size_t i = 1; i < s.size(); ++i) candidates.push_back((s[i] + s[i - 1]) / 2);
  double best = 0;
  for (double t : candidates) {
    size_t right = 0;
    for (size_t i = 0; i < sims.size(); ++i) right += (sims[i] >= t) == same[i];
    best = std::max(best, static_cast<double>(right) / static_cast<double>(sims.size()));
  }
  return best;
}

/// A number from summary.json: the first "key": value after `section` (flat search; the file is ours).
inline double summary_value(const std::string& json, const std::string& section, const std::string& key) {
  const size_t s = json.find("\"" + section + "\"");
  const size_t k = json.find("\"" + key + "\"", s == std::string::npos ? 0 : s);
  if (s == std::string::npos || k == std::string::npos) return -1;
  return std::stod(json.substr(json.find(':', k) + 1));
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace embedder_test
