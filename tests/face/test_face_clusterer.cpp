// FaceClusterer with the real exports (yolov5n-0.5_face from scripts/face-models.sh, MobileFaceNet from
// scripts/embedder-models.sh) on the CPU: a "video" of zidane.jpg moving a few pixels a frame, people hidden for
// some frames (each person one track with every face the detector found, one identity each); the raw LFW images as
// one folder (every face in exactly one track and identity, identities partition the tracks, the representative is
// the best face; pairwise precision / recall printed, not asserted); frames without faces; argument errors. The
// detector run on its own over the same frames is the truth for which faces exist.
#include <ATen/ATen.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "face_test_util.hpp"
#include "trackkit/face_cluster.hpp"

namespace {

namespace fs = std::filesystem;

std::string detector_model() { return face_test::models_dir() + "/yolov5n-0.5_face.torchscript"; }
std::string embedder_model() {
  return face_test::env_or("TRACKKIT_EMBEDDER_MODELS", TK_EMBEDDER_MODELS) + "/mobilefacenet.torchscript";
}

/// CPU, every face kept (so each face found must appear in some track's count), two best faces per track. The
/// detector's input is 320x320 rather than its 640x640 (the CPU forward dominates these tests' time; LFW's 250x250
/// images lose nothing).
trackkit::FaceClusterOptions test_options() {
  trackkit::FaceClusterOptions o;
  o.detector.device = "cpu";
  o.detector.input_height = o.detector.input_width = 320;
  o.min_quality = 0;
  o.quality.min_size_px = 0;
  o.best_faces = 2;
  return o;
}

bool starts_with(const std::string& message, const std::string& prefix) {
  return message.compare(0, prefix.size(), prefix) == 0;
}

double iou(const std::array<float, 4>& a, const float* b) {
  const double ab[4] = {a[0], a[1], a[2], a[3]}, bb[4] = {b[0], b[1], b[2], b[3]};
  return face_test::iou(ab, bb);
}

/// Every face of every identity: the identities' track lists partition the track indices.
void check_partition(const trackkit::FaceClusterResult& r) {
  std::vector<int> owners(r.tracks.size(), 0);
  for (size_t i = 0; i < r.identities.size(); ++i) {
    const trackkit::FaceIdentity& id = r.identities[i];
    CHECK(id.id == static_cast<int64_t>(i));
    REQUIRE(!id.tracks.empty());
    if (i > 0) CHECK(id.tracks.front() > r.identities[i - 1].tracks.front()); // order of first appearance
    float best = -1;
    for (int64_t t : id.tracks) {
      ++owners[t];
      for (const trackkit::FaceRecord& f : r.tracks[t].best) best = std::max(best, f.quality);
    }
    CHECK(id.representative.quality == best);
    CHECK(id.representative.quality == r.tracks[id.representative_track].best.front().quality);
    CHECK(std::find(id.tracks.begin(), id.tracks.end(), id.representative_track) != id.tracks.end());
  }
  for (int o : owners) CHECK(o == 1);
  for (size_t t = 1; t < r.tracks.size(); ++t) CHECK(r.tracks[t].first_frame >= r.tracks[t - 1].first_frame);
  for (const trackkit::FaceTrack& t : r.tracks) {
    REQUIRE(!t.best.empty());
    CHECK(t.best_crops.sizes() == at::IntArrayRef({static_cast<int64_t>(t.best.size()), 112, 112, 3}));
    CHECK(t.best_crops.scalar_type() == at::kByte);
    CHECK(t.embedding.norm().item<float>() == Approx(1).margin(1e-5));
    REQUIRE(t.best_embeddings.sizes() == at::IntArrayRef({static_cast<int64_t>(t.best.size()), 128}));
    CHECK(at::allclose(t.best_embeddings.norm(2, 1), at::ones({t.best_embeddings.size(0)}), 1e-5, 1e-5));
    // The track's embedding is the quality-weighted mean direction of its faces': inside their cone, so where they
    // are at cosines >= 0 to each other (one person's faces), each is at least that close to the mean.
    const at::Tensor cos_to_mean = at::mv(t.best_embeddings, t.embedding);
    const float least = at::mm(t.best_embeddings, t.best_embeddings.t()).min().item<float>();
    if (least >= 0) CHECK(cos_to_mean.min().item<float>() >= least - 1e-5f);
    for (size_t k = 1; k < t.best.size(); ++k) CHECK(t.best[k].quality <= t.best[k - 1].quality);
    for (const trackkit::FaceRecord& f : t.best) CHECK(f.time == Approx(f.frame / r.fps));
  }
}

int64_t identity_of(const trackkit::FaceClusterResult& r, size_t track) {
  for (const trackkit::FaceIdentity& id : r.identities)
    if (std::find(id.tracks.begin(), id.tracks.end(), static_cast<int64_t>(track)) != id.tracks.end()) return id.id;
  return -1;
}

} // namespace

TEST_CASE("FaceClusterer makes one track and one identity per person in a moving video", "[face][cluster]") {
  const std::string data = tk_test_data_dir();
  if (!fs::exists(detector_model()) || !fs::exists(embedder_model()))
    TK_SKIP("no " << detector_model() << " or " << embedder_model()
                  << ": run scripts/face-models.sh and scripts/embedder-models.sh (scripts/test.sh does)");
  const at::Tensor image = face_test::load_image(data, "images/zidane.jpg");
  if (!image.defined()) TK_SKIP("no images/zidane.jpg under TRACKKIT_DATA (" << data << ")");
  trackkit::FaceClusterOptions options = test_options();
  options.detector.input_height = 384, options.detector.input_width = 640; // the 1200x680 frames' letterbox
  trackkit::FaceDetector detector(detector_model(), options.detector);
  // The people: confident faces of the still image.
  const at::Tensor still = detector.detect(image.unsqueeze(0))[0].boxes;
  std::vector<std::array<float, 4>> people;
  for (int64_t i = 0; i < still.size(0); ++i)
    if (still[i][4].item<float>() >= 0.7f && still[i][2].item<float>() - still[i][0].item<float>() >= 24)
      people.push_back(
          {still[i][0].item<float>(), still[i][1].item<float>(), still[i][2].item<float>(), still[i][3].item<float>()});
  REQUIRE(!people.empty());

  // 20 frames: a 1200x680 window moving 4 px right and 2 px down a frame; the first person hidden (grey) in frames
  // 0-4 (it appears in frame 5), the last in frames 8-10 (lost 3 frames, then found again).
  const int64_t n = 20, h = 680, w = 1200;
  std::vector<at::Tensor> frames;
  for (int64_t t = 0; t < n; ++t) {
    at::Tensor f = image.narrow(0, 2 * t, h).narrow(1, 4 * t, w).clone();
    auto hide = [&](const std::array<float, 4>& b) { // the face and half its size around it
      const auto mx = static_cast<int64_t>((b[2] - b[0]) / 2), my = static_cast<int64_t>((b[3] - b[1]) / 2);
      const int64_t x1 = std::max<int64_t>(0, static_cast<int64_t>(b[0]) - 4 * t - mx);
      const int64_t y1 = std::max<int64_t>(0, static_cast<int64_t>(b[1]) - 2 * t - my);
      const int64_t x2 = std::min<int64_t>(w, static_cast<int64_t>(b[2]) - 4 * t + mx);
      const int64_t y2 = std::min<int64_t>(h, static_cast<int64_t>(b[3]) - 2 * t + my);
      f.narrow(0, y1, y2 - y1).narrow(1, x1, x2 - x1).fill_(114);
    };
    if (t < 5) hide(people.front());
    if (people.size() > 1 && t >= 8 && t <= 10) hide(people.back());
    frames.push_back(f);
  }
  const at::Tensor video = at::stack(frames);

  // Batches of 7, 8 and 5 frames: tracks and faces waiting for their track cross the calls.
  const std::vector<std::pair<int64_t, int64_t>> batches = {{0, 7}, {7, 8}, {15, 5}};
  // Truth: the frames in which the detector, on its own (in the same batches), finds each person where the window
  // put it.
  std::vector<trackkit::Faces> found;
  for (const auto& [first, count] : batches)
    for (trackkit::Faces& f : detector.detect(video.narrow(0, first, count))) found.push_back(std::move(f));
  int64_t total_faces = 0;
  std::vector<std::vector<int64_t>> seen(people.size());
  for (int64_t t = 0; t < n; ++t) {
    const at::Tensor b = found[t].boxes.contiguous();
    total_faces += b.size(0);
    for (size_t p = 0; p < people.size(); ++p) {
      const std::array<float, 4> moved = {people[p][0] - 4.f * t, people[p][1] - 2.f * t, people[p][2] - 4.f * t,
                                          people[p][3] - 2.f * t};
      for (int64_t i = 0; i < b.size(0); ++i)
        if (iou(moved, b[i].data_ptr<float>()) >= 0.5) {
          seen[p].push_back(t);
          break;
        }
    }
  }

  trackkit::FaceClusterer clusterer(detector_model(), embedder_model(), options);
  clusterer.begin_input("zidane_moving", 25);
  for (const auto& [first, count] : batches) clusterer.add_frames(video.narrow(0, first, count));
  const trackkit::FaceClusterResult r = clusterer.finish_input();
  CHECK(r.input == "zidane_moving");
  CHECK(r.frames == n);
  CHECK(r.fps == 25);
  CHECK(clusterer.faces_detected() == total_faces);
  CHECK(clusterer.faces_embedded() == total_faces); // min_size_px 0
  int64_t linked = 0;
  for (const trackkit::FaceTrack& t : r.tracks) linked += t.faces_seen;
  CHECK(linked == total_faces); // every face found is in exactly one track
  check_partition(r);

  std::set<int64_t> identities;
  for (size_t p = 0; p < people.size(); ++p) {
    INFO("person " << p << " seen in " << seen[p].size() << " frames");
    REQUIRE(!seen[p].empty());
    // Its tracks: those whose kept faces are all this person's.
    std::vector<size_t> mine;
    for (size_t k = 0; k < r.tracks.size(); ++k) {
      bool all = true;
      for (const trackkit::FaceRecord& f : r.tracks[k].best) {
        const float moved[4] = {people[p][0] - 4.f * f.frame, people[p][1] - 2.f * f.frame,
                                people[p][2] - 4.f * f.frame, people[p][3] - 2.f * f.frame};
        all = all && iou(f.box, moved) >= 0.5;
      }
      if (all) mine.push_back(k);
    }
    REQUIRE(mine.size() == 1);
    const trackkit::FaceTrack& track = r.tracks[mine.front()];
    CHECK(track.faces_seen == static_cast<int64_t>(seen[p].size()));
    CHECK(track.first_frame == seen[p].front());
    CHECK(track.last_frame == seen[p].back());
    identities.insert(identity_of(r, mine.front()));
  }
  CHECK(identities.size() == people.size()); // different people, different identities
  std::printf("face_cluster moving video: %zu people, %zu tracks, %zu identities, %lld faces\n", people.size(),
              r.tracks.size(), r.identities.size(), static_cast<long long>(total_faces));
}

TEST_CASE("FaceClusterer puts every face of an LFW folder in exactly one identity", "[face][cluster]") {
  const std::string data = tk_test_data_dir();
  if (!fs::exists(detector_model()) || !fs::exists(embedder_model()))
    TK_SKIP("no " << detector_model() << " or " << embedder_model() << ": run scripts/face-models.sh");
  std::ifstream csv(data + "/faces/pairs.csv");
  if (!csv) TK_SKIP("no faces/pairs.csv under TRACKKIT_DATA (" << data << ")");
  std::string line;
  std::getline(csv, line); // header: pair,image_0,image_1,aligned_0,aligned_1,same_identity
  std::vector<at::Tensor> images;
  std::vector<int> same;
  while (std::getline(csv, line)) {
    std::stringstream row(line);
    std::vector<std::string> cells;
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    REQUIRE(cells.size() == 6);
    const at::Tensor a = face_test::load_image(data, "faces/" + cells[1]);
    const at::Tensor b = face_test::load_image(data, "faces/" + cells[2]);
    if (!a.defined() || !b.defined()) TK_SKIP("LFW image " << cells[1] << " not readable");
    images.push_back(a), images.push_back(b), same.push_back(cells[5] == "1" ? 1 : 0);
  }
  trackkit::FaceClusterOptions options = test_options();
  options.link_across_frames = false;
  trackkit::FaceClusterer clusterer(detector_model(), embedder_model(), options);
  clusterer.begin_input("lfw_pairs", 1);
  const at::Tensor frames = at::stack(images); // all 250x250
  for (int64_t first = 0; first < frames.size(0); first += 16)
    clusterer.add_frames(frames.narrow(0, first, std::min<int64_t>(16, frames.size(0) - first)));
  const trackkit::FaceClusterResult r = clusterer.finish_input();
  CHECK(r.frames == frames.size(0));
  CHECK(static_cast<int64_t>(r.tracks.size()) == clusterer.faces_detected()); // one track a face
  for (size_t k = 0; k < r.tracks.size(); ++k) {
    CHECK(r.tracks[k].faces_seen == 1);
    CHECK(r.tracks[k].id == static_cast<int64_t>(k) + 1);
  }
  check_partition(r);

  // Each image's face: the largest one (LFW centres its person); then the pairs' identities.
  std::vector<int64_t> main_identity(frames.size(0), -1);
  std::vector<float> main_area(frames.size(0), 0);
  for (size_t k = 0; k < r.tracks.size(); ++k) {
    const trackkit::FaceRecord& f = r.tracks[k].best.front();
    const float area = (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]);
    if (area > main_area[f.frame]) main_area[f.frame] = area, main_identity[f.frame] = identity_of(r, k);
  }
  int tp = 0, fn = 0, fp = 0, tn = 0, missed = 0;
  for (size_t p = 0; p < same.size(); ++p) {
    const int64_t a = main_identity[2 * p], b = main_identity[2 * p + 1];
    if (a < 0 || b < 0) {
      ++missed;
      continue;
    }
    (same[p] ? (a == b ? tp : fn) : (a == b ? fp : tn))++;
  }
  std::printf(
      "face_cluster LFW folder: %zu images, %lld faces, %zu identities; pairs: same together %d / %d, different "
      "apart %d / %d, %d without a face; pairwise precision %.3f recall %.3f\n",
      images.size(), static_cast<long long>(clusterer.faces_detected()), r.identities.size(), tp, tp + fn, tn, tn + fp,
      missed, tp + fp > 0 ? static_cast<double>(tp) / (tp + fp) : 0.0,
      tp + fn > 0 ? static_cast<double>(tp) / (tp + fn) : 0.0);
}

TEST_CASE("FaceClusterer on frames without faces gives no tracks", "[face][cluster]") {
  if (!fs::exists(detector_model()) || !fs::exists(embedder_model()))
    TK_SKIP("no " << detector_model() << " or " << embedder_model() << ": run scripts/face-models.sh");
  trackkit::FaceClusterer clusterer(detector_model(), embedder_model(), test_options());
  clusterer.begin_input("blank", 30);
  clusterer.add_frames(at::zeros({3, 240, 320, 3}, at::kByte));
  clusterer.add_frames(at::zeros({0, 240, 320, 3}, at::kByte));
  clusterer.add_frames(at::full({2, 100, 200, 3}, 200, at::kByte)); // another size
  const trackkit::FaceClusterResult r = clusterer.finish_input();
  CHECK(r.frames == 5);
  CHECK(r.tracks.empty());
  CHECK(r.identities.empty());
  CHECK(clusterer.faces_detected() == 0);
  // The clusterer is ready for the next input.
  clusterer.begin_input("blank again", 30);
  CHECK(clusterer.finish_input().frames == 0);
}

TEST_CASE("FaceClusterer rejects bad arguments naming them", "[face][cluster]") {
  trackkit::FaceClusterOptions bad = test_options();
  bad.best_faces = 0;
  CHECK(starts_with(tk_error_of([&] { trackkit::FaceClusterer("a", "b", bad); }),
                    "FaceClusterer: options.best_faces must be > 0"));
  bad = test_options(), bad.min_track_faces = 3;
  CHECK(starts_with(tk_error_of([&] { trackkit::FaceClusterer("a", "b", bad); }),
                    "FaceClusterer: options.min_track_faces must be <= best_faces"));
  bad = test_options(), bad.quality.full_size_px = 0;
  CHECK(starts_with(tk_error_of([&] { trackkit::FaceClusterer("a", "b", bad); }),
                    "FaceClusterer: options.quality.full_size_px"));
  bad = test_options(), bad.cluster.distance_threshold = -1;
  CHECK(starts_with(tk_error_of([&] { trackkit::FaceClusterer("a", "b", bad); }),
                    "FaceClusterer: options.cluster.distance_threshold"));
  bad = test_options(), bad.tracker.match_thresh = 1.2;
  CHECK(starts_with(tk_error_of([&] { trackkit::FaceClusterer("a", "b", bad); }), "Tracker: options.match_thresh"));
  CHECK(tk_error_of([&] {
          trackkit::FaceClusterer("/nonexistent/face.torchscript", "b", test_options());
        }).find("/nonexistent/face.torchscript") != std::string::npos);

  // A YOLO object detector is not a face detector.
  const std::string yolo = std::string(TK_DETECTOR_MODELS) + "/yolov5n.torchscript";
  if (fs::exists(yolo) && fs::exists(embedder_model()))
    CHECK(tk_error_of([&] {
            trackkit::FaceClusterer(yolo, embedder_model(), test_options());
          }).find("is not a face detector") != std::string::npos);
  else
    WARN("no " << yolo << ": the object-detector case is not checked");

  if (!fs::exists(detector_model()) || !fs::exists(embedder_model()))
    TK_SKIP("no " << detector_model() << " or " << embedder_model() << ": run scripts/face-models.sh");
  CHECK(tk_error_of([&] {
          trackkit::FaceClusterer(detector_model(), "/nonexistent/e.torchscript", test_options());
        }).find("/nonexistent/e.torchscript") != std::string::npos);
  trackkit::FaceClusterer c(detector_model(), embedder_model(), test_options());
  const at::Tensor frames = at::zeros({2, 64, 64, 3}, at::kByte);
  CHECK(tk_error_of([&] { c.add_frames(frames); }) ==
        "FaceClusterer::add_frames: no input begun: call begin_input first");
  CHECK(tk_error_of([&] { c.finish_input(); }) ==
        "FaceClusterer::finish_input: no input begun: call begin_input first");
  CHECK(starts_with(tk_error_of([&] { c.begin_input("x", 0); }), "FaceClusterer::begin_input: fps must be"));
  c.begin_input("first", 30);
  CHECK(tk_error_of([&] { c.begin_input("second", 30); }) ==
        "FaceClusterer::begin_input: input \"first\" is not finished: call finish_input before beginning "
        "\"second\"");
  CHECK(starts_with(tk_error_of([&] { c.add_frames(frames.to(at::kFloat)); }), "FaceClusterer::add_frames: frames"));
  CHECK(starts_with(tk_error_of([&] { c.add_frames(frames.narrow(3, 0, 1)); }),
                    "FaceClusterer::add_frames: frames must be [B,H,W,3]"));
  CHECK(starts_with(tk_error_of([&] { c.add_frames(frames[0]); }), "FaceClusterer::add_frames: frames"));
  c.add_frames(frames); // the input goes on after rejected calls
  CHECK(c.finish_input().frames == 2);
}
