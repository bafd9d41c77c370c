// face_cluster: the people in videos and photo folders, as identities. Each input's frames are read once, in order
// (never seeking), faces detected in batches, linked across frames by the tracker, scored for quality, the best
// faces of each track aligned and embedded in batches, and the tracks clustered into identities
// (trackkit::FaceClusterer). Out: DIR/identities.json and a contact sheet of each identity's best faces.
//
//   face_cluster INPUT... --out DIR --detector FACE.torchscript --embedder MOBILEFACENET.torchscript
//                [--device auto|cpu|cuda[:N]] [--precision fp32|fp16] [--conf C] [--min-face PX] [--best N]
//                [--threshold D] [--batch N] [--no-link] [--max-frames N]
//
// INPUT: a video file, a .npy frame array, a MOT sequence folder (read by trackkit::FrameReader), or a folder of
// images (.jpg/.jpeg/.png/.bmp, in name order; sizes may differ; each image is a frame, unrelated to the others: no
// linking across them; an unreadable image is reported on stderr and skipped). Exit status: 0 on success (also when
// no face is found), 2 for a bad command line, 1 for any other error (a missing input or model, a model of the wrong
// kind: the message names the path); identities.json keeps the inputs finished before an error.
// docs/face_cluster.md has the pipeline, the options and the output format.
#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#if TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"
#include "face_cluster_output.hpp"
#include "trackkit/face_cluster.hpp"
#include "trackkit/version.hpp"
#include "trackkit/video_io.hpp"

namespace fs = std::filesystem;

namespace {

struct Options {
  std::vector<std::string> inputs;
  std::string out, detector, embedder, precision = "fp32";
  trackkit::FaceClusterOptions face; // defaults shown by --help are the library's
  int64_t max_frames = -1;
  bool no_link = false;
};

void add_options(CLI::App& app, Options& o) {
  app.add_option("INPUT", o.inputs, "videos, .npy frame arrays, MOT sequence folders or image folders")
      ->required()
      ->expected(1, -1);
  app.add_option("--out", o.out, "output folder: identities.json and identity_*.jpg contact sheets")->required();
  app.add_option("--detector", o.detector,
                 "face detector export (scripts/face-models.sh writes build/face-models/yolov5n-0.5_face.torchscript)")
      ->required();
  app.add_option("--embedder", o.embedder,
                 "face embedder export (scripts/embedder-models.sh writes "
                 "build/embedder-models/mobilefacenet.torchscript)")
      ->required();
  examples::add_device_option(app, o.face.detector.device);
  app.add_option("--precision", o.precision, "detector and embedder precision")
      ->capture_default_str()
      ->check(examples::one_of({"fp32", "fp16"}, "fp32|fp16"));
  app.add_option("--conf", o.face.detector.conf_threshold, "faces scored above this are kept")
      ->default_str("the detector's: yolov5_face 0.3, retinaface 0.5")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--min-face", o.face.quality.min_size_px,
                 "faces whose box is narrower or lower than this (pixels) score quality 0 and are not embedded")
      ->capture_default_str()
      ->check(examples::non_negative());
  app.add_option("--best", o.face.best_faces, "faces kept and embedded per track, highest quality first")
      ->capture_default_str()
      ->check(examples::positive());
  app.add_option("--threshold", o.face.cluster.distance_threshold,
                 "tracks closer than this cosine distance (1 - cos of their embeddings, average linkage) merge into "
                 "one identity")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 2.0));
  app.add_option("--batch", o.face.detector.batch_size, "frames a detector batch (0: from free GPU memory)")
      ->capture_default_str()
      ->check(examples::non_negative());
  app.add_flag("--no-link", o.no_link,
               "treat the frames of videos as unrelated photos: every face its own track (image folders always are)");
  examples::add_max_frames_option(app, o.max_frames)->description("stop after N frames of each input");
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// What an input is; throws, naming it, when it does not exist.
std::string input_kind(const std::string& path) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) throw std::runtime_error("input " + path + " does not exist");
  if (!fs::is_directory(status)) return lower(fs::path(path).extension().string()) == ".npy" ? "npy" : "video";
  return fs::exists(fs::path(path) / "seqinfo.ini") || fs::is_directory(fs::path(path) / "img1") ? "mot" : "images";
}

// The image files of a folder, in name order (FrameReader's extensions).
std::vector<fs::path> image_files(const std::string& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string ext = lower(entry.path().extension().string());
    if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// uint8 [B,H,W,3] from images of one size.
at::Tensor stack(const std::vector<cv::Mat>& images) {
  at::Tensor frames = at::empty({static_cast<int64_t>(images.size()), images[0].rows, images[0].cols, 3}, at::kByte);
  const size_t bytes = images[0].total() * 3;
  for (size_t i = 0; i < images.size(); ++i) {
    const cv::Mat image = images[i].isContinuous() ? images[i] : images[i].clone();
    std::memcpy(frames.data_ptr<uint8_t>() + i * bytes, image.data, bytes);
  }
  return frames;
}

// An image folder: each readable image a frame; same-size runs of up to `batch` images go in together.
void add_image_folder(trackkit::FaceClusterer& clusterer, const std::string& folder, int64_t batch, int64_t max_frames,
                      examples::FaceInputOutput& out) {
#if TRACKKIT_HAVE_IMGCODECS
  std::vector<cv::Mat> pending;
  auto flush = [&] {
    if (!pending.empty()) clusterer.add_frames(stack(pending));
    pending.clear();
  };
  for (const fs::path& file : image_files(folder)) {
    if (max_frames > 0 && static_cast<int64_t>(out.images.size()) >= max_frames) break;
    cv::Mat image;
    try {
      image = cv::imread(file.string(), cv::IMREAD_COLOR);
    } catch (const cv::Exception&) { // some decoders throw on a damaged file instead of returning nothing
      image = cv::Mat();
    }
    if (image.empty() || image.type() != CV_8UC3) {
      std::fprintf(stderr, "face_cluster: skipping %s: not a readable image\n", file.string().c_str());
      out.skipped.push_back(file.filename().string());
      continue;
    }
    if (!pending.empty() && (pending[0].size() != image.size() || static_cast<int64_t>(pending.size()) >= batch))
      flush();
    pending.push_back(image);
    out.images.push_back({file.filename().string(), image.cols, image.rows});
  }
  flush();
#else
  (void)clusterer, (void)batch, (void)max_frames, (void)out;
  throw std::runtime_error("input " + folder + " is an image folder, and this build's OpenCV has no imgcodecs");
#endif
}

// A video, .npy or MOT folder through FrameReader: batches in order, the next read while this one is processed.
void add_frame_source(trackkit::FaceClusterer& clusterer, trackkit::FrameReader& reader, int64_t batch) {
  auto read_next = [&] { return std::async(std::launch::async, [&] { return reader.read(batch); }); };
  std::future<at::Tensor> next = read_next();
  for (;;) {
    const at::Tensor frames = next.get();
    if (frames.size(0) == 0) break;
    next = read_next();
    clusterer.add_frames(frames);
  }
}

class Run {
 public:
  explicit Run(const Options& o) : o_(o) {}

  int all() {
    std::vector<std::string> kinds;
    for (const std::string& input : o_.inputs) kinds.push_back(input_kind(input)); // fail before loading models
    fs::create_directories(o_.out);
    std::printf("%s\n", trackkit::build_info());
    for (size_t i = 0; i < o_.inputs.size(); ++i) one(i, kinds[i]);
    std::printf("outputs in %s: identities.json, %lld contact sheets\n", o_.out.c_str(), (long long)sheets_);
    return 0;
  }

 private:
  // One clusterer per linking mode, loaded when first needed: linking is an option of the clusterer.
  trackkit::FaceClusterer& clusterer(bool link) {
    std::unique_ptr<trackkit::FaceClusterer>& c = link ? linked_ : unlinked_;
    if (!c) {
      trackkit::FaceClusterOptions options = o_.face;
      options.detector.precision = trackkit::parse_precision(o_.precision, "--precision");
      options.link_across_frames = link;
      c = std::make_unique<trackkit::FaceClusterer>(o_.detector, o_.embedder, options);
      std::printf(
          "detector %s on %s (%s, conf %.2f); embedder %s; quality >= %.2f, %lld best faces a track, "
          "cluster threshold %.3f%s\n",
          o_.detector.c_str(), c->detector().device().str().c_str(), o_.precision.c_str(),
          c->detector().conf_threshold(), o_.embedder.c_str(), options.min_quality, (long long)options.best_faces,
          options.cluster.distance_threshold, link ? "" : "; faces not linked across frames");
      if (c->detector().device().is_cuda()) { // batch sizes from free memory; cuDNN meets its shapes now
        if (o_.face.detector.batch_size == 0) c->detector().warmup();
        c->embedder().warmup();
      }
    }
    return *c;
  }

  void one(size_t index, const std::string& kind) {
    const std::string& path = o_.inputs[index];
    examples::FaceInputOutput out;
    out.path = path, out.kind = kind;
    trackkit::FaceClusterer& c = clusterer(kind != "images" && !o_.no_link);
    const auto start = std::chrono::steady_clock::now(); // the models' loading is not the input's time
    const int64_t detected = c.faces_detected(), embedded = c.faces_embedded();
    const int64_t batch = std::max<int64_t>(1, c.detector().batch_size());
    if (kind == "images") {
      c.begin_input(path, 30); // FrameReader's frame rate for images: "time" is frame / 30
      add_image_folder(c, path, batch, o_.max_frames, out);
    } else {
      trackkit::FrameReaderOptions ro;
      ro.max_frames = o_.max_frames;
      trackkit::FrameReader reader(path, ro);
      out.width = reader.info().width, out.height = reader.info().height;
      c.begin_input(path, reader.info().fps);
      add_frame_source(c, reader, batch);
    }
    out.result = c.finish_input();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (examples::write_contact_sheets(out, o_.out, static_cast<int64_t>(index), o_.inputs.size() > 1))
      for (const std::string& s : out.sheets) sheets_ += s.empty() ? 0 : 1;
    for (trackkit::FaceTrack& t : out.result.tracks) t.best_crops = at::Tensor(); // written: free them
    done_.push_back(std::move(out));
    examples::write_file_atomically(fs::path(o_.out) / "identities.json", examples::identities_json(done_));
    const trackkit::FaceClusterResult& r = done_.back().result;
    const size_t skipped = done_.back().skipped.size();
    const std::string skipped_text = skipped > 0 ? ", " + std::to_string(skipped) + " unreadable images skipped" : "";
    std::printf(
        "%s (%s): %lld frames, %lld faces detected, %lld embedded, %zu tracks, %zu identities%s in %.2f s "
        "(%.1f frames/s)\n",
        path.c_str(), kind.c_str(), (long long)r.frames, (long long)(c.faces_detected() - detected),
        (long long)(c.faces_embedded() - embedded), r.tracks.size(), r.identities.size(), skipped_text.c_str(), seconds,
        r.frames / std::max(seconds, 1e-9));
    std::fflush(stdout);
  }

  const Options& o_;
  std::unique_ptr<trackkit::FaceClusterer> linked_, unlinked_;
  std::vector<examples::FaceInputOutput> done_;
  int64_t sheets_ = 0;
};

} // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "face_cluster: the people in videos and photo folders as identities. Frames read in order, faces detected "
      "in batches, linked across frames, scored, the best embedded, tracks clustered; identities.json and contact "
      "sheets out",
      "face_cluster");
  Options o;
  add_options(app, o);
  const int status = examples::run(app, argc, argv, [&] { return Run(o).all(); });
  return status >= 100 ? 2 : status; // CLI11 reports a bad command line with codes from 100 up: 2, as usual
}
