// C ABI 1.1 for trackkit/face_cluster.hpp: the clusterer's handle, and its results behind a read-only handle with
// accessors (identities, tracks, their best faces, embeddings and crops).
#include <ATen/ATen.h>

#include <string>
#include <utility>
#include <vector>

#include "config.hpp"
#include "face.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"
#include "trackkit/face_cluster.hpp"

struct tk_face_clusterer {
  trackkit::FaceClusterer clusterer;
  void* cuda_stream = nullptr; ///< tk_face_clusterer_set_cuda_stream's, checked against the models' device
};

struct tk_face_result {
  trackkit::FaceClusterResult result;
  std::vector<int64_t> identity_of_track; ///< per track, the index of the identity that lists it
};

namespace {

using trackkit::capi::require_pointer;

tk_face_clusterer_config to_config(const trackkit::FaceClusterOptions& o) {
  tk_face_clusterer_config c{};
  c.struct_size = sizeof(c);
  c.detector = nullptr, c.tracker = nullptr; // the clusterer's own defaults
  c.link_across_frames = o.link_across_frames ? 1 : 0;
  c.cluster_method = static_cast<int32_t>(o.cluster.method),
  c.cluster_linkage = static_cast<int32_t>(o.cluster.linkage);
  c.cluster_distance_threshold = o.cluster.distance_threshold, c.cluster_eps = o.cluster.eps;
  c.cluster_min_samples = o.cluster.min_samples;
  c.best_faces = o.best_faces, c.min_quality = o.min_quality, c.min_track_faces = o.min_track_faces;
  c.min_size_px = o.quality.min_size_px, c.full_size_px = o.quality.full_size_px;
  c.sharpness_half = o.quality.sharpness_half, c.sharpness_crop = o.quality.sharpness_crop;
  return c;
}

trackkit::FaceClusterOptions to_options(const char* fn, const tk_face_clusterer_config* config) {
  const trackkit::FaceClusterOptions defaults;
  const tk_face_clusterer_config c = trackkit::capi::read_struct(fn, config, to_config(defaults));
  trackkit::capi::require_enum(fn, "config->cluster_method", c.cluster_method, TK_CLUSTER_DENSITY, "tk_cluster_method");
  trackkit::capi::require_enum(fn, "config->cluster_linkage", c.cluster_linkage, TK_LINKAGE_SINGLE, "tk_linkage");
  if (c.reserved != 0) trackkit::fail_argument(fn, "config->reserved", "must be 0, got " + std::to_string(c.reserved));
  trackkit::FaceClusterOptions o = defaults;
  // The component readers name "config"; the label says which one: "tk_face_clusterer_create(config->detector)".
  const std::string function(fn);
  if (c.detector != nullptr) {
    o.detector = trackkit::capi::face_detector_options((function + "(config->detector)").c_str(), c.detector);
  }
  if (c.tracker != nullptr)
    o.tracker = trackkit::capi::tracker_options((function + "(config->tracker)").c_str(), c.tracker);
  o.link_across_frames = c.link_across_frames != 0;
  o.cluster.method = static_cast<trackkit::ClusterMethod>(c.cluster_method);
  o.cluster.linkage = static_cast<trackkit::Linkage>(c.cluster_linkage);
  o.cluster.distance_threshold = c.cluster_distance_threshold, o.cluster.eps = c.cluster_eps;
  o.cluster.min_samples = c.cluster_min_samples;
  o.best_faces = c.best_faces, o.min_quality = c.min_quality, o.min_track_faces = c.min_track_faces;
  o.quality.min_size_px = c.min_size_px, o.quality.full_size_px = c.full_size_px;
  o.quality.sharpness_half = c.sharpness_half, o.quality.sharpness_crop = c.sharpness_crop;
  return o;
}

tk_face_result* new_result(trackkit::FaceClusterResult&& found) {
  auto* r = new tk_face_result{std::move(found), {}};
  r->identity_of_track.assign(r->result.tracks.size(), -1);
  for (size_t i = 0; i < r->result.identities.size(); ++i)
    for (const int64_t t : r->result.identities[i].tracks)
      if (t >= 0 && t < static_cast<int64_t>(r->identity_of_track.size()))
        r->identity_of_track[t] = static_cast<int64_t>(i);
  return r;
}

/// Fails naming `argument` unless 0 <= index < size.
void require_index(const char* fn, const char* argument, int64_t index, size_t size) {
  if (index < 0 || index >= static_cast<int64_t>(size)) {
    trackkit::fail_argument(fn, argument, "must be in [0," + std::to_string(size) + "), got " + std::to_string(index));
  }
}

const trackkit::FaceTrack& track_at(const char* fn, const tk_face_result* result, int64_t index,
                                    const char* argument = "index") {
  require_pointer(fn, "result", result);
  require_index(fn, argument, index, result->result.tracks.size());
  return result->result.tracks[index];
}

const trackkit::FaceIdentity& identity_at(const char* fn, const tk_face_result* result, int64_t index) {
  require_pointer(fn, "result", result);
  require_index(fn, "index", index, result->result.identities.size());
  return result->result.identities[index];
}

void write_record(const char* fn, tk_face_record* out, const trackkit::FaceRecord& f) {
  tk_face_record c{};
  c.struct_size = sizeof(c);
  c.frame = f.frame, c.time = f.time, c.score = f.score, c.quality = f.quality;
  for (int k = 0; k < 4; ++k) c.box[k] = f.box[k];
  for (int k = 0; k < 10; ++k) c.landmarks[k] = f.landmarks[k];
  trackkit::capi::write_struct(fn, out, c, "face");
}

} // namespace

extern "C" {

TK_API tk_status tk_face_clusterer_config_init(tk_face_clusterer_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_face_clusterer_config_init";
  return trackkit::capi::tk_guard(
      fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, to_config(trackkit::FaceClusterOptions{})); });
}

TK_API tk_status tk_face_clusterer_create(const char* detector_path, const char* embedder_path,
                                          const tk_face_clusterer_config* config, tk_face_clusterer** clusterer) {
  constexpr const char* fn = "tk_face_clusterer_create";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "clusterer", clusterer);
    *clusterer = nullptr;
    require_pointer(fn, "detector_path", detector_path);
    require_pointer(fn, "embedder_path", embedder_path);
    const trackkit::FaceClusterOptions options = to_options(fn, config);
    *clusterer = new tk_face_clusterer{trackkit::FaceClusterer(detector_path, embedder_path, options)};
  });
}

TK_API void tk_face_clusterer_destroy(tk_face_clusterer* clusterer) { delete clusterer; }

TK_API tk_status tk_face_clusterer_set_cuda_stream(tk_face_clusterer* clusterer, void* cuda_stream) {
  constexpr const char* fn = "tk_face_clusterer_set_cuda_stream";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "clusterer", clusterer);
    clusterer->cuda_stream = trackkit::capi::checked_stream(fn, cuda_stream, clusterer->clusterer.detector().device());
  });
}

TK_API tk_status tk_face_clusterer_warmup(tk_face_clusterer* clusterer, int64_t frame_height, int64_t frame_width) {
  constexpr const char* fn = "tk_face_clusterer_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "clusterer", clusterer);
    trackkit::capi::require_frame_size(fn, frame_height, frame_width);
    const trackkit::CudaStreamScope stream_scope(clusterer->cuda_stream);
    clusterer->clusterer.detector().warmup(frame_height, frame_width);
    clusterer->clusterer.embedder().warmup();
  });
}

TK_API tk_status tk_face_clusterer_begin_input(tk_face_clusterer* clusterer, const char* name, double fps) {
  constexpr const char* fn = "tk_face_clusterer_begin_input";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "clusterer", clusterer);
    require_pointer(fn, "name", name);
    clusterer->clusterer.begin_input(name, fps);
  });
}

TK_API tk_status tk_face_clusterer_add_frames(tk_face_clusterer* clusterer, const DLTensor* frames) {
  constexpr const char* fn = "tk_face_clusterer_add_frames";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "clusterer", clusterer);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const trackkit::CudaStreamScope stream_scope(clusterer->cuda_stream);
    clusterer->clusterer.add_frames(f);
  });
}

TK_API tk_status tk_face_clusterer_finish_input(tk_face_clusterer* clusterer, tk_face_result** result) {
  constexpr const char* fn = "tk_face_clusterer_finish_input";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "result", result);
    *result = nullptr;
    require_pointer(fn, "clusterer", clusterer);
    const trackkit::CudaStreamScope stream_scope(clusterer->cuda_stream);
    *result = new_result(clusterer->clusterer.finish_input());
  });
}

TK_API tk_status tk_face_clusterer_counts(const tk_face_clusterer* clusterer, int64_t* faces_detected,
                                          int64_t* faces_embedded) {
  constexpr const char* fn = "tk_face_clusterer_counts";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "clusterer", clusterer);
    if (faces_detected != nullptr) *faces_detected = clusterer->clusterer.faces_detected();
    if (faces_embedded != nullptr) *faces_embedded = clusterer->clusterer.faces_embedded();
  });
}

TK_API void tk_face_result_destroy(tk_face_result* result) { delete result; }

TK_API tk_status tk_face_result_info(const tk_face_result* result, const char** input, int64_t* frames, double* fps,
                                     int64_t* tracks, int64_t* identities) {
  constexpr const char* fn = "tk_face_result_info";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "result", result);
    const trackkit::FaceClusterResult& r = result->result;
    if (input != nullptr) *input = r.input.c_str();
    if (frames != nullptr) *frames = r.frames;
    if (fps != nullptr) *fps = r.fps;
    if (tracks != nullptr) *tracks = static_cast<int64_t>(r.tracks.size());
    if (identities != nullptr) *identities = static_cast<int64_t>(r.identities.size());
  });
}

TK_API tk_status tk_face_result_identity(const tk_face_result* result, int64_t index, tk_face_identity* identity) {
  constexpr const char* fn = "tk_face_result_identity";
  return trackkit::capi::tk_guard(fn, [&] {
    const trackkit::FaceIdentity& i = identity_at(fn, result, index);
    tk_face_identity c{};
    c.struct_size = sizeof(c);
    c.id = i.id, c.tracks = static_cast<int64_t>(i.tracks.size());
    c.representative_track = i.representative_track;
    trackkit::capi::write_struct(fn, identity, c, "identity");
  });
}

TK_API tk_status tk_face_result_identity_tracks(const tk_face_result* result, int64_t index,
                                                DLManagedTensorVersioned** tracks) {
  constexpr const char* fn = "tk_face_result_identity_tracks";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "tracks", tracks);
    const trackkit::FaceIdentity& i = identity_at(fn, result, index);
    const at::Tensor list = at::tensor(at::ArrayRef<int64_t>(i.tracks), at::TensorOptions().dtype(at::kLong));
    trackkit::capi::give_dltensor(fn, "tracks", list, tracks);
  });
}

TK_API tk_status tk_face_result_representative(const tk_face_result* result, int64_t index, tk_face_record* face) {
  constexpr const char* fn = "tk_face_result_representative";
  return trackkit::capi::tk_guard(fn, [&] { write_record(fn, face, identity_at(fn, result, index).representative); });
}

TK_API tk_status tk_face_result_track(const tk_face_result* result, int64_t index, tk_face_track* track) {
  constexpr const char* fn = "tk_face_result_track";
  return trackkit::capi::tk_guard(fn, [&] {
    const trackkit::FaceTrack& t = track_at(fn, result, index);
    tk_face_track c{};
    c.struct_size = sizeof(c);
    c.id = t.id, c.first_frame = t.first_frame, c.last_frame = t.last_frame, c.faces_seen = t.faces_seen;
    c.best_faces = static_cast<int64_t>(t.best.size()), c.identity = result->identity_of_track[index];
    trackkit::capi::write_struct(fn, track, c, "track");
  });
}

TK_API tk_status tk_face_result_track_face(const tk_face_result* result, int64_t track_index, int64_t face_index,
                                           tk_face_record* face) {
  constexpr const char* fn = "tk_face_result_track_face";
  return trackkit::capi::tk_guard(fn, [&] {
    const trackkit::FaceTrack& t = track_at(fn, result, track_index, "track_index");
    require_index(fn, "face_index", face_index, t.best.size());
    write_record(fn, face, t.best[face_index]);
  });
}

TK_API tk_status tk_face_result_track_embedding(const tk_face_result* result, int64_t index,
                                                DLManagedTensorVersioned** embedding) {
  constexpr const char* fn = "tk_face_result_track_embedding";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "embedding", embedding);
    trackkit::capi::give_dltensor(fn, "embedding", track_at(fn, result, index).embedding, embedding);
  });
}

TK_API tk_status tk_face_result_track_crops(const tk_face_result* result, int64_t index,
                                            DLManagedTensorVersioned** crops) {
  constexpr const char* fn = "tk_face_result_track_crops";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "crops", crops);
    trackkit::capi::give_dltensor(fn, "crops", track_at(fn, result, index).best_crops, crops);
  });
}

} // extern "C"
