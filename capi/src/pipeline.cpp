// C ABI for trackkit/pipeline.hpp and the frame reader of trackkit/video_io.hpp.
#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"
#include "trackkit/pipeline.hpp"
#include "trackkit/video_io.hpp"

struct tk_pipeline {
  trackkit::TrackingPipeline pipeline;
  void* cuda_stream = nullptr; // tk_pipeline_set_cuda_stream's; every call's work runs on it
};
struct tk_frame_reader {
  trackkit::FrameReader reader;
};

namespace {

/// float64 [M,10]: frame, id, x1, y1, x2, y2, score, class, det_index, GMC status.
void give_tracks(const char* fn, const std::vector<trackkit::FrameTracks>& frames, DLManagedTensorVersioned** tracks,
                 int64_t* frames_finished) {
  std::vector<at::Tensor> rows;
  for (const trackkit::FrameTracks& f : frames) {
    const trackkit::TrackerOutput& t = f.tracks;
    const int64_t m = t.ids.size(0);
    const auto column = [m](double value) { return at::full({m, 1}, value, at::kDouble); };
    rows.push_back(at::cat({column(static_cast<double>(f.frame)), t.ids.to(at::kDouble).unsqueeze(1), t.boxes,
                            t.scores.unsqueeze(1), t.classes.to(at::kDouble).unsqueeze(1),
                            t.det_index.to(at::kDouble).unsqueeze(1), column(static_cast<int>(f.gmc_status))},
                           1));
  }
  const at::Tensor all = rows.empty() ? at::zeros({0, 10}, at::kDouble) : at::cat(rows);
  trackkit::capi::give_dltensor(fn, "tracks", all, tracks);
  *frames_finished = static_cast<int64_t>(frames.size());
}

/// The pipeline's options: each component config the caller points to, trackkit::PipelineOptions' where NULL.
trackkit::PipelineOptions to_options(const char* fn, const char* model_path, const tk_pipeline_config* config) {
  tk_pipeline_config defaults{};
  defaults.struct_size = sizeof(defaults);
  const tk_pipeline_config c = trackkit::capi::read_struct(fn, config, defaults);
  trackkit::PipelineOptions o;
  o.model_path = model_path;
  // The component readers name "config"; the label says which one: "tk_pipeline_create(config->gmc): config->...".
  const std::string function(fn);
  if (c.detector != nullptr)
    o.detector = trackkit::capi::detector_options((function + "(config->detector)").c_str(), c.detector);
  if (c.gmc != nullptr) o.gmc = trackkit::capi::gmc_options((function + "(config->gmc)").c_str(), c.gmc);
  if (c.tracker != nullptr)
    o.tracker = trackkit::capi::tracker_options((function + "(config->tracker)").c_str(), c.tracker);
  return o;
}

tk_frame_reader_config frame_reader_defaults() {
  tk_frame_reader_config d{};
  d.struct_size = sizeof(d);
  d.max_frames = -1, d.prefetch = 64, d.decode = TK_DECODE_AUTO, d.rgb = 0, d.cuda_device = 0, d.threads = 0;
  return d;
}

} // namespace

extern "C" {

TK_API tk_status tk_pipeline_config_init(tk_pipeline_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_pipeline_config_init";
  return trackkit::capi::tk_guard(fn, [&] {
    tk_pipeline_config defaults{}; // no component configs: the pipeline's defaults
    defaults.struct_size = sizeof(defaults);
    trackkit::capi::init_struct(fn, config, struct_size, defaults);
  });
}

TK_API tk_status tk_pipeline_create(const char* model_path, const tk_pipeline_config* config, tk_pipeline** pipeline) {
  constexpr const char* fn = "tk_pipeline_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    *pipeline = nullptr;
    trackkit::capi::require_pointer(fn, "model_path", model_path);
    *pipeline = new tk_pipeline{trackkit::TrackingPipeline(to_options(fn, model_path, config))};
  });
}

TK_API void tk_pipeline_destroy(tk_pipeline* pipeline) { delete pipeline; }

TK_API tk_status tk_pipeline_set_cuda_stream(tk_pipeline* pipeline, void* cuda_stream) {
  constexpr const char* fn = "tk_pipeline_set_cuda_stream";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    pipeline->cuda_stream = trackkit::capi::checked_stream(fn, cuda_stream, pipeline->pipeline.detector().device());
  });
}

TK_API tk_status tk_pipeline_warmup(tk_pipeline* pipeline, int64_t frame_height, int64_t frame_width) {
  constexpr const char* fn = "tk_pipeline_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    if (frame_height < 1)
      trackkit::fail_argument(fn, "frame_height", "must be > 0, got " + std::to_string(frame_height));
    if (frame_width < 1) trackkit::fail_argument(fn, "frame_width", "must be > 0, got " + std::to_string(frame_width));
    const trackkit::CudaStreamScope stream_scope(pipeline->cuda_stream);
    pipeline->pipeline.warmup(frame_height, frame_width);
  });
}

TK_API tk_status tk_pipeline_batch_size(const tk_pipeline* pipeline, int64_t* batch_size) {
  constexpr const char* fn = "tk_pipeline_batch_size";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    trackkit::capi::require_pointer(fn, "batch_size", batch_size);
    *batch_size = pipeline->pipeline.detector().batch_size();
  });
}

TK_API tk_status tk_pipeline_class_count(const tk_pipeline* pipeline, int64_t* count) {
  constexpr const char* fn = "tk_pipeline_class_count";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    trackkit::capi::require_pointer(fn, "count", count);
    *count = static_cast<int64_t>(pipeline->pipeline.detector().class_names().size());
  });
}

TK_API tk_status tk_pipeline_class_name(const tk_pipeline* pipeline, int64_t index, const char** name) {
  constexpr const char* fn = "tk_pipeline_class_name";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    trackkit::capi::require_pointer(fn, "name", name);
    const std::vector<std::string>& names = pipeline->pipeline.detector().class_names();
    if (index < 0 || index >= static_cast<int64_t>(names.size())) {
      trackkit::fail_argument(fn, "index",
                              "must be in [0," + std::to_string(names.size()) + "), got " + std::to_string(index));
    }
    *name = names[static_cast<size_t>(index)].c_str();
  });
}

TK_API tk_status tk_pipeline_push(tk_pipeline* pipeline, const DLTensor* frames, DLManagedTensorVersioned** tracks,
                                  int64_t* frames_finished) {
  constexpr const char* fn = "tk_pipeline_push";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    trackkit::capi::require_pointer(fn, "tracks", tracks);
    trackkit::capi::require_pointer(fn, "frames_finished", frames_finished);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const trackkit::CudaStreamScope stream_scope(pipeline->cuda_stream);
    give_tracks(fn, pipeline->pipeline.push(f), tracks, frames_finished);
  });
}

TK_API tk_status tk_pipeline_finish(tk_pipeline* pipeline, DLManagedTensorVersioned** tracks,
                                    int64_t* frames_finished) {
  constexpr const char* fn = "tk_pipeline_finish";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    trackkit::capi::require_pointer(fn, "tracks", tracks);
    trackkit::capi::require_pointer(fn, "frames_finished", frames_finished);
    const trackkit::CudaStreamScope stream_scope(pipeline->cuda_stream);
    give_tracks(fn, pipeline->pipeline.finish(), tracks, frames_finished);
  });
}

TK_API tk_status tk_pipeline_reset(tk_pipeline* pipeline) {
  constexpr const char* fn = "tk_pipeline_reset";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    const trackkit::CudaStreamScope stream_scope(pipeline->cuda_stream); // frames in flight are dropped on it
    pipeline->pipeline.reset();
  });
}

TK_API tk_status tk_pipeline_times_get(const tk_pipeline* pipeline, tk_pipeline_times* times) {
  constexpr const char* fn = "tk_pipeline_times_get";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    const trackkit::PipelineTimes& t = pipeline->pipeline.times();
    tk_pipeline_times value{};
    value.struct_size = sizeof(value);
    value.frames = t.frames, value.upload = t.upload, value.detect = t.detect, value.wait = t.wait;
    value.gmc = t.gmc, value.track = t.track, value.total = t.total;
    value.peak_memory_bytes = pipeline->pipeline.peak_memory_bytes();
    trackkit::capi::write_struct(fn, times, value, "times");
  });
}

TK_API tk_status tk_frame_reader_open(const char* path, int64_t max_frames, tk_frame_reader** reader) {
  constexpr const char* fn = "tk_frame_reader_open";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "reader", reader);
    *reader = nullptr;
    trackkit::capi::require_pointer(fn, "path", path);
    if (max_frames < -1) { // -1 is "all"; another negative count is a caller's mistake, not "all" too
      trackkit::fail_argument(fn, "max_frames", "must be -1 (all frames) or >= 0, got " + std::to_string(max_frames));
    }
    trackkit::FrameReaderOptions o;
    o.max_frames = max_frames;
    *reader = new tk_frame_reader{trackkit::FrameReader(path, o)};
  });
}

TK_API tk_status tk_frame_reader_config_init(tk_frame_reader_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_frame_reader_config_init";
  return trackkit::capi::tk_guard(
      fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, frame_reader_defaults()); });
}

TK_API tk_status tk_frame_reader_open_with(const char* path, const tk_frame_reader_config* config,
                                           tk_frame_reader** reader) {
  constexpr const char* fn = "tk_frame_reader_open_with";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "reader", reader);
    *reader = nullptr;
    trackkit::capi::require_pointer(fn, "path", path);
    const tk_frame_reader_config c = trackkit::capi::read_struct(fn, config, frame_reader_defaults());
    if (c.max_frames < -1) { // as tk_frame_reader_open: -1 is "all", another negative count a mistake
      trackkit::fail_argument(fn, "config->max_frames",
                              "must be -1 (all frames) or >= 0, got " + std::to_string(c.max_frames));
    }
    trackkit::capi::require_enum(fn, "config->decode", c.decode, TK_DECODE_CPU, "tk_decode");
    static const char* const modes[] = {"auto", "gpu", "cpu"};
    trackkit::FrameReaderOptions o;
    o.max_frames = c.max_frames, o.prefetch = c.prefetch, o.decode = modes[c.decode], o.rgb = c.rgb != 0;
    o.cuda_device = c.cuda_device, o.threads = c.threads;
    *reader = new tk_frame_reader{trackkit::FrameReader(path, o)};
  });
}

TK_API void tk_frame_reader_close(tk_frame_reader* reader) { delete reader; }

TK_API tk_status tk_frame_reader_info(const tk_frame_reader* reader, int64_t* frames, int64_t* height, int64_t* width,
                                      double* fps) {
  constexpr const char* fn = "tk_frame_reader_info";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "reader", reader);
    const trackkit::FrameSourceInfo& i = reader->reader.info();
    if (frames != nullptr) *frames = i.frames;
    if (height != nullptr) *height = i.height;
    if (width != nullptr) *width = i.width;
    if (fps != nullptr) *fps = i.fps;
  });
}

TK_API tk_status tk_frame_reader_read(tk_frame_reader* reader, int64_t max_frames, DLManagedTensorVersioned** frames) {
  constexpr const char* fn = "tk_frame_reader_read";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "reader", reader);
    trackkit::capi::require_pointer(fn, "frames", frames);
    trackkit::capi::give_dltensor(fn, "frames", reader->reader.read(max_frames), frames);
  });
}

} // extern "C"
