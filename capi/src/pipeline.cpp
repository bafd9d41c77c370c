// C ABI for trackkit/pipeline.hpp and the frame reader of trackkit/video_io.hpp.
#include <ATen/ATen.h>

#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "tensor.hpp"
#include "trackkit/pipeline.hpp"
#include "trackkit/video_io.hpp"

struct tk_pipeline {
  trackkit::TrackingPipeline pipeline;
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

} // namespace

extern "C" {

TK_API tk_pipeline_config tk_pipeline_config_defaults(void) {
  tk_pipeline_config c{};
  c.struct_size = sizeof(c);
  c.detector = tk_detector_config_defaults();
  c.detector.conf_threshold = trackkit::PipelineOptions().detector.conf_threshold;
  c.gmc = tk_gmc_config_defaults();
  c.tracker = trackkit::capi::tracker_config(trackkit::PipelineOptions().tracker);
  return c;
}

TK_API tk_status tk_pipeline_create(const char* model_path, const tk_pipeline_config* config, tk_pipeline** pipeline) {
  constexpr const char* fn = "tk_pipeline_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    *pipeline = nullptr;
    trackkit::capi::require_pointer(fn, "model_path", model_path);
    const tk_pipeline_config c =
        trackkit::capi::read_config(fn, config, tk_pipeline_config_defaults(), sizeof(tk_pipeline_config));
    trackkit::PipelineOptions o;
    o.model_path = model_path;
    o.detector = trackkit::capi::detector_options(fn, &c.detector);
    o.gmc = trackkit::capi::gmc_options(fn, &c.gmc);
    o.tracker = trackkit::capi::tracker_options(fn, &c.tracker);
    *pipeline = new tk_pipeline{trackkit::TrackingPipeline(o)};
  });
}

TK_API void tk_pipeline_destroy(tk_pipeline* pipeline) { delete pipeline; }

TK_API tk_status tk_pipeline_warmup(tk_pipeline* pipeline, int64_t frame_height, int64_t frame_width) {
  constexpr const char* fn = "tk_pipeline_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    if (frame_height < 1 || frame_width < 1)
      trackkit::fail_argument(fn, "frame_height/frame_width", "must be positive");
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

TK_API tk_status tk_pipeline_push(tk_pipeline* pipeline, const DLTensor* frames, DLManagedTensorVersioned** tracks,
                                  int64_t* frames_finished) {
  constexpr const char* fn = "tk_pipeline_push";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    trackkit::capi::require_pointer(fn, "tracks", tracks);
    trackkit::capi::require_pointer(fn, "frames_finished", frames_finished);
    const auto done = pipeline->pipeline.push(trackkit::capi::borrow_dltensor(fn, "frames", frames));
    give_tracks(fn, done, tracks, frames_finished);
  });
}

TK_API tk_status tk_pipeline_finish(tk_pipeline* pipeline, DLManagedTensorVersioned** tracks,
                                    int64_t* frames_finished) {
  constexpr const char* fn = "tk_pipeline_finish";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    trackkit::capi::require_pointer(fn, "tracks", tracks);
    trackkit::capi::require_pointer(fn, "frames_finished", frames_finished);
    give_tracks(fn, pipeline->pipeline.finish(), tracks, frames_finished);
  });
}

TK_API tk_status tk_pipeline_reset(tk_pipeline* pipeline) {
  constexpr const char* fn = "tk_pipeline_reset";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    pipeline->pipeline.reset();
  });
}

TK_API tk_status tk_pipeline_times_get(const tk_pipeline* pipeline, tk_pipeline_times* times) {
  constexpr const char* fn = "tk_pipeline_times_get";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "pipeline", pipeline);
    trackkit::capi::require_pointer(fn, "times", times);
    if (times->struct_size < sizeof(tk_pipeline_times))
      trackkit::fail_argument(fn, "times->struct_size", "must be sizeof(tk_pipeline_times)");
    const trackkit::PipelineTimes& t = pipeline->pipeline.times();
    times->frames = t.frames, times->upload = t.upload, times->detect = t.detect, times->wait = t.wait;
    times->gmc = t.gmc, times->track = t.track, times->total = t.total;
    times->peak_memory_bytes = pipeline->pipeline.peak_memory_bytes();
  });
}

TK_API tk_status tk_frame_reader_open(const char* path, int64_t max_frames, tk_frame_reader** reader) {
  constexpr const char* fn = "tk_frame_reader_open";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "reader", reader);
    *reader = nullptr;
    trackkit::capi::require_pointer(fn, "path", path);
    trackkit::FrameReaderOptions o;
    o.max_frames = max_frames;
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
