/* track_folder: the main job from C through the C ABI. Tracks a folder of frames (or a video, a MOT sequence
 * folder, a .npy frame array) and prints MOT-format lines (frame, id, x, y, w, h, score, -1, -1, -1).
 *
 *   track_folder INPUT MODEL.torchscript [cpu|cuda|auto]
 *
 * Positional arguments only (C has no CLI11); -h / --help prints this usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trackkit/trackkit.h"

static const char usage[] =
    "usage: track_folder INPUT MODEL.torchscript [DEVICE]\n"
    "Tracks INPUT (a video, a folder of images, a MOT sequence folder or a .npy frame array) with the YOLO\n"
    "TorchScript export MODEL through the C ABI; prints MOT lines (frame,id,x,y,w,h,score,-1,-1,-1) on stdout.\n"
    "  DEVICE       auto (default: cuda where a GPU is visible, else cpu), cpu, cuda or cuda:N\n"
    "  -h, --help   print this help and exit\n";

static int fail(const char* what) {
  fprintf(stderr, "track_folder: %s: %s\n", what, tk_last_error());
  return 1;
}

static void print_tracks(DLManagedTensorVersioned* tracks) {
  const double* t = (const double*)tracks->dl_tensor.data;
  int64_t i;
  for (i = 0; i < tracks->dl_tensor.shape[0]; ++i, t += 10) /* frame id x1 y1 x2 y2 score class det_index gmc */
    printf("%lld,%lld,%.2f,%.2f,%.2f,%.2f,%.3f,-1,-1,-1\n", (long long)t[0] + 1, (long long)t[1], t[2], t[3],
           t[4] - t[2], t[5] - t[3], t[6]);
  tracks->deleter(tracks);
}

int main(int argc, char** argv) {
  tk_pipeline_config config;
  tk_detector_config detector; /* the GMC and the tracker keep the pipeline's defaults (their pointers stay NULL) */
  tk_pipeline* pipeline = NULL;
  tk_frame_reader* reader = NULL;
  DLManagedTensorVersioned *frames = NULL, *in_flight = NULL, *tracks = NULL;
  int64_t height = 0, width = 0, batch = 0, finished = 0, total = 0, classes = 0;
  const char* first_class = "";
  tk_pipeline_times times;
  int i;
  for (i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      fputs(usage, stdout);
      return 0;
    }
    if (argv[i][0] == '-' && argv[i][1] != '\0') { /* "-" alone could be a file name */
      fprintf(stderr, "track_folder: unknown option %s (it takes positional arguments only)\n%s", argv[i], usage);
      return 2;
    }
  }
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "track_folder: %s\n%s", argc < 3 ? "INPUT and MODEL are needed" : "too many arguments", usage);
    return 2;
  }
  if (!tk_abi_compatible()) {
    fprintf(stderr, "track_folder: libtrackkit_c %s does not serve this program's ABI %d.%d\n", tk_version(),
            TK_ABI_VERSION_MAJOR, TK_ABI_VERSION_MINOR);
    return 1;
  }
  if (tk_pipeline_config_init(&config, sizeof config) != TK_OK ||
      tk_detector_config_init(&detector, sizeof detector) != TK_OK)
    return fail("initialising the configs");
  detector.device = argc > 3 ? argv[3] : "auto";
  detector.conf_threshold = 0.1; /* the pipeline's default, which a detector config given replaces */
  config.detector = &detector;
  if (tk_frame_reader_open(argv[1], -1, &reader) != TK_OK) return fail("opening the input");
  if (tk_frame_reader_info(reader, NULL, &height, &width, NULL) != TK_OK) return fail("reading its size");
  if (tk_pipeline_create(argv[2], &config, &pipeline) != TK_OK) return fail("creating the pipeline");
  if (tk_pipeline_warmup(pipeline, height, width) != TK_OK || tk_pipeline_batch_size(pipeline, &batch) != TK_OK)
    return fail("warming up");
  if (tk_pipeline_class_count(pipeline, &classes) != TK_OK ||
      (classes > 0 && tk_pipeline_class_name(pipeline, 0, &first_class) != TK_OK))
    return fail("reading the class names");
  fprintf(stderr, "track_folder: %lldx%lld frames in batches of %lld; the model has %lld classes (%s, ...)\n",
          (long long)width, (long long)height, (long long)batch, (long long)classes, first_class);
  for (;;) {
    if (tk_frame_reader_read(reader, batch, &frames) != TK_OK) return fail("reading frames");
    if (frames->dl_tensor.shape[0] == 0) {
      frames->deleter(frames);
      break;
    }
    /* The pipeline reads a batch until the call that finishes it: free the one before only after this push. */
    if (tk_pipeline_push(pipeline, &frames->dl_tensor, &tracks, &finished) != TK_OK) return fail("tracking");
    if (in_flight != NULL) in_flight->deleter(in_flight);
    in_flight = frames;
    total += finished;
    print_tracks(tracks);
  }
  if (tk_pipeline_finish(pipeline, &tracks, &finished) != TK_OK) return fail("finishing");
  total += finished;
  print_tracks(tracks);
  if (in_flight != NULL) in_flight->deleter(in_flight);
  times.struct_size = sizeof times;
  if (tk_pipeline_times_get(pipeline, &times) == TK_OK)
    fprintf(stderr, "track_folder: %lld frames, %.1f frames/s in the pipeline\n", (long long)total,
            times.frames / (times.total > 0 ? times.total : 1e-9));
  tk_pipeline_destroy(pipeline);
  tk_frame_reader_close(reader);
  return 0;
}
