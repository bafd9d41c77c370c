/* Bad input of c/gmc.h (configs, presets, YAML, estimates) and c/e2p.h (views, configs, projections). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "test_capi_bad_input.h"

#define BAD TK_ERR_INVALID_ARGUMENT

static tk_gmc_config gc;
static struct {
  tk_gmc_config config;
  unsigned char tail[8];
} gmc_big;
static tk_gmc_quality quality;
static uint8_t pixels[4 * 16 * 16 * 3];
static float floats[2 * 16 * 16 * 3];
static float box_nan[4] = {0, 0, NAN, 8}, frame_9[5] = {9, 2, 2, 8, 8}, frame_half[5] = {0.5f, 2, 2, 8, 8};
static int64_t s16x16[3] = {16, 16, 3}, s16x2[3] = {16, 16, 2}, s0x16[3] = {0, 16, 3}, s1[1] = {16}, s14[2] = {1, 4};
static int64_t s13[2] = {1, 3}, s15[2] = {1, 5}, b16[4] = {2, 16, 16, 3}, b8[4] = {1, 8, 8, 3}, b2x16[3] = {2, 16, 16};
static int64_t b5[5] = {1, 2, 16, 16, 3};

static DLTensor u8(int32_t ndim, int64_t* shape) { return cpu_tensor_of(pixels, ndim, shape, kDLUInt, 8); }
static DLTensor f32(void* data, int32_t ndim, int64_t* shape) { return cpu_tensor_of(data, ndim, shape, kDLFloat, 32); }
static tk_gmc_config gmc_defaults(void) {
  tk_gmc_config c;
  tk_gmc_config_init(&c, sizeof c);
  return c;
}
static tk_status gmc_create(const tk_gmc_config* c) { return tk_gmc_create(c, &made_gmc); }
static tk_status apply(DLTensor frame) { return tk_gmc_apply(a_gmc, &frame, NULL, &out1, NULL); }
static tk_status apply_dets(DLTensor d) { return tk_gmc_apply(a_gmc, &frame_16, &d, &out1, NULL); }
static tk_status batch(DLTensor frames) { return tk_gmc_apply_batch(a_gmc, &frames, NULL, &out1, &out2); }
static tk_status batch_dets(DLTensor d) { return tk_gmc_apply_batch(a_gmc, &frames_16, &d, &out1, &out2); }
static tk_status estimate(DLTensor frames, DLTensor previous) {
  return tk_gmc_estimate(a_gmc, &frames, &previous, NULL, &out1, &out2);
}
static tk_status yaml_status(tk_status with_yaml) { return have_yaml() ? with_yaml : TK_ERR_UNSUPPORTED; }

void gmc_cases(void) {
  EXPECT(BAD, "tk_gmc_config_init: config is NULL", tk_gmc_config_init(NULL, sizeof gc));
  EXPECT(BAD, "tk_gmc_config_init: struct_size is 0", tk_gmc_config_init(&gc, 0));
  EXPECT(BAD, "tk_gmc_config_preset: name is NULL", tk_gmc_config_preset(NULL, &gc));
  EXPECT(BAD, "tk_gmc_config_preset: config is NULL", tk_gmc_config_preset("reference_orb", NULL));
  EXPECT(BAD, "GmcOptions::preset: name must be one of",
         (gc = gmc_defaults(), tk_gmc_config_preset("reference_x", &gc)));
  EXPECT(BAD, "GmcOptions::preset: name must be one of", tk_gmc_config_preset("", &gc));
  EXPECT(BAD, "tk_gmc_config_preset: config->struct_size is 4",
         (gc.struct_size = 4, tk_gmc_config_preset("reference_ecc", &gc)));
  EXPECT(BAD, "tk_gmc_config_from_yaml: path is NULL", tk_gmc_config_from_yaml(NULL, &gc));
  EXPECT(BAD, "tk_gmc_config_from_yaml: config is NULL", tk_gmc_config_from_yaml(bad_path("noise.txt"), NULL));
  EXPECT(yaml_status(TK_ERR_NOT_FOUND), "missing.yaml",
         (gc = gmc_defaults(), tk_gmc_config_from_yaml(bad_path("missing.yaml"), &gc)));
  EXPECT(yaml_status(TK_ERR_NOT_FOUND), "folder", tk_gmc_config_from_yaml(bad_path("folder"), &gc));
  EXPECT(yaml_status(BAD), "noise.txt", tk_gmc_config_from_yaml(bad_path("noise.txt"), &gc));
  EXPECT(TK_OK, NULL, tk_gmc_status_name((tk_gmc_status)77) != NULL ? TK_OK : BAD);
  /* tk_gmc_create */
  EXPECT(BAD, "tk_gmc_create: gmc is NULL", (gc = gmc_defaults(), tk_gmc_create(&gc, NULL)));
  EXPECT(BAD, "tk_gmc_create: config is NULL", gmc_create(NULL));
  EXPECT(BAD, "tk_gmc_create: config->struct_size is 0", (gc.struct_size = 0, gmc_create(&gc)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_gmc_create: config sets a field at byte",
         (tk_gmc_config_init(&gmc_big.config, sizeof gmc_big), gmc_big.tail[7] = 1, gmc_create(&gmc_big.config)));
  EXPECT(BAD, "config->method", (gc = gmc_defaults(), gc.method = 5, gmc_create(&gc)));
  EXPECT(BAD, "config->method", (gc = gmc_defaults(), gc.method = -1, gmc_create(&gc)));
  EXPECT(BAD, "config->ecc_motion", (gc = gmc_defaults(), gc.ecc_motion = 4, gmc_create(&gc)));
  EXPECT(BAD, "options.downscale", (gc = gmc_defaults(), gc.downscale = 0, gmc_create(&gc)));
  EXPECT(BAD, "options.downscale", (gc = gmc_defaults(), gc.downscale = INT32_MAX, gmc_create(&gc)));
  EXPECT(BAD, "options.ecc_iterations", (gc = gmc_defaults(), gc.ecc_iterations = 0, gmc_create(&gc)));
  EXPECT(BAD, "options.ecc_levels", (gc = gmc_defaults(), gc.ecc_levels = 99, gmc_create(&gc)));
  EXPECT(BAD, "options.ecc_eps", (gc = gmc_defaults(), gc.ecc_eps = NAN, gmc_create(&gc)));
  EXPECT(BAD, "options.ecc_eps", (gc = gmc_defaults(), gc.ecc_eps = INFINITY, gmc_create(&gc)));
  EXPECT(BAD, "options.ecc_blur_sigma", (gc = gmc_defaults(), gc.ecc_blur_sigma = 1e300, gmc_create(&gc)));
  EXPECT(BAD, "options.ecc_min_correlation", (gc = gmc_defaults(), gc.ecc_min_correlation = NAN, gmc_create(&gc)));
  EXPECT(BAD, "options.max_corners", (gc = gmc_defaults(), gc.max_corners = -1, gmc_create(&gc)));
  EXPECT(BAD, "options.max_keypoints", (gc = gmc_defaults(), gc.max_keypoints = 0, gmc_create(&gc)));
  EXPECT(BAD, "options.corner_quality", (gc = gmc_defaults(), gc.corner_quality = 0, gmc_create(&gc)));
  EXPECT(BAD, "options.corner_min_distance",
         (gc = gmc_defaults(), gc.corner_min_distance = -INFINITY, gmc_create(&gc)));
  EXPECT(BAD, "options.corner_level", (gc = gmc_defaults(), gc.corner_level = 9, gmc_create(&gc)));
  EXPECT(BAD, "options.flow_window", (gc = gmc_defaults(), gc.flow_window = 1, gmc_create(&gc)));
  EXPECT(BAD, "options.flow_levels", (gc = gmc_defaults(), gc.flow_levels = 9, gmc_create(&gc)));
  EXPECT(BAD, "options.ransac_threshold", (gc = gmc_defaults(), gc.ransac_threshold = NAN, gmc_create(&gc)));
  EXPECT(BAD, "options.min_points", (gc = gmc_defaults(), gc.min_points = 2, gmc_create(&gc)));
  EXPECT(BAD, "options.min_inlier_ratio", (gc = gmc_defaults(), gc.min_inlier_ratio = 2, gmc_create(&gc)));
  EXPECT(BAD, "options.border", (gc = gmc_defaults(), gc.border = 0.5, gmc_create(&gc)));
  EXPECT(BAD, "options.min_contrast", (gc = gmc_defaults(), gc.min_contrast = INFINITY, gmc_create(&gc)));
  EXPECT(BAD, "options.max_scale_change", (gc = gmc_defaults(), gc.max_scale_change = 1e300, gmc_create(&gc)));
  /* calls */
  EXPECT(BAD, "tk_gmc_set_cuda_stream: gmc is NULL", tk_gmc_set_cuda_stream(NULL, NULL));
  if (tk_cuda_device_count() == 0) { /* a stream where no GPU is: refused (with a GPU it would be dereferenced) */
    EXPECT(built_with_cuda() ? TK_ERR_CUDA : TK_ERR_UNSUPPORTED, "cuda_stream", tk_gmc_set_cuda_stream(a_gmc, &gc));
  }
  EXPECT(TK_OK, "", tk_box_iou(&boxes_2x4, &boxes_2x4, &gc, &out1)); /* CPU inputs: the stream is ignored */
  EXPECT(BAD, "tk_gmc_apply: gmc is NULL", tk_gmc_apply(NULL, &frame_16, NULL, &out1, NULL));
  EXPECT(BAD, "tk_gmc_apply: warp is NULL", tk_gmc_apply(a_gmc, &frame_16, NULL, NULL, NULL));
  EXPECT(BAD, "tk_gmc_apply: quality->struct_size is 0",
         (quality.struct_size = 0, tk_gmc_apply(a_gmc, &frame_16, NULL, &out1, &quality)));
  EXPECT(BAD, "tk_gmc_apply: quality->struct_size is 8",
         (quality.struct_size = 8, tk_gmc_apply(a_gmc, &frame_16, NULL, &out1, &quality)));
  EXPECT(BAD, "GMC::apply: frame ", apply(u8(1, s1)));
  EXPECT(BAD, "GMC::apply: frame ", apply(u8(4, b16)));
  EXPECT(BAD, "GMC::apply: frame ", apply(u8(3, s16x2)));
  EXPECT(BAD, "GMC::apply: frame ", apply(u8(3, s0x16)));
  EXPECT(BAD, "GMC::apply: frame ", apply(f32(floats, 3, s16x16)));
  EXPECT(BAD, "GMC::apply: detections", apply_dets(f32(box_nan, 2, s13)));
  EXPECT(BAD, "GMC::apply: detections", apply_dets(f32(box_nan, 2, s14)));
  EXPECT(BAD, "GMC::apply: detections", apply_dets(u8(2, s14)));
  EXPECT(BAD, "tk_gmc_apply_batch: gmc is NULL", tk_gmc_apply_batch(NULL, &frames_16, NULL, &out1, &out2));
  EXPECT(BAD, "tk_gmc_apply_batch: warps is NULL", tk_gmc_apply_batch(a_gmc, &frames_16, NULL, NULL, &out2));
  EXPECT(BAD, "GMC::apply_batch: frames", batch(u8(5, b5)));
  EXPECT(BAD, "GMC::apply_batch: frames", batch(f32(floats, 4, b16)));
  EXPECT(BAD, "GMC::apply_batch: detections", batch_dets(f32(frame_9, 2, s15))); /* frame 9 of 2 */
  EXPECT(BAD, "GMC::apply_batch: detections", batch_dets(f32(frame_half, 2, s15)));
  EXPECT(BAD, "GMC::apply_batch: detections", batch_dets(f32(box_nan, 2, s14))); /* [N,4]: no frame column */
  EXPECT(BAD, "tk_gmc_estimate: gmc is NULL", tk_gmc_estimate(NULL, &frames_16, NULL, NULL, &out1, &out2));
  EXPECT(BAD, "tk_gmc_estimate: warps is NULL", tk_gmc_estimate(a_gmc, &frames_16, NULL, NULL, NULL, &out2));
  EXPECT(BAD, "GMC::estimate: previous", estimate(frames_16, u8(4, b8)));
  EXPECT(BAD, "GMC::estimate: previous", estimate(frames_16, u8(3, b2x16))); /* [16,16] frames vs [2,16,16] */
  EXPECT(BAD, "GMC::estimate: frames", estimate(f32(floats, 4, b16), frame_16));
  EXPECT(BAD, "tk_gmc_reset: gmc is NULL", tk_gmc_reset(NULL));
  EXPECT_VOID(tk_gmc_destroy(NULL));
}

static tk_e2p_view views[8];
static tk_e2p_config ec;
static struct {
  tk_e2p_config config;
  unsigned char tail[8];
} e2p_big;
static struct {
  tk_e2p_view view;
  unsigned char tail[8];
} big_views[2];
static int64_t coordinates_capacity;

static tk_status init_views(void) {
  int i;
  for (i = 0; i < 8; ++i) tk_e2p_view_init(&views[i], sizeof views[i]);
  return tk_e2p_horizon_views(2, 4, 4, 90, 0, 0, views);
}
static tk_e2p_config e2p_defaults(void) {
  tk_e2p_config c;
  tk_e2p_config_init(&c, sizeof c);
  return c;
}
static tk_status e2p_create(const tk_e2p_config* c, size_t count) { return tk_e2p_create(c, views, count, &made_e2p); }
static tk_status with_view(size_t count) {
  ec = e2p_defaults();
  return e2p_create(&ec, count);
}
static DLDataType dtype(uint8_t code, uint8_t bits, uint16_t lanes) {
  DLDataType t;
  t.code = code, t.bits = bits, t.lanes = lanes;
  return t;
}
static DLDevice device(DLDeviceType type, int32_t id) {
  DLDevice d;
  d.device_type = type, d.device_id = id;
  return d;
}
static tk_status capacity(int64_t h, int64_t w, int64_t c, DLDataType t, DLDevice d, double fraction) {
  return tk_e2p_batch_capacity(a_e2p, h, w, c, t, d, fraction, &coordinates_capacity);
}
static tk_status into(DLTensor out) { return tk_e2p_project_into(a_e2p, &equirect, &out); }
static int64_t e_int[4] = {1, 8, 16, 3}, e_small[4] = {1, 1, 16, 3}, e_empty[4] = {0, 8, 16, 3}, e3[3] = {8, 16, 3},
               o_wrong[5] = {1, 3, 4, 4, 3};
static int64_t o_strides[5] = {96, 48, 12, 3, 1}, o_zero[5] = {0, 0, 0, 0, 0};

void e2p_cases(void) {
  DLTensor t;
  EXPECT(BAD, "tk_e2p_view_init: view is NULL", tk_e2p_view_init(NULL, sizeof views[0]));
  EXPECT(BAD, "tk_e2p_view_init: struct_size is 8", tk_e2p_view_init(&views[0], 8));
  EXPECT(BAD, "tk_e2p_horizon_views: views is NULL", tk_e2p_horizon_views(2, 4, 4, 90, 0, 0, NULL));
  EXPECT(BAD, "n must be > 0", (init_views(), tk_e2p_horizon_views(0, 4, 4, 90, 0, 0, views)));
  EXPECT(BAD, "n must be > 0", tk_e2p_horizon_views(-8, 4, 4, 90, 0, 0, views));
  EXPECT(BAD, "horizon: width", tk_e2p_horizon_views(2, 0, 4, 90, 0, 0, views));
  EXPECT(BAD, "horizon: height", tk_e2p_horizon_views(2, 4, -1, 90, 0, 0, views));
  EXPECT(BAD, "horizon: hfov", tk_e2p_horizon_views(2, 4, 4, 0, 0, 0, views));
  EXPECT(BAD, "horizon: hfov", tk_e2p_horizon_views(2, 4, 4, 400, 0, 0, views));
  EXPECT(BAD, "horizon: hfov", tk_e2p_horizon_views(2, 4, 4, NAN, 0, 0, views));
  EXPECT(BAD, "horizon: pitch", tk_e2p_horizon_views(2, 4, 4, 90, NAN, 0, views));
  EXPECT(BAD, "horizon: first_yaw", tk_e2p_horizon_views(2, 4, 4, 90, 0, INFINITY, views));
  EXPECT(BAD, "tk_e2p_horizon_views: views[0].struct_size is 0",
         (views[0].struct_size = 0, tk_e2p_horizon_views(2, 4, 4, 90, 0, 0, views)));
  EXPECT(BAD, "tk_e2p_horizon_views: views[0].struct_size is 81",
         (views[0].struct_size = 81, tk_e2p_horizon_views(2, 4, 4, 90, 0, 0, views)));
  EXPECT(BAD, "tk_e2p_horizon_views: views[1].struct_size",
         (init_views(), views[1].struct_size = 0, tk_e2p_horizon_views(2, 4, 4, 90, 0, 0, views)));
  EXPECT(BAD, "tk_e2p_cube_views: views is NULL", tk_e2p_cube_views(4, NULL));
  EXPECT(BAD, "cube_faces: size", (init_views(), tk_e2p_cube_views(0, views)));
  EXPECT(BAD, "cube_faces: size", tk_e2p_cube_views(-1, views));
  EXPECT(BAD, "tk_e2p_cube_views: views[5].struct_size", (views[5].struct_size = 3, tk_e2p_cube_views(8, views)));
  /* tk_e2p_create */
  EXPECT(BAD, "tk_e2p_config_init: config is NULL", tk_e2p_config_init(NULL, sizeof ec));
  EXPECT(BAD, "tk_e2p_config_init: struct_size is 0", tk_e2p_config_init(&ec, 0));
  EXPECT(BAD, "tk_e2p_create: e2p is NULL", (init_views(), ec = e2p_defaults(), tk_e2p_create(&ec, views, 2, NULL)));
  EXPECT(BAD, "tk_e2p_create: config is NULL", e2p_create(NULL, 2));
  EXPECT(BAD, "tk_e2p_create: views is NULL", tk_e2p_create(&ec, NULL, 2, &made_e2p));
  EXPECT(BAD, "views must hold at least one view", with_view(0));
  EXPECT(BAD, "tk_e2p_create: config->struct_size is 0", (ec.struct_size = 0, e2p_create(&ec, 2)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_e2p_create: config sets a field at byte",
         (tk_e2p_config_init(&e2p_big.config, sizeof e2p_big), e2p_big.tail[6] = 1, e2p_create(&e2p_big.config, 2)));
  EXPECT(BAD, "config->interpolation", (ec = e2p_defaults(), ec.interpolation = 3, e2p_create(&ec, 2)));
  EXPECT(BAD, "config->layout", (ec = e2p_defaults(), ec.layout = -2, e2p_create(&ec, 2)));
  EXPECT(BAD, "config->reserved", (ec = e2p_defaults(), ec.reserved = 9, e2p_create(&ec, 2)));
  EXPECT(BAD, "options.cuda_pixels_per_thread",
         (ec = e2p_defaults(), ec.cuda_pixels_per_thread = 3, e2p_create(&ec, 2)));
  EXPECT(BAD, "views[1].width", (views[1].width = 0, with_view(2)));
  EXPECT(BAD, "views[0].height", (init_views(), views[0].height = -4, with_view(2)));
  EXPECT(BAD, "views[1]", (init_views(), views[1].width = 8, with_view(2))); /* sizes differ */
  EXPECT(BAD, "views[0].hfov", (init_views(), views[0].hfov = 180, with_view(2)));
  EXPECT(BAD, "views[0].hfov", (init_views(), views[0].hfov = NAN, with_view(2)));
  EXPECT(BAD, "views[0].vfov", (init_views(), views[0].vfov = -30, with_view(2)));
  EXPECT(BAD, "views[1].pitch", (init_views(), views[1].pitch = NAN, with_view(2)));
  EXPECT(BAD, "views[0].roll", (init_views(), views[0].roll = INFINITY, with_view(2)));
  EXPECT(BAD, "views[0].yaw", (init_views(), views[0].yaw = -INFINITY, with_view(2)));
  EXPECT(BAD, "views[0].fx", (init_views(), views[0].fx = -1, with_view(2)));
  EXPECT(BAD, "views[1].fy", (init_views(), views[1].fy = NAN, with_view(2)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_e2p_create: views[1] sets a field at byte",
         (tk_e2p_view_init(&big_views[0].view, sizeof big_views[0]),
          tk_e2p_view_init(&big_views[1].view, sizeof big_views[1]), big_views[1].tail[2] = 1,
          tk_e2p_create(&ec, &big_views[0].view, 2, &made_e2p)));
  /* calls */
  EXPECT(BAD, "tk_e2p_set_cuda_stream: e2p is NULL", tk_e2p_set_cuda_stream(NULL, NULL));
  if (tk_cuda_device_count() == 0) /* as tk_gmc_set_cuda_stream's case */
    EXPECT(built_with_cuda() ? TK_ERR_CUDA : TK_ERR_UNSUPPORTED, "cuda_stream", tk_e2p_set_cuda_stream(a_e2p, &ec));
  EXPECT(BAD, "tk_e2p_project: e2p is NULL", tk_e2p_project(NULL, &equirect, &out1));
  EXPECT(BAD, "tk_e2p_project: views is NULL", tk_e2p_project(a_e2p, &equirect, NULL));
  EXPECT(BAD, "EquirectToPinhole: frames",
         (t = cpu_tensor_of(pixels, 4, e_small, kDLUInt, 8), tk_e2p_project(a_e2p, &t, &out1)));
  EXPECT(BAD, "EquirectToPinhole: frames",
         (t = cpu_tensor_of(pixels, 4, e_empty, kDLUInt, 8), tk_e2p_project(a_e2p, &t, &out1)));
  EXPECT(BAD, "EquirectToPinhole: frames",
         (t = cpu_tensor_of(pixels, 3, e3, kDLUInt, 8), tk_e2p_project(a_e2p, &t, &out1)));
  EXPECT(BAD, "EquirectToPinhole: frames",
         (t = cpu_tensor_of(floats, 4, e_int, kDLInt, 16), tk_e2p_project(a_e2p, &t, &out1)));
  EXPECT(BAD, "tk_e2p_project_into: e2p is NULL", tk_e2p_project_into(NULL, &equirect, &e2p_out));
  EXPECT(BAD, "EquirectToPinhole: out", into(cpu_tensor_of(pixels, 5, o_wrong, kDLUInt, 8)));
  EXPECT(BAD, "EquirectToPinhole: out", (t = e2p_out, t.dtype = dtype(kDLFloat, 32, 1), t.data = floats, into(t)));
  EXPECT(BAD, "tk_e2p_project_into: out must be compact", (t = e2p_out, t.strides = o_zero, into(t)));
  EXPECT(TK_OK, "", (t = e2p_out, t.strides = o_strides, into(t)));
  EXPECT(BAD, "tk_e2p_batch_capacity: e2p is NULL",
         tk_e2p_batch_capacity(NULL, 8, 16, 3, dtype(kDLUInt, 8, 1), device(kDLCPU, 0), 0.5, &coordinates_capacity));
  EXPECT(BAD, "tk_e2p_batch_capacity: capacity is NULL",
         tk_e2p_batch_capacity(a_e2p, 8, 16, 3, dtype(kDLUInt, 8, 1), device(kDLCPU, 0), 0.5, NULL));
  EXPECT(BAD, "tk_e2p_batch_capacity: height", capacity(0, 16, 3, dtype(kDLUInt, 8, 1), device(kDLCPU, 0), 0.5));
  EXPECT(BAD, "tk_e2p_batch_capacity: width", capacity(8, -16, 3, dtype(kDLUInt, 8, 1), device(kDLCPU, 0), 0.5));
  EXPECT(BAD, "tk_e2p_batch_capacity: channels", capacity(8, 16, 0, dtype(kDLUInt, 8, 1), device(kDLCPU, 0), 0.5));
  EXPECT(BAD, "tk_e2p_batch_capacity: height",
         capacity(INT64_MAX / 2, INT64_MAX / 2, 3, dtype(kDLUInt, 8, 1), device(kDLCPU, 0), 0.5));
  EXPECT(BAD, "tk_e2p_batch_capacity: dtype", capacity(8, 16, 3, dtype(kDLInt, 32, 1), device(kDLCPU, 0), 0.5));
  EXPECT(BAD, "tk_e2p_batch_capacity: dtype", capacity(8, 16, 3, dtype(kDLUInt, 8, 4), device(kDLCPU, 0), 0.5));
  EXPECT(BAD, "tk_e2p_batch_capacity: dtype", capacity(8, 16, 3, dtype(77, 8, 1), device(kDLCPU, 0), 0.5));
  EXPECT(TK_ERR_DEVICE, "tk_e2p_batch_capacity: device",
         capacity(8, 16, 3, dtype(kDLUInt, 8, 1), device(kDLOpenCL, 0), 0.5));
  EXPECT(TK_ERR_DEVICE, "tk_e2p_batch_capacity: device",
         capacity(8, 16, 3, dtype(kDLUInt, 8, 1), device(kDLCUDA, 99), 0.5));
  EXPECT(TK_ERR_DEVICE, "tk_e2p_batch_capacity: device",
         capacity(8, 16, 3, dtype(kDLUInt, 8, 1), device(kDLCUDA, -1), 0.5));
  EXPECT(BAD, "tk_e2p_batch_capacity: fraction", capacity(8, 16, 3, dtype(kDLUInt, 8, 1), device(kDLCPU, 0), 1.5));
  EXPECT(BAD, "tk_e2p_batch_capacity: fraction", capacity(8, 16, 3, dtype(kDLUInt, 8, 1), device(kDLCPU, 0), -0.5));
  EXPECT(BAD, "tk_e2p_batch_capacity: fraction", capacity(8, 16, 3, dtype(kDLUInt, 8, 1), device(kDLCPU, 0), NAN));
  EXPECT(BAD, "tk_e2p_source_coordinates: e2p is NULL", tk_e2p_source_coordinates(NULL, 8, 16, &out1));
  EXPECT(BAD, "tk_e2p_source_coordinates: coordinates is NULL", tk_e2p_source_coordinates(a_e2p, 8, 16, NULL));
  EXPECT(BAD, "source_coordinates: height", tk_e2p_source_coordinates(a_e2p, 1, 16, &out1));
  EXPECT(BAD, "source_coordinates: width", tk_e2p_source_coordinates(a_e2p, 8, -16, &out1));
  EXPECT_VOID(tk_e2p_destroy(NULL));
}
