// FaceClusterer (include/trackkit/face_cluster.hpp): per add_frames call one detection call, one embedding call and
// one sharpness call for all faces of all frames, then the tracker frame by frame on the CPU, and at the end of the
// call one crop call for the faces that became some track's best. finish_input clusters the tracks' embeddings.
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/log.hpp"
#include "face_quality.hpp"
#include "face_track_book.hpp"
#include "trackkit/check.hpp"
#include "trackkit/error.hpp"
#include "trackkit/face_cluster.hpp"

namespace trackkit {
namespace {

/// Cosine distance (1 - cos) below which two tracks' mean MobileFaceNet embeddings merge, with average linkage.
/// ArcFace-trained MobileFaceNet verifies LFW pairs at cosine similarity thresholds of about 0.3-0.4 (distance
/// 0.6-0.7); the midpoint is taken, not a value tuned to the shared 49 pairs (which are the model's own failure
/// cases). docs/face_cluster.md gives the distances measured on them.
constexpr double kDefaultDistanceThreshold = 0.65;
constexpr int64_t kCropSide = 112; // contact-sheet crops: the ArcFace template's own size

void check_options(const FaceClusterOptions& o) {
  auto require = [](bool ok, const char* field, const std::string& rule) {
    if (!ok) fail_argument("FaceClusterer", std::string("options.") + field, rule);
  };
  require(o.best_faces > 0, "best_faces", "must be > 0, got " + std::to_string(o.best_faces));
  require(o.min_quality >= 0 && o.min_quality <= 1, "min_quality", "must be in [0,1]");
  require(o.min_track_faces > 0, "min_track_faces", "must be > 0 (a track needs a face for its embedding)");
  require(o.min_track_faces <= o.best_faces, "min_track_faces", "must be <= best_faces (only kept faces count)");
  const ClusterOptions& c = o.cluster;
  if (c.method == ClusterMethod::Agglomerative)
    require(std::isfinite(c.distance_threshold) && c.distance_threshold > 0, "cluster.distance_threshold",
            "must be finite and > 0");
  else
    require(std::isfinite(c.eps) && c.eps > 0 && c.min_samples > 0, "cluster.eps",
            "must be finite and > 0, and cluster.min_samples > 0");
  detail::check_quality_options("FaceClusterer", "options.quality.", o.quality);
  // The tracker's options are checked now rather than at the first input: a Tracker checks them when made.
  (void)Tracker(o.tracker);
}

EmbedderOptions embedder_options(const FaceClusterOptions& o, const c10::Device& device) {
  EmbedderOptions e = o.embedder;
  e.device = device.str(), e.precision = o.detector.precision;
  e.crop.input_bgr = o.detector.input_bgr;
  return e;
}

/// [N,5,2] landmarks that crop_aligned can align: finite and not all at one point.
at::Tensor alignable(const at::Tensor& landmarks) {
  const at::Tensor finite = at::isfinite(landmarks).flatten(1).all(1);
  const at::Tensor spread = (landmarks.amax(1) - landmarks.amin(1)).sum(1);
  return finite & (spread > 0);
}

/// The crops the book is waiting for, from this batch's frames (landmarks and frame_index: the batch's face rows):
/// uint8 [112,112,3] BGR each.
void make_crops(detail::TrackBook& book, const at::Tensor& frames, const at::Tensor& landmarks,
                const at::Tensor& frame_index, bool input_bgr) {
  const std::vector<detail::BookFace*> wanted = book.awaiting_crops();
  if (wanted.empty()) return;
  std::vector<int64_t> rows;
  rows.reserve(wanted.size());
  for (const detail::BookFace* f : wanted) rows.push_back(f->row);
  const at::Tensor index = at::tensor(rows, at::kLong).to(landmarks.device());
  CropOptions crop;
  crop.preset = CropPreset::Custom;
  crop.height = crop.width = kCropSide;
  crop.mean = {0, 0, 0}, crop.std = {1, 1, 1};
  crop.input_bgr = input_bgr;
  crop.model_bgr = true;
  const at::Tensor crops = crop_aligned(frames, landmarks.index_select(0, index), frame_index.index_select(0, index),
                                        crop) // whole levels (quantize): exact in uint8
                               .to(at::kByte)
                               .permute({0, 2, 3, 1})
                               .contiguous()
                               .cpu();
  for (size_t k = 0; k < wanted.size(); ++k) {
    wanted[k]->crop = crops[static_cast<int64_t>(k)].clone();
    wanted[k]->row = -1;
  }
}

} // namespace

FaceClusterOptions::FaceClusterOptions() : tracker(face_tracker_options()) {
  cluster.method = ClusterMethod::Agglomerative;
  cluster.linkage = Linkage::Average;
  cluster.distance_threshold = kDefaultDistanceThreshold;
}

TrackerOptions face_tracker_options(double frame_rate) {
  // BoT-SORT (its XYWH state suits boxes whose size changes as people move towards the camera, its appearance cue
  // takes the face embeddings) with trackkit's plain IoU, thresholds lowered by 0.1 for face detectors' scores
  // (yolov5-face keeps faces above 0.3, RetinaFace above 0.5; a turning head scores lower), and lost faces kept
  // 2 s: int(frame_rate / 30 * 60) frames.
  TrackerOptions o = TrackerOptions::botsort(frame_rate);
  o.track_thresh = 0.5;
  o.new_track_thresh = 0.6;
  o.iou_plus_one = false;
  o.track_buffer = 60;
  return o;
}

struct FaceClusterer::Impl {
  FaceClusterOptions options;
  FaceDetector detector;
  Embedder embedder;
  int64_t detected = 0, embedded = 0;

  bool active = false;
  std::string name;
  double fps = 30;
  int64_t frame_count = 0;        // frames of the current input so far
  std::optional<Tracker> tracker; // with link_across_frames
  std::optional<detail::TrackBook> book;

  Impl(const std::string& detector_path, const std::string& embedder_path, const FaceClusterOptions& o)
      : options(o),
        detector(detector_path, o.detector),
        embedder(embedder_path, embedder_options(o, detector.device())) {
    options.quality.input_bgr = o.detector.input_bgr; // one colour order for every stage
  }

  /// One batch: detection, embeddings, sharpness and quality for all its faces, then tracking and crops.
  void add(const at::Tensor& frames_in) {
    const at::Tensor frames = frames_in.to(detector.device()).contiguous();
    const int64_t b = frames.size(0);
    const std::vector<Faces> found = detector.detect(frames);
    std::vector<at::Tensor> boxes, landmarks, index;
    std::vector<int64_t> counts;
    for (int64_t i = 0; i < b; ++i) {
      counts.push_back(found[i].boxes.size(0));
      boxes.push_back(found[i].boxes), landmarks.push_back(found[i].landmarks);
      index.push_back(at::full({counts.back()}, i, frames.options().dtype(at::kLong)));
    }
    const at::Tensor all_boxes = at::cat(boxes), all_landmarks = at::cat(landmarks), frame_index = at::cat(index);
    const int64_t n = all_boxes.size(0), dim = embedder.embedding_dim();
    detected += n;

    // Faces big enough to embed: one embedding call and one sharpness call for all of them.
    const at::Tensor side =
        at::minimum(all_boxes.select(1, 2) - all_boxes.select(1, 0), all_boxes.select(1, 3) - all_boxes.select(1, 1));
    const at::Tensor rows = ((side >= options.quality.min_size_px) & alignable(all_landmarks)).nonzero().squeeze(1);
    const at::Tensor rows_cpu = rows.cpu();
    at::Tensor sharpness = at::zeros({n}, all_boxes.options());
    at::Tensor embeddings = at::zeros({n, dim}, at::kFloat); // CPU; zero rows: no feature for the tracker
    if (rows.size(0) > 0) {
      const at::Tensor lm = all_landmarks.index_select(0, rows), fi = frame_index.index_select(0, rows);
      const at::Tensor e = embedder.embed_aligned(frames, lm, fi);
      sharpness.index_copy_(0, rows, face_sharpness(frames, lm, fi, options.quality));
      embeddings.index_copy_(0, rows_cpu, e.to(at::kCPU, at::kFloat));
      embedded += rows.size(0);
    }
    const at::Tensor quality = face_quality(all_boxes, all_landmarks, sharpness, options.quality);
    const at::Tensor host = at::cat({all_boxes, all_landmarks.flatten(1), quality.unsqueeze(1)}, 1).cpu();
    const at::Tensor has_embedding = at::zeros({n}, at::kBool).index_fill_(0, rows_cpu, true);

    try {
      track(host, embeddings, has_embedding, counts);
      make_crops(*book, frames, all_landmarks, frame_index, options.detector.input_bgr);
    } catch (...) {
      // The book may hold faces of this batch without their crops: the input cannot go on consistently.
      active = false, tracker.reset(), book.reset();
      throw;
    }
    frame_count += static_cast<int64_t>(counts.size());
  }

  /// The batch's faces (host: [N,16] box, score, landmarks, quality; embeddings [N,D], zero rows where
  /// has_embedding is false) frame by frame through the tracker into the book.
  void track(const at::Tensor& host, const at::Tensor& embeddings, const at::Tensor& has_embedding,
             const std::vector<int64_t>& counts) {
    const auto b = static_cast<int64_t>(counts.size());
    std::vector<detail::BookFace> faces(host.size(0));
    const auto h = host.accessor<float, 2>();
    const auto embedded_row = has_embedding.accessor<bool, 1>();
    for (int64_t i = 0, first = 0; i < b; first += counts[i], ++i) {
      for (int64_t r = first; r < first + counts[i]; ++r) {
        FaceRecord& rec = faces[r].record;
        rec.frame = frame_count + i, rec.time = static_cast<double>(rec.frame) / fps;
        for (int k = 0; k < 4; ++k) rec.box[k] = h[r][k];
        for (int k = 0; k < 10; ++k) rec.landmarks[k] = h[r][5 + k];
        rec.score = h[r][4], rec.quality = h[r][15];
        if (embedded_row[r]) faces[r].embedding = embeddings[r].clone();
        faces[r].row = r;
      }
      const std::vector<detail::BookFace> frame_faces(faces.begin() + first, faces.begin() + first + counts[i]);
      if (!options.link_across_frames) {
        for (const detail::BookFace& f : frame_faces) book->add_alone(f);
        continue;
      }
      TrackerInput in;
      in.detections = host.narrow(0, first, counts[i]).narrow(1, 0, 5).contiguous();
      in.embeddings = embeddings.narrow(0, first, counts[i]);
      const TrackerOutput out = tracker->update(in);
      book->frame(frame_faces, out, tracker->frame_count() == 1, tracker->options());
    }
  }
};

namespace {

/// A book track as the result gives it: its best faces' records and crops, and their quality-weighted mean
/// embedding (uniform weights where every kept quality is 0), L2-normalised.
FaceTrack to_face_track(detail::BookTrack&& t) {
  FaceTrack out;
  out.id = t.id, out.first_frame = t.first_frame, out.last_frame = t.last_frame, out.faces_seen = t.faces_seen;
  std::vector<at::Tensor> crops, embeddings;
  std::vector<float> weights;
  for (detail::BookFace& f : t.best) {
    out.best.push_back(f.record);
    crops.push_back(f.crop), embeddings.push_back(f.embedding), weights.push_back(f.record.quality);
  }
  out.best_crops = at::stack(crops);
  at::Tensor w = at::tensor(weights, at::kFloat);
  if (!(w.sum().item<float>() > 0)) w = at::ones_like(w);
  out.best_embeddings = at::stack(embeddings);
  const at::Tensor mean = (out.best_embeddings * w.unsqueeze(1)).sum(0);
  out.embedding = mean / mean.norm().clamp_min(1e-12);
  return out;
}

/// The tracks of an input with at least min_track_faces kept faces, by first frame, clustered into identities (the
/// embeddings on `device`).
FaceClusterResult cluster_tracks(std::vector<detail::BookTrack> all, const FaceClusterOptions& options,
                                 c10::Device device) {
  FaceClusterResult result;
  for (detail::BookTrack& t : all)
    if (static_cast<int64_t>(t.best.size()) >= options.min_track_faces)
      result.tracks.push_back(to_face_track(std::move(t)));
  std::stable_sort(result.tracks.begin(), result.tracks.end(), [](const FaceTrack& a, const FaceTrack& b) {
    return a.first_frame != b.first_frame ? a.first_frame < b.first_frame : a.id < b.id;
  });
  const auto n = static_cast<int64_t>(result.tracks.size());
  if (n == 0) return result;

  std::vector<at::Tensor> embeddings;
  for (const FaceTrack& t : result.tracks) embeddings.push_back(t.embedding);
  const at::Tensor labels = cluster_embeddings(at::stack(embeddings).to(device), options.cluster).to(at::kCPU);
  const int64_t* label = labels.const_data_ptr<int64_t>();
  // Identities in order of first appearance (tracks are sorted by first frame), whatever the labels' numbering;
  // a track DBSCAN calls noise (-1) is an identity of its own.
  std::vector<int64_t> identity_of_label(n, -1);
  for (int64_t i = 0; i < n; ++i) {
    int64_t* slot = label[i] >= 0 ? &identity_of_label[label[i]] : nullptr;
    if (slot == nullptr || *slot < 0) {
      FaceIdentity identity;
      identity.id = static_cast<int64_t>(result.identities.size());
      identity.representative_track = i;
      identity.representative = result.tracks[i].best.front();
      result.identities.push_back(identity);
      if (slot != nullptr) *slot = identity.id;
    }
    FaceIdentity& identity = result.identities[slot != nullptr ? *slot : result.identities.size() - 1];
    identity.tracks.push_back(i);
    // The best face of the identity; on equal quality the earlier track's.
    if (result.tracks[i].best.front().quality > identity.representative.quality) {
      identity.representative_track = i;
      identity.representative = result.tracks[i].best.front();
    }
  }
  return result;
}

} // namespace

FaceClusterer::FaceClusterer(const std::string& detector_path, const std::string& embedder_path,
                             const FaceClusterOptions& options) {
  check_options(options);
  impl_ = std::make_unique<Impl>(detector_path, embedder_path, options);
  detail::log_info("FaceClusterer: embeddings of {} values on {}", impl_->embedder.embedding_dim(),
                   impl_->embedder.device().str());
}

FaceClusterer::~FaceClusterer() = default;
FaceClusterer::FaceClusterer(FaceClusterer&&) noexcept = default;
FaceClusterer& FaceClusterer::operator=(FaceClusterer&&) noexcept = default;

void FaceClusterer::begin_input(const std::string& name, double fps) {
  Impl& d = *impl_;
  if (d.active)
    throw Error(ErrorCode::InvalidArgument, "FaceClusterer::begin_input: input \"" + d.name +
                                                "\" is not finished: call finish_input before beginning \"" + name +
                                                "\"");
  if (!(std::isfinite(fps) && fps > 0))
    fail_argument("FaceClusterer::begin_input", "fps", "must be finite and > 0, got " + std::to_string(fps));
  d.name = name, d.fps = fps, d.frame_count = 0;
  if (d.options.link_across_frames) {
    TrackerOptions t = d.options.tracker;
    t.frame_rate = fps;
    d.tracker.emplace(t);
  }
  d.book.emplace(d.options.best_faces, d.options.min_quality);
  d.active = true;
}

void FaceClusterer::add_frames(const at::Tensor& frames) {
  Impl& d = *impl_;
  if (!d.active)
    throw Error(ErrorCode::InvalidArgument, "FaceClusterer::add_frames: no input begun: call begin_input first");
  TensorCheck check("FaceClusterer::add_frames", "frames", frames);
  check.dtype({at::kByte}).dim(4);
  if (frames.size(3) != 3) check.fail("must be [B,H,W,3] (3 channels), got " + shape_string(frames.sizes()));
  if (frames.size(0) > 0 && (frames.size(1) == 0 || frames.size(2) == 0))
    check.fail("has zero-size frames: " + shape_string(frames.sizes()));
  if (frames.size(0) > 0) d.add(frames);
}

FaceClusterResult FaceClusterer::finish_input() {
  Impl& d = *impl_;
  if (!d.active)
    throw Error(ErrorCode::InvalidArgument, "FaceClusterer::finish_input: no input begun: call begin_input first");
  d.active = false; // whatever happens below, the next input starts afresh
  d.book->flush();
  FaceClusterResult result = cluster_tracks(d.book->take(), d.options, d.embedder.device());
  result.input = d.name, result.frames = d.frame_count, result.fps = d.fps;
  d.tracker.reset(), d.book.reset();
  return result;
}

int64_t FaceClusterer::faces_detected() const { return impl_->detected; }
int64_t FaceClusterer::faces_embedded() const { return impl_->embedded; }
const FaceClusterOptions& FaceClusterer::options() const { return impl_->options; }
FaceDetector& FaceClusterer::detector() { return impl_->detector; }
Embedder& FaceClusterer::embedder() { return impl_->embedder; }

} // namespace trackkit
