/* Bad input of the model components, c/detector.h, c/segmenter.h, c/embedder.h and c/face.h, and of c/pipeline.h:
 * missing, directory, empty, truncated and random-bytes model files, configs, NULL handles. No real model is loaded:
 * every call that needs one gets a NULL handle, and configs are checked before a model is read. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "test_capi_bad_input.h"

#define BAD TK_ERR_INVALID_ARGUMENT

static tk_detector_config dc;
static struct {
  tk_detector_config config;
  unsigned char tail[8];
} detector_big;
static const int64_t* no_classes = NULL;
static const char* name;
static int64_t count;
static float detections[300 * 6];
static int64_t counts[4];

static tk_detector_config detector_defaults(void) {
  tk_detector_config c;
  tk_detector_config_init(&c, sizeof c);
  return c;
}
static tk_status detector(const char* file, const tk_detector_config* c) {
  return tk_detector_create(bad_path(file), c, &made_detector);
}
/* Each model file that is not a model: absent, a folder, empty, cut short, noise. */
static tk_status model_status(const char* file) {
  return strcmp(file, "missing.torchscript") == 0 || strcmp(file, "folder") == 0 ? TK_ERR_NOT_FOUND : TK_ERR_MODEL;
}
static const char* const bad_models[] = {"missing.torchscript", "folder", "empty.torchscript", "truncated.torchscript",
                                         "noise.torchscript"};

static void detector_cases(void) {
  size_t i;
  EXPECT(BAD, "tk_detector_config_init: config is NULL", tk_detector_config_init(NULL, sizeof dc));
  EXPECT(BAD, "tk_detector_config_init: struct_size is 0", tk_detector_config_init(&dc, 0));
  EXPECT(BAD, "tk_detector_create: detector is NULL", (dc = detector_defaults(), tk_detector_create("m", &dc, NULL)));
  EXPECT(BAD, "tk_detector_create: model_path is NULL", tk_detector_create(NULL, &dc, &made_detector));
  EXPECT(BAD, "tk_detector_create: config is NULL", detector("noise.torchscript", NULL));
  for (i = 0; i < sizeof bad_models / sizeof bad_models[0]; ++i)
    EXPECT(model_status(bad_models[i]), bad_models[i], detector(bad_models[i], &dc));
  EXPECT(BAD, "tk_detector_create: config->struct_size is 0", (dc.struct_size = 0, detector("noise.torchscript", &dc)));
  EXPECT(BAD, "tk_detector_create: config->struct_size is 16",
         (dc.struct_size = 16, detector("noise.torchscript", &dc)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_detector_create: config sets a field at byte",
         (tk_detector_config_init(&detector_big.config, sizeof detector_big), detector_big.tail[0] = 1,
          detector("noise.torchscript", &detector_big.config)));
  EXPECT(BAD, "config->device is NULL",
         (dc = detector_defaults(), dc.device = NULL, detector("noise.torchscript", &dc)));
  EXPECT(BAD, "options.device", (dc = detector_defaults(), dc.device = "opencl", detector("noise.torchscript", &dc)));
  EXPECT(BAD, "config->precision", (dc = detector_defaults(), dc.precision = 3, detector("noise.torchscript", &dc)));
  EXPECT(BAD, "config->precision", (dc = detector_defaults(), dc.precision = -1, detector("noise.torchscript", &dc)));
  EXPECT(BAD, "config->layout", (dc = detector_defaults(), dc.layout = 4, detector("noise.torchscript", &dc)));
  EXPECT(BAD, "config->reserved", (dc = detector_defaults(), dc.reserved = -1, detector("noise.torchscript", &dc)));
  EXPECT(BAD, "config->num_classes",
         (dc = detector_defaults(), dc.num_classes = -5, detector("noise.torchscript", &dc)));
  EXPECT(BAD, "config->classes is NULL",
         (dc = detector_defaults(), dc.classes = no_classes, dc.num_classes = 2, detector("noise.torchscript", &dc)));
  EXPECT(BAD, "tk_detector_set_cuda_stream: detector is NULL", tk_detector_set_cuda_stream(NULL, NULL));
  EXPECT(BAD, "tk_detector_warmup: detector is NULL", tk_detector_warmup(NULL, 480, 640));
  EXPECT(BAD, "tk_detector_detect: detector is NULL", tk_detector_detect(NULL, &frames_16, &out1, &out2));
  EXPECT(BAD, "tk_detector_detect_into: detector is NULL",
         tk_detector_detect_into(NULL, &frames_16, detections, counts, 4));
  EXPECT(BAD, "tk_detector_class_count: detector is NULL", tk_detector_class_count(NULL, &count));
  EXPECT(BAD, "tk_detector_class_name: detector is NULL", tk_detector_class_name(NULL, 0, &name));
  EXPECT_VOID(tk_detector_destroy(NULL));
}

static tk_segmenter_config sc;
static tk_segmenter_masks masks;
static tk_segmenter_config segmenter_defaults(void) {
  tk_segmenter_config c;
  tk_segmenter_config_init(&c, sizeof c);
  return c;
}
static tk_status segmenter(const char* encoder, const char* decoder, const tk_segmenter_config* c) {
  return tk_segmenter_create(bad_path(encoder), bad_path(decoder), c, &made_segmenter);
}

static void segmenter_cases(void) {
  size_t i;
  EXPECT(BAD, "tk_segmenter_config_init: config is NULL", tk_segmenter_config_init(NULL, sizeof sc));
  EXPECT(BAD, "tk_segmenter_config_init: struct_size is 8", tk_segmenter_config_init(&sc, 8));
  EXPECT(BAD, "tk_segmenter_create: segmenter is NULL",
         (sc = segmenter_defaults(), tk_segmenter_create("e", "d", &sc, NULL)));
  EXPECT(BAD, "tk_segmenter_create: encoder_path is NULL", tk_segmenter_create(NULL, "d", &sc, &made_segmenter));
  EXPECT(BAD, "tk_segmenter_create: decoder_path is NULL", tk_segmenter_create("e", NULL, &sc, &made_segmenter));
  EXPECT(BAD, "tk_segmenter_create: config is NULL", segmenter("noise.torchscript", "noise.torchscript", NULL));
  for (i = 0; i < sizeof bad_models / sizeof bad_models[0]; ++i) /* the encoder is read first */
    EXPECT(model_status(bad_models[i]), bad_models[i], segmenter(bad_models[i], "noise.torchscript", &sc));
  EXPECT(BAD, "tk_segmenter_create: config->struct_size is 0",
         (sc.struct_size = 0, segmenter("noise.torchscript", "noise.torchscript", &sc)));
  EXPECT(BAD, "config->device is NULL",
         (sc = segmenter_defaults(), sc.device = NULL, segmenter("noise.torchscript", "noise.torchscript", &sc)));
  EXPECT(BAD, "config->precision",
         (sc = segmenter_defaults(), sc.precision = 99, segmenter("noise.torchscript", "noise.torchscript", &sc)));
  EXPECT(BAD, "config->reserved",
         (sc = segmenter_defaults(), sc.reserved = 1, segmenter("noise.torchscript", "noise.torchscript", &sc)));
  EXPECT(BAD, "tk_segmenter_set_cuda_stream: segmenter is NULL", tk_segmenter_set_cuda_stream(NULL, NULL));
  EXPECT(BAD, "tk_segmenter_warmup: segmenter is NULL", tk_segmenter_warmup(NULL, 480, 640, 1));
  EXPECT(BAD, "tk_segmenter_encode: segmenter is NULL", tk_segmenter_encode(NULL, &frames_16, &made_embeddings));
  EXPECT(BAD, "tk_segmenter_decode: segmenter is NULL",
         (masks.struct_size = sizeof masks, tk_segmenter_decode(NULL, NULL, &boxes_2x4, &masks)));
  EXPECT(BAD, "tk_segmenter_segment: segmenter is NULL", tk_segmenter_segment(NULL, &frames_16, &boxes_2x4, &masks));
  EXPECT_VOID(tk_segmenter_destroy(NULL));
  EXPECT_VOID(tk_segmenter_embeddings_destroy(NULL));
}

static tk_embedder_config mc;
static tk_embedder_config embedder_defaults(void) {
  tk_embedder_config c;
  tk_embedder_config_init(&c, sizeof c);
  return c;
}
static tk_status embedder(const char* file, const tk_embedder_config* c) {
  return tk_embedder_create(bad_path(file), c, &made_embedder);
}

static void embedder_cases(void) {
  size_t i;
  EXPECT(BAD, "tk_embedder_config_init: config is NULL", tk_embedder_config_init(NULL, sizeof mc));
  EXPECT(BAD, "tk_embedder_config_init: struct_size is 0", tk_embedder_config_init(&mc, 0));
  EXPECT(BAD, "tk_embedder_create: embedder is NULL", (mc = embedder_defaults(), tk_embedder_create("m", &mc, NULL)));
  EXPECT(BAD, "tk_embedder_create: model_path is NULL", tk_embedder_create(NULL, &mc, &made_embedder));
  EXPECT(BAD, "tk_embedder_create: config is NULL", embedder("noise.torchscript", NULL));
  for (i = 0; i < sizeof bad_models / sizeof bad_models[0]; ++i)
    EXPECT(model_status(bad_models[i]), bad_models[i], embedder(bad_models[i], &mc));
  EXPECT(BAD, "tk_embedder_create: config->struct_size is 0", (mc.struct_size = 0, embedder("noise.torchscript", &mc)));
  EXPECT(BAD, "config->device is NULL",
         (mc = embedder_defaults(), mc.device = NULL, embedder("noise.torchscript", &mc)));
  EXPECT(BAD, "config->precision", (mc = embedder_defaults(), mc.precision = 5, embedder("noise.torchscript", &mc)));
  EXPECT(BAD, "config->preset", (mc = embedder_defaults(), mc.preset = 5, embedder("noise.torchscript", &mc)));
  EXPECT(BAD, "config->box_sampling",
         (mc = embedder_defaults(), mc.box_sampling = 2, embedder("noise.torchscript", &mc)));
  EXPECT(BAD, "config->reserved", (mc = embedder_defaults(), mc.reserved = 2, embedder("noise.torchscript", &mc)));
  EXPECT(BAD, "tk_embedder_set_cuda_stream: embedder is NULL", tk_embedder_set_cuda_stream(NULL, NULL));
  EXPECT(BAD, "tk_embedder_warmup: embedder is NULL", tk_embedder_warmup(NULL));
  EXPECT(BAD, "tk_embedder_dim: embedder is NULL", tk_embedder_dim(NULL, &count));
  EXPECT(BAD, "tk_embedder_embed: embedder is NULL", tk_embedder_embed(NULL, &frames_16, &boxes_2x4, &out1));
  EXPECT(BAD, "tk_embedder_embed_aligned: embedder is NULL",
         tk_embedder_embed_aligned(NULL, &frames_16, &boxes_2x4, NULL, &out1));
  EXPECT(BAD, "tk_embedder_crop_boxes: embedder is NULL", tk_embedder_crop_boxes(NULL, &frames_16, &boxes_2x4, &out1));
  EXPECT(BAD, "tk_embedder_crop_aligned: embedder is NULL",
         tk_embedder_crop_aligned(NULL, &frames_16, &boxes_2x4, NULL, &out1));
  EXPECT(BAD, "tk_embedder_embed_crops: embedder is NULL", tk_embedder_embed_crops(NULL, &frames_16, &out1));
  EXPECT_VOID(tk_embedder_destroy(NULL));
}

void model_cases(void) {
  detector_cases();
  segmenter_cases();
  embedder_cases();
}

static tk_pipeline_config pc;
static struct {
  tk_pipeline_config config;
  unsigned char tail[8];
} pipeline_big;
static tk_frame_reader_config rc;
static struct {
  tk_frame_reader_config config;
  unsigned char tail[8];
} reader_big;
static tk_frame_reader_config reader_defaults(void) {
  tk_frame_reader_config c;
  tk_frame_reader_config_init(&c, sizeof c);
  return c;
}
static tk_status open_with(const tk_frame_reader_config* c) {
  return tk_frame_reader_open_with(bad_path("valid.npy"), c, &made_reader);
}
static tk_pipeline_times times;
static double fps;
static tk_pipeline_config pipeline_defaults(void) {
  tk_pipeline_config c;
  tk_pipeline_config_init(&c, sizeof c);
  return c;
}
static tk_status pipeline(const char* file, const tk_pipeline_config* c) {
  return tk_pipeline_create(bad_path(file), c, &made_pipeline);
}
static tk_gmc_config gc;
static tk_tracker_config tc;
static tk_status reader(const char* file, int64_t max_frames) {
  return tk_frame_reader_open(bad_path(file), max_frames, &made_reader);
}

void pipeline_cases(void) {
  size_t i;
  EXPECT(BAD, "tk_pipeline_config_init: config is NULL", tk_pipeline_config_init(NULL, sizeof pc));
  EXPECT(BAD, "tk_pipeline_config_init: struct_size is 0", tk_pipeline_config_init(&pc, 0));
  EXPECT(BAD, "tk_pipeline_create: pipeline is NULL", (pc = pipeline_defaults(), tk_pipeline_create("m", &pc, NULL)));
  EXPECT(BAD, "tk_pipeline_create: model_path is NULL", tk_pipeline_create(NULL, &pc, &made_pipeline));
  EXPECT(BAD, "tk_pipeline_create: config is NULL", pipeline("noise.torchscript", NULL));
  for (i = 0; i < sizeof bad_models / sizeof bad_models[0]; ++i)
    EXPECT(model_status(bad_models[i]), bad_models[i], pipeline(bad_models[i], &pc));
  EXPECT(BAD, "tk_pipeline_create: config->struct_size is 8", (pc.struct_size = 8, pipeline("noise.torchscript", &pc)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_pipeline_create: config sets a field at byte",
         (tk_pipeline_config_init(&pipeline_big.config, sizeof pipeline_big), pipeline_big.tail[0] = 1,
          pipeline("noise.torchscript", &pipeline_big.config)));
  EXPECT(BAD, "tk_pipeline_create(config->detector): config->struct_size is 0",
         (pc = pipeline_defaults(), dc.struct_size = 0, pc.detector = &dc, pipeline("noise.torchscript", &pc)));
  EXPECT(BAD, "tk_pipeline_create(config->detector): config->layout",
         (dc = detector_defaults(), dc.layout = 9, pipeline("noise.torchscript", &pc)));
  EXPECT(BAD, "tk_pipeline_create(config->gmc): config->method",
         (pc = pipeline_defaults(), tk_gmc_config_init(&gc, sizeof gc), gc.method = 9, pc.gmc = &gc,
          pipeline("noise.torchscript", &pc)));
  EXPECT(BAD, "tk_pipeline_create(config->tracker): config->motion_model",
         (pc = pipeline_defaults(), tk_tracker_config_init(&tc, sizeof tc), tc.motion_model = 5, pc.tracker = &tc,
          pipeline("noise.torchscript", &pc)));
  EXPECT(BAD, "tk_pipeline_set_cuda_stream: pipeline is NULL", tk_pipeline_set_cuda_stream(NULL, NULL));
  EXPECT(BAD, "tk_pipeline_warmup: pipeline is NULL", tk_pipeline_warmup(NULL, 480, 640));
  EXPECT(BAD, "tk_pipeline_batch_size: pipeline is NULL", tk_pipeline_batch_size(NULL, &count));
  EXPECT(BAD, "tk_pipeline_class_count: pipeline is NULL", tk_pipeline_class_count(NULL, &count));
  EXPECT(BAD, "tk_pipeline_class_name: pipeline is NULL", tk_pipeline_class_name(NULL, 0, &name));
  EXPECT(BAD, "tk_pipeline_push: pipeline is NULL", tk_pipeline_push(NULL, &frames_16, &out1, &count));
  EXPECT(BAD, "tk_pipeline_finish: pipeline is NULL", tk_pipeline_finish(NULL, &out1, &count));
  EXPECT(BAD, "tk_pipeline_reset: pipeline is NULL", tk_pipeline_reset(NULL));
  EXPECT(BAD, "tk_pipeline_times_get: pipeline is NULL",
         (times.struct_size = sizeof times, tk_pipeline_times_get(NULL, &times)));
  EXPECT_VOID(tk_pipeline_destroy(NULL));
  /* frame reading */
  EXPECT(BAD, "tk_frame_reader_open: reader is NULL", tk_frame_reader_open(bad_path("valid.npy"), -1, NULL));
  EXPECT(BAD, "tk_frame_reader_open: path is NULL", tk_frame_reader_open(NULL, -1, &made_reader));
  EXPECT(TK_ERR_NOT_FOUND, "missing.mp4", reader("missing.mp4", -1));
  EXPECT(EXPECT_EITHER(TK_ERR_NOT_FOUND, TK_ERR_UNSUPPORTED), "no_images", reader("no_images", -1)); /* imgcodecs */
  /* not a video; a build that reads no video at all (neither FFmpeg nor OpenCV's videoio) says so instead */
  EXPECT(EXPECT_EITHER(BAD, TK_ERR_UNSUPPORTED), "noise.mp4", reader("noise.mp4", -1));
  EXPECT(BAD, "noise.npy", reader("noise.npy", -1));
  EXPECT(BAD, "truncated.npy", reader("truncated.npy", -1));
  EXPECT(BAD, "tk_frame_reader_open: max_frames", reader("valid.npy", -7));
  EXPECT(BAD, "tk_frame_reader_open: max_frames", reader("valid.npy", INT64_MIN));
  EXPECT(BAD, "tk_frame_reader_config_init: config is NULL", tk_frame_reader_config_init(NULL, sizeof rc));
  EXPECT(BAD, "tk_frame_reader_config_init: struct_size is 0", tk_frame_reader_config_init(&rc, 0));
  EXPECT(BAD, "tk_frame_reader_open_with: reader is NULL",
         (rc = reader_defaults(), tk_frame_reader_open_with(bad_path("valid.npy"), &rc, NULL)));
  EXPECT(BAD, "tk_frame_reader_open_with: path is NULL", tk_frame_reader_open_with(NULL, &rc, &made_reader));
  EXPECT(BAD, "tk_frame_reader_open_with: config is NULL", open_with(NULL));
  EXPECT(BAD, "tk_frame_reader_open_with: config->struct_size is 8", (rc.struct_size = 8, open_with(&rc)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_frame_reader_open_with: config sets a field at byte",
         (tk_frame_reader_config_init(&reader_big.config, sizeof reader_big), reader_big.tail[7] = 1,
          open_with(&reader_big.config)));
  EXPECT(BAD, "config->decode", (rc = reader_defaults(), rc.decode = 3, open_with(&rc)));
  EXPECT(BAD, "config->decode", (rc = reader_defaults(), rc.decode = -1, open_with(&rc)));
  EXPECT(BAD, "config->max_frames", (rc = reader_defaults(), rc.max_frames = -7, open_with(&rc)));
  EXPECT(BAD, "options.prefetch", (rc = reader_defaults(), rc.prefetch = 0, open_with(&rc)));
  EXPECT(BAD, "options.cuda_device", (rc = reader_defaults(), rc.cuda_device = -1, open_with(&rc)));
  EXPECT(TK_ERR_NOT_FOUND, "missing.mp4",
         (rc = reader_defaults(), tk_frame_reader_open_with(bad_path("missing.mp4"), &rc, &made_reader)));
  EXPECT(BAD, "tk_frame_reader_info: reader is NULL", tk_frame_reader_info(NULL, &count, &count, &count, &fps));
  EXPECT(TK_OK, "", tk_frame_reader_info(a_reader, NULL, NULL, NULL, NULL)); /* every output may be NULL */
  EXPECT(BAD, "tk_frame_reader_read: reader is NULL", tk_frame_reader_read(NULL, 1, &out1));
  EXPECT(BAD, "tk_frame_reader_read: frames is NULL", tk_frame_reader_read(a_reader, 1, NULL));
  EXPECT(BAD, "FrameReader::read: max_frames", tk_frame_reader_read(a_reader, 0, &out1));
  EXPECT(BAD, "FrameReader::read: max_frames", tk_frame_reader_read(a_reader, -1, &out1));
  EXPECT_VOID(tk_frame_reader_close(NULL));
}

static tk_face_detector_config fc;
static tk_face_clusterer_config kc;
static tk_face_record record;
static tk_face_track track;
static tk_face_identity identity;
static int64_t faces_detected;
static struct {
  tk_face_detector_config config;
  unsigned char tail[8];
} face_big;
static tk_face_detector_config face_defaults(void) {
  tk_face_detector_config c;
  tk_face_detector_config_init(&c, sizeof c);
  return c;
}
/* The options are checked before the model file is read: a file of noise never gets that far. */
static tk_status face_detector(const tk_face_detector_config* c) {
  return tk_face_detector_create(bad_path("noise.torchscript"), c, &made_face_detector);
}
static tk_face_clusterer_config clusterer_defaults(void) {
  tk_face_clusterer_config c;
  tk_face_clusterer_config_init(&c, sizeof c);
  return c;
}
static tk_status clusterer(const tk_face_clusterer_config* c) {
  return tk_face_clusterer_create(bad_path("noise.torchscript"), bad_path("noise.torchscript"), c,
                                  &made_face_clusterer);
}

void face_cases(void) {
  size_t i;
  EXPECT(BAD, "tk_face_detector_config_init: config is NULL", tk_face_detector_config_init(NULL, sizeof fc));
  EXPECT(BAD, "tk_face_detector_config_init: struct_size is 8", tk_face_detector_config_init(&fc, 8));
  EXPECT(BAD, "tk_face_detector_create: detector is NULL",
         (fc = face_defaults(), tk_face_detector_create("m", &fc, NULL)));
  EXPECT(BAD, "tk_face_detector_create: model_path is NULL", tk_face_detector_create(NULL, &fc, &made_face_detector));
  for (i = 0; i < sizeof bad_models / sizeof bad_models[0]; ++i)
    EXPECT(model_status(bad_models[i]), bad_models[i],
           tk_face_detector_create(bad_path(bad_models[i]), &fc, &made_face_detector));
  EXPECT(BAD, "config->precision", (fc.precision = 4, face_detector(&fc)));
  EXPECT(BAD, "tk_face_detector_create: config->struct_size is 0",
         (fc = face_defaults(), fc.struct_size = 0, face_detector(&fc)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_face_detector_create: config sets a field at byte",
         (tk_face_detector_config_init(&face_big.config, sizeof face_big), face_big.tail[2] = 1,
          face_detector(&face_big.config)));
  EXPECT(BAD, "config->device is NULL", (fc = face_defaults(), fc.device = NULL, face_detector(&fc)));
  EXPECT(BAD, "options.conf_threshold", (fc = face_defaults(), fc.conf_threshold = NAN, face_detector(&fc)));
  EXPECT(BAD, "options.conf_threshold", (fc = face_defaults(), fc.conf_threshold = 1, face_detector(&fc)));
  EXPECT(BAD, "options.iou_threshold", (fc = face_defaults(), fc.iou_threshold = 1.5, face_detector(&fc)));
  EXPECT(BAD, "options.iou_threshold", (fc = face_defaults(), fc.iou_threshold = -INFINITY, face_detector(&fc)));
  EXPECT(BAD, "options.max_detections", (fc = face_defaults(), fc.max_detections = 0, face_detector(&fc)));
  EXPECT(BAD, "options.max_candidates", (fc = face_defaults(), fc.max_candidates = -1, face_detector(&fc)));
  EXPECT(BAD, "options.batch_size", (fc = face_defaults(), fc.batch_size = -1, face_detector(&fc)));
  EXPECT(BAD, "options.input_height", (fc = face_defaults(), fc.input_height = -640, face_detector(&fc)));
  EXPECT(BAD, "tk_face_detector_set_cuda_stream: detector is NULL", tk_face_detector_set_cuda_stream(NULL, NULL));
  EXPECT(BAD, "tk_face_detector_warmup: detector is NULL", tk_face_detector_warmup(NULL, 480, 640));
  EXPECT(BAD, "tk_face_detector_detect: detector is NULL", tk_face_detector_detect(NULL, &frames_16, &out1, &out2));
  EXPECT(BAD, "tk_face_clusterer_config_init: config is NULL", tk_face_clusterer_config_init(NULL, sizeof kc));
  EXPECT(BAD, "tk_face_clusterer_config_init: struct_size is 0", tk_face_clusterer_config_init(&kc, 0));
  EXPECT(BAD, "tk_face_clusterer_create: clusterer is NULL",
         (tk_face_clusterer_config_init(&kc, sizeof kc), tk_face_clusterer_create("d", "e", &kc, NULL)));
  EXPECT(BAD, "tk_face_clusterer_create: detector_path is NULL",
         tk_face_clusterer_create(NULL, "e", &kc, &made_face_clusterer));
  EXPECT(BAD, "tk_face_clusterer_create: embedder_path is NULL",
         tk_face_clusterer_create("d", NULL, &kc, &made_face_clusterer));
  EXPECT(TK_ERR_NOT_FOUND, "missing.torchscript",
         tk_face_clusterer_create(bad_path("missing.torchscript"), bad_path("noise.torchscript"), &kc,
                                  &made_face_clusterer));
  EXPECT(BAD, "config->cluster_method", (kc.cluster_method = 7, clusterer(&kc)));
  EXPECT(BAD, "tk_face_clusterer_create: config is NULL", clusterer(NULL));
  EXPECT(BAD, "tk_face_clusterer_create: config->struct_size is 8",
         (kc = clusterer_defaults(), kc.struct_size = 8, clusterer(&kc)));
  EXPECT(BAD, "tk_face_clusterer_create(config->detector): config->struct_size is 0",
         (kc = clusterer_defaults(), fc = face_defaults(), fc.struct_size = 0, kc.detector = &fc, clusterer(&kc)));
  EXPECT(BAD, "tk_face_clusterer_create(config->tracker): config->motion_model",
         (kc = clusterer_defaults(), tk_tracker_config_init(&tc, sizeof tc), tc.motion_model = 3, kc.tracker = &tc,
          clusterer(&kc)));
  EXPECT(BAD, "config->cluster_linkage", (kc = clusterer_defaults(), kc.cluster_linkage = -1, clusterer(&kc)));
  EXPECT(BAD, "config->reserved", (kc = clusterer_defaults(), kc.reserved = 1, clusterer(&kc)));
  EXPECT(BAD, "distance_threshold", (kc = clusterer_defaults(), kc.cluster_distance_threshold = NAN, clusterer(&kc)));
  EXPECT(BAD, "best_faces", (kc = clusterer_defaults(), kc.best_faces = 0, clusterer(&kc)));
  EXPECT(BAD, "min_quality", (kc = clusterer_defaults(), kc.min_quality = NAN, clusterer(&kc)));
  EXPECT(BAD, "min_track_faces", (kc = clusterer_defaults(), kc.min_track_faces = -1, clusterer(&kc)));
  EXPECT(BAD, "min_size_px", (kc = clusterer_defaults(), kc.min_size_px = -INFINITY, clusterer(&kc)));
  EXPECT(BAD, "sharpness_crop", (kc = clusterer_defaults(), kc.sharpness_crop = 0, clusterer(&kc)));
  EXPECT(BAD, "tk_face_clusterer_set_cuda_stream: clusterer is NULL", tk_face_clusterer_set_cuda_stream(NULL, NULL));
  EXPECT(BAD, "tk_face_clusterer_warmup: clusterer is NULL", tk_face_clusterer_warmup(NULL, 480, 640));
  EXPECT(BAD, "tk_face_clusterer_begin_input: clusterer is NULL", tk_face_clusterer_begin_input(NULL, "video", 25));
  EXPECT(BAD, "tk_face_clusterer_add_frames: clusterer is NULL", tk_face_clusterer_add_frames(NULL, &frames_16));
  EXPECT(BAD, "tk_face_clusterer_finish_input: clusterer is NULL",
         tk_face_clusterer_finish_input(NULL, &made_face_result));
  EXPECT(BAD, "tk_face_clusterer_counts: clusterer is NULL", tk_face_clusterer_counts(NULL, &faces_detected, NULL));
  EXPECT(BAD, "tk_face_result_info: result is NULL", tk_face_result_info(NULL, &name, &count, &fps, &count, &count));
  EXPECT(BAD, "tk_face_result_identity: result is NULL",
         (identity.struct_size = sizeof identity, tk_face_result_identity(NULL, 0, &identity)));
  EXPECT(BAD, "tk_face_result_identity_tracks: result is NULL", tk_face_result_identity_tracks(NULL, 0, &out1));
  EXPECT(BAD, "tk_face_result_representative: result is NULL",
         (record.struct_size = sizeof record, tk_face_result_representative(NULL, 0, &record)));
  EXPECT(BAD, "tk_face_result_track: result is NULL",
         (track.struct_size = sizeof track, tk_face_result_track(NULL, 0, &track)));
  EXPECT(BAD, "tk_face_result_track_face: result is NULL", tk_face_result_track_face(NULL, 0, 0, &record));
  EXPECT(BAD, "tk_face_result_track_embedding: result is NULL", tk_face_result_track_embedding(NULL, 0, &out1));
  EXPECT(BAD, "tk_face_result_track_crops: result is NULL", tk_face_result_track_crops(NULL, 0, &out1));
  EXPECT_VOID(tk_face_detector_destroy(NULL));
  EXPECT_VOID(tk_face_clusterer_destroy(NULL));
  EXPECT_VOID(tk_face_result_destroy(NULL));
}
