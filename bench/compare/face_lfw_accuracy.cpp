// LFW-pair verification (issue 20, accuracy) on <data>/faces/pairs.csv, two ways to the same MobileFaceNet:
//   aligned: the data's pre-aligned 112x112 crops (*_aligned.jpg), each embedded whole (a full-image box: the crop
//            is the identity), as docs/embedder.md's parity figure;
//   raw:     the raw 250x250 images through the FaceDetector -> the face whose box centre is nearest the image
//            centre (LFW centres its subject) -> landmark alignment -> embedding, as face_cluster does it.
// Per way: pairs, mean cosine similarity of same / different pairs, accuracy at the best distance threshold and at
// FaceClusterer's default clustering threshold (same person when 1 - cos < threshold, as the clustering merges),
// ROC AUC, and detection failures (a pair with no face in one of its images counts as wrong in both accuracies and
// is left out of the AUC).
//
//   face_lfw_accuracy --detector FACE.torchscript --embedder MOBILEFACENET.torchscript [--data DIR]
//                     [--device cpu|cuda[:N]|auto] [--precision fp32|fp16] [--threshold D]
#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "trackkit/embedder.hpp"
#include "trackkit/face_cluster.hpp"
#include "trackkit/face_detector.hpp"
#include "trackkit/version.hpp"

namespace fs = std::filesystem;

namespace {

struct Pair {
  std::string raw[2], aligned[2];
  bool same = false;
};

// pairs.csv: pair,image_0,image_1,aligned_0,aligned_1,same_identity (paths relative to the faces folder).
std::vector<Pair> read_pairs(const fs::path& csv) {
  std::ifstream file(csv);
  if (!file) throw std::runtime_error("cannot read " + csv.string());
  std::string line;
  std::getline(file, line); // header
  std::vector<Pair> pairs;
  while (std::getline(file, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (cells.size() != 6) throw std::runtime_error(csv.string() + ": expected 6 columns in: " + line);
    Pair p;
    p.raw[0] = cells[1], p.raw[1] = cells[2], p.aligned[0] = cells[3], p.aligned[1] = cells[4];
    p.same = cells[5] == "1";
    pairs.push_back(p);
  }
  return pairs;
}

// uint8 [N,H,W,3] BGR from image files of one size.
at::Tensor read_images(const fs::path& folder, const std::vector<std::string>& files) {
  std::vector<cv::Mat> images;
  for (const std::string& f : files) {
    cv::Mat image = cv::imread((folder / f).string(), cv::IMREAD_COLOR);
    if (image.empty()) throw std::runtime_error("cannot read " + (folder / f).string());
    if (!images.empty() && image.size() != images[0].size())
      throw std::runtime_error((folder / f).string() + " differs in size from " + (folder / files[0]).string());
    images.push_back(image.isContinuous() ? image : image.clone());
  }
  at::Tensor frames = at::empty({static_cast<int64_t>(images.size()), images[0].rows, images[0].cols, 3}, at::kByte);
  const size_t bytes = images[0].total() * 3;
  for (size_t i = 0; i < images.size(); ++i) std::memcpy(frames.data_ptr<uint8_t>() + i * bytes, images[i].data, bytes);
  return frames;
}

struct Scores {
  int64_t pairs = 0, failures = 0;
  double same_mean = 0, different_mean = 0, best_accuracy = 0, best_threshold = 0, default_accuracy = 0, auc = 0;
};

// similarity[i] of pair i, NaN where a face is missing.
Scores score(const std::vector<Pair>& pairs, const std::vector<double>& similarity, double default_threshold) {
  Scores s;
  s.pairs = static_cast<int64_t>(pairs.size());
  std::vector<double> same, different;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (std::isnan(similarity[i])) {
      ++s.failures;
      continue;
    }
    (pairs[i].same ? same : different).push_back(similarity[i]);
  }
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(v.size());
  };
  s.same_mean = mean(same), s.different_mean = mean(different);
  // Same person when the distance 1 - cos is below the threshold; failures are wrong whatever the label.
  auto accuracy = [&](double threshold) {
    int64_t right = 0;
    for (double x : same) right += 1 - x < threshold ? 1 : 0;
    for (double x : different) right += 1 - x < threshold ? 0 : 1;
    return static_cast<double>(right) / static_cast<double>(std::max<int64_t>(s.pairs, 1));
  };
  s.default_accuracy = accuracy(default_threshold);
  // Best threshold: below every distance, above every distance, and midway between neighbouring distances.
  std::vector<double> distances;
  for (double x : same) distances.push_back(1 - x);
  for (double x : different) distances.push_back(1 - x);
  std::sort(distances.begin(), distances.end());
  std::vector<double> candidates = {distances.empty() ? 0.0 : distances.front() - 1e-6,
                                    distances.empty() ? 2.0 : distances.back() + 1e-6};
  for (size_t i = 1; i < distances.size(); ++i) candidates.push_back(0.5 * (distances[i - 1] + distances[i]));
  for (double t : candidates)
    if (accuracy(t) > s.best_accuracy) s.best_accuracy = accuracy(t), s.best_threshold = t;
  // ROC AUC: the chance that a same pair is more similar than a different pair (ties half).
  double wins = 0;
  for (double a : same)
    for (double b : different) wins += a > b ? 1 : (a == b ? 0.5 : 0);
  s.auc = same.empty() || different.empty() ? std::numeric_limits<double>::quiet_NaN()
                                            : wins / static_cast<double>(same.size() * different.size());
  return s;
}

void print(const char* way, const Scores& s, double default_threshold) {
  std::printf(
      "%-8s pairs %lld | cos same %.4f, different %.4f | accuracy at the best threshold %.4f (1-cos < %.4f), "
      "at the default %.3f: %.4f | ROC AUC %.4f | detection failures %lld\n",
      way, (long long)s.pairs, s.same_mean, s.different_mean, s.best_accuracy, s.best_threshold, default_threshold,
      s.default_accuracy, s.auc, (long long)s.failures);
}

int run(int argc, char** argv) {
  std::string detector_path, embedder_path, data, device = "auto", precision = "fp32";
  double threshold = trackkit::FaceClusterOptions().cluster.distance_threshold;
  const char* env = std::getenv("TRACKKIT_DATA");
  data = env != nullptr ? env : "../shared/data";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) throw std::runtime_error("option " + arg + " needs a value (see the comment at the top)");
    const std::string value = argv[++i];
    if (arg == "--detector")
      detector_path = value;
    else if (arg == "--embedder")
      embedder_path = value;
    else if (arg == "--data")
      data = value;
    else if (arg == "--device")
      device = value;
    else if (arg == "--precision")
      precision = value;
    else if (arg == "--threshold")
      threshold = std::stod(value);
    else
      throw std::runtime_error("unknown option " + arg);
  }
  if (detector_path.empty() || embedder_path.empty())
    throw std::runtime_error(
        "usage: face_lfw_accuracy --detector FILE --embedder FILE [--data DIR] [--device D] "
        "[--precision fp32|fp16] [--threshold D]");
  const fs::path faces = fs::path(data) / "faces";
  const std::vector<Pair> pairs = read_pairs(faces / "pairs.csv");

  trackkit::FaceDetectorOptions detector_options;
  detector_options.device = device;
  detector_options.precision = trackkit::parse_precision(precision, "--precision");
  trackkit::EmbedderOptions embedder_options;
  embedder_options.device = device;
  embedder_options.precision = detector_options.precision;
  trackkit::FaceDetector detector(detector_path, detector_options);
  trackkit::Embedder embedder(embedder_path, embedder_options);
  std::printf("%s\nLFW pairs of %s: %zu; detector %s, embedder %s on %s (%s)\n", trackkit::build_info(),
              (faces / "pairs.csv").c_str(), pairs.size(), detector_path.c_str(), embedder_path.c_str(),
              embedder.device().str().c_str(), precision.c_str());

  // Every image once, in pair order: image 2i + k is pairs[i]'s k-th.
  std::vector<std::string> raw_files, aligned_files;
  for (const Pair& p : pairs)
    for (int k = 0; k < 2; ++k) raw_files.push_back(p.raw[k]), aligned_files.push_back(p.aligned[k]);
  const int64_t n = static_cast<int64_t>(raw_files.size());

  // Pre-aligned crops: the whole image as the box.
  const at::Tensor aligned = read_images(faces, aligned_files);
  const at::Tensor whole =
      at::tensor({0.0f, 0.0f, static_cast<float>(aligned.size(2)), static_cast<float>(aligned.size(1))});
  const at::Tensor boxes = at::cat({at::arange(n, at::kFloat).unsqueeze(1), whole.expand({n, 4})}, 1);
  const at::Tensor aligned_embeddings = embedder.embed(aligned, boxes).cpu();

  // Raw images: detection, the face nearest the centre, its landmarks.
  const at::Tensor raw = read_images(faces, raw_files);
  const std::vector<trackkit::Faces> found = detector.detect(raw);
  std::vector<at::Tensor> landmarks;
  std::vector<int64_t> frame_index, row_of(n, -1);
  const float cx = static_cast<float>(raw.size(2)) / 2, cy = static_cast<float>(raw.size(1)) / 2;
  for (int64_t i = 0; i < n; ++i) {
    const at::Tensor b = found[i].boxes.cpu();
    if (b.size(0) == 0) continue;
    const at::Tensor d = (b.select(1, 0) + b.select(1, 2)) / 2 - cx, e = (b.select(1, 1) + b.select(1, 3)) / 2 - cy;
    const int64_t nearest = (d * d + e * e).argmin().item<int64_t>();
    row_of[i] = static_cast<int64_t>(landmarks.size());
    landmarks.push_back(found[i].landmarks.cpu()[nearest]);
    frame_index.push_back(i);
  }
  at::Tensor raw_embeddings;
  if (!landmarks.empty())
    raw_embeddings = embedder.embed_aligned(raw, at::stack(landmarks), at::tensor(frame_index, at::kLong)).cpu();

  std::vector<double> aligned_similarity, raw_similarity;
  const double missing = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < pairs.size(); ++i) {
    const int64_t a = 2 * static_cast<int64_t>(i), b = a + 1;
    aligned_similarity.push_back((aligned_embeddings[a] * aligned_embeddings[b]).sum().item<double>());
    raw_similarity.push_back(row_of[a] < 0 || row_of[b] < 0
                                 ? missing
                                 : (raw_embeddings[row_of[a]] * raw_embeddings[row_of[b]]).sum().item<double>());
  }
  print("aligned", score(pairs, aligned_similarity, threshold), threshold);
  print("raw", score(pairs, raw_similarity, threshold), threshold);
  int64_t images_without_face = 0;
  for (int64_t r : row_of) images_without_face += r < 0 ? 1 : 0;
  std::printf("raw images without a detected face: %lld of %lld\n", (long long)images_without_face, (long long)n);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "face_lfw_accuracy: %s\n", e.what());
    return 1;
  }
}
