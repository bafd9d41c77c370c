/* EquirectToPinhole through the C ABI, from C99: an equirect whose pixels encode their own column and row, so a
 * view's centre pixel tells where it looked; presets, source coordinates, versioned view arrays (elements
 * views[0].struct_size apart), project_into, batch_capacity, CUDA streams and errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cuda_runtime.h"
#include "trackkit/trackkit.h"

enum { W = 256, H = 128 };

static const uint8_t* u8(const DLManagedTensorVersioned* t) {
  return (const uint8_t*)t->dl_tensor.data + t->dl_tensor.byte_offset;
}
static const float* f32(const DLManagedTensorVersioned* t) {
  return (const float*)((const char*)t->dl_tensor.data + t->dl_tensor.byte_offset);
}

/* Channel 0 = column, channel 1 = row, channel 2 = 7. */
static void coded_equirect(uint8_t* out) {
  int x, y;
  for (y = 0; y < H; ++y) {
    for (x = 0; x < W; ++x) {
      out[(y * W + x) * 3] = (uint8_t)x, out[(y * W + x) * 3 + 1] = (uint8_t)y, out[(y * W + x) * 3 + 2] = 7;
    }
  }
}

static void test_project(void) {
  static uint8_t frame[H * W * 3];
  int64_t shape[4] = {1, H, W, 3};
  DLTensor t = borrowed_cpu_tensor(frame, 4, shape, kDLUInt, 8);
  tk_e2p_view views[2];
  tk_e2p_config config;
  tk_e2p* e2p = NULL;
  DLManagedTensorVersioned* out = NULL;
  const uint8_t* p;
  coded_equirect(frame);
  CHECK(tk_e2p_config_init(&config, sizeof config) == TK_OK && config.interpolation == TK_E2P_BILINEAR);
  CHECK(config.layout == TK_E2P_NHWC && config.cuda_tiles == 1 && config.cuda_pixels_per_thread == 4);
  CHECK(tk_e2p_view_init(&views[0], sizeof views[0]) == TK_OK);
  CHECK(views[0].struct_size == sizeof(tk_e2p_view) && views[0].width == 1920 && views[0].hfov == 90);
  /* Angles of pixel centres: column 192 (x 192.5) / row 32 (y 32.5), and column 96 / row 64. */
  views[0].width = views[0].height = 31, views[0].yaw = 90.703125, views[0].pitch = 44.296875;
  views[1] = views[0]; /* an initialised view, copied whole: same struct_size */
  views[1].yaw = -44.296875, views[1].pitch = -0.703125;
  config.interpolation = TK_E2P_NEAREST;
  CHECK(tk_e2p_create(&config, views, 2, &e2p) == TK_OK);
  CHECK(tk_e2p_project(e2p, &t, &out) == TK_OK);
  CHECK(out != NULL && out->dl_tensor.ndim == 5 && out->dl_tensor.shape[1] == 2 && out->dl_tensor.shape[2] == 31);
  p = u8(out);
  /* View 0's centre pixel (15, 15) is its optical axis: it copies the equirect's pixel (192, 32). */
  CHECK(p[(15 * 31 + 15) * 3] == 192 && p[(15 * 31 + 15) * 3 + 1] == 32 && p[(15 * 31 + 15) * 3 + 2] == 7);
  /* View 1's: pixel (96, 64). */
  p += 31 * 31 * 3;
  CHECK(p[(15 * 31 + 15) * 3] == 96 && p[(15 * 31 + 15) * 3 + 1] == 64);
  tk_tensor_free(out);
  out = NULL;
  CHECK(tk_e2p_source_coordinates(e2p, H, W, &out) == TK_OK);
  CHECK(out->dl_tensor.ndim == 4 && out->dl_tensor.shape[3] == 2);
  CHECK(fabsf(f32(out)[(15 * 31 + 15) * 2] - 192.5f) < 1e-3f &&
        fabsf(f32(out)[(15 * 31 + 15) * 2 + 1] - 32.5f) < 1e-3f);
  tk_tensor_free(out);
  tk_e2p_destroy(e2p);
}

static void test_presets_and_errors(void) {
  tk_e2p_view ring[8], cube[6];
  tk_e2p_config config;
  tk_e2p* e2p = NULL;
  DLManagedTensorVersioned* out = NULL;
  int i;
  tk_e2p_config_init(&config, sizeof config);
  for (i = 0; i < 8; ++i) tk_e2p_view_init(&ring[i], sizeof ring[i]);
  for (i = 0; i < 6; ++i) tk_e2p_view_init(&cube[i], sizeof cube[i]);
  CHECK(tk_e2p_horizon_views(8, 640, 480, 90, -5, 10, ring) == TK_OK);
  CHECK(ring[2].yaw == 100 && ring[7].pitch == -5 && ring[7].struct_size == sizeof(tk_e2p_view));
  CHECK(tk_e2p_cube_views(64, cube) == TK_OK);
  CHECK(cube[4].pitch == 90 && cube[5].pitch == -90 && cube[2].yaw == 180 && cube[0].width == 64);
  CHECK(tk_e2p_horizon_views(0, 640, 480, 90, 0, 0, ring) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "EquirectToPinhole::horizon: n must be > 0, got 0") == 0);
  CHECK(tk_e2p_create(&config, NULL, 1, &e2p) == TK_ERR_INVALID_ARGUMENT && e2p == NULL);
  CHECK(strcmp(tk_last_error(), "tk_e2p_create: views is NULL") == 0);
  config.interpolation = 5;
  CHECK(tk_e2p_create(&config, ring, 8, &e2p) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_e2p_create: config->interpolation must be a tk_e2p_interpolation, got 5") == 0);
  tk_e2p_config_init(&config, sizeof config);
  ring[3].struct_size = 0;
  CHECK(tk_e2p_create(&config, ring, 8, &e2p) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_e2p_create: views[3].struct_size is 0 but views[0].struct_size is ") ==
        tk_last_error());
  ring[3].struct_size = sizeof(tk_e2p_view);
  ring[3].hfov = 200;
  CHECK(tk_e2p_create(&config, ring, 8, &e2p) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "EquirectToPinhole: views[3].hfov must be in (0,180) degrees, got 200.000000") == 0);
  ring[3].hfov = 90;
  CHECK(tk_e2p_create(&config, ring, 8, &e2p) == TK_OK && e2p != NULL);
  {
    double data[2 * 4 * 3] = {0};
    int64_t shape[4] = {1, 2, 4, 3};
    DLTensor t = borrowed_cpu_tensor(data, 4, shape, kDLFloat, 64); /* float64 is not taken */
    CHECK(tk_e2p_project(e2p, &t, &out) != TK_OK && out == NULL);
    CHECK(strstr(tk_last_error(), "frames") != NULL);
  }
  CHECK(tk_e2p_project(NULL, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  tk_e2p_destroy(e2p);
  tk_e2p_destroy(NULL);
}

/* 4 views of 32 x 24 around the horizon, bilinear, into *e2p; the views as given (at any stride) or made here. */
static tk_status ring_of_four(const tk_e2p_view* views, tk_e2p** e2p) {
  tk_e2p_view own[4];
  tk_e2p_config config;
  int i;
  tk_e2p_config_init(&config, sizeof config);
  if (views == NULL) {
    for (i = 0; i < 4; ++i) tk_e2p_view_init(&own[i], sizeof own[i]);
    if (tk_e2p_horizon_views(4, 32, 24, 90, 10, 30, own) != TK_OK) return TK_ERR_INTERNAL;
  }
  return tk_e2p_create(&config, views != NULL ? views : own, 4, e2p);
}

static void test_project_into(void) {
  /* Two frames (the coded one and its negative) into the caller's buffer: bit for bit what tk_e2p_project returns. */
  static uint8_t frames[2 * H * W * 3], buffer[2 * 4 * 24 * 32 * 3 + 1];
  int64_t shape[4] = {2, H, W, 3}, out_shape[5] = {2, 4, 24, 32, 3}, reversed[5] = {-9216, 2304, 96, 3, 1};
  DLTensor t = borrowed_cpu_tensor(frames, 4, shape, kDLUInt, 8);
  DLTensor out = borrowed_cpu_tensor(buffer, 5, out_shape, kDLUInt, 8);
  DLManagedTensorVersioned* views = NULL;
  tk_e2p* e2p = NULL;
  int i;
  coded_equirect(frames);
  for (i = 0; i < H * W * 3; ++i) frames[H * W * 3 + i] = (uint8_t)(255 - frames[i]);
  buffer[sizeof buffer - 1] = 0x5A;
  CHECK(ring_of_four(NULL, &e2p) == TK_OK);
  if (e2p == NULL) return;
  CHECK(tk_e2p_project(e2p, &t, &views) == TK_OK && views != NULL);
  CHECK(tk_e2p_project_into(e2p, &t, &out) == TK_OK);
  if (views != NULL) CHECK(memcmp(u8(views), buffer, sizeof buffer - 1) == 0);
  CHECK(buffer[sizeof buffer - 1] == 0x5A); /* nothing written past the tensor */
  /* errors name `out` */
  CHECK(tk_e2p_project_into(e2p, &t, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_e2p_project_into: out is NULL") == 0);
  out_shape[1] = 3;
  CHECK(tk_e2p_project_into(e2p, &t, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "out must have shape [2,4,24,32,3]") != NULL);
  out_shape[1] = 4;
  out.dtype.code = kDLFloat, out.dtype.bits = 32, out_shape[0] = 1;
  CHECK(tk_e2p_project_into(e2p, &t, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "out must have") != NULL);
  out.dtype.code = kDLUInt, out.dtype.bits = 8, out_shape[0] = 2;
  /* a reversed view of the buffer would be borrowed as a copy: refused, not written into a temporary */
  out.strides = reversed;
  out.data = buffer + 9216;
  CHECK(tk_e2p_project_into(e2p, &t, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(),
               "tk_e2p_project_into: out must be compact row-major (C-contiguous), but dimension 0 "
               "has stride -9216 where 9216 is expected") == 0);
  tk_tensor_free(views);
  tk_e2p_destroy(e2p);
}

static void test_batch_capacity(void) {
  DLDataType u8type = {kDLUInt, 8, 1}, f64 = {kDLFloat, 64, 1};
  DLDevice cpu = {kDLCPU, 0}, opencl = {kDLOpenCL, 0}, far_gpu = {kDLCUDA, 99};
  tk_e2p* e2p = NULL;
  int64_t capacity = 0;
  CHECK(ring_of_four(NULL, &e2p) == TK_OK);
  if (e2p == NULL) return;
  CHECK(tk_e2p_batch_capacity(e2p, 960, 1920, 3, u8type, cpu, 0, &capacity) == TK_OK && capacity == 1 << 20);
  CHECK(tk_e2p_batch_capacity(e2p, 960, 1920, 3, u8type, cpu, 1, &capacity) == TK_OK && capacity == 1 << 20);
  CHECK(tk_e2p_batch_capacity(e2p, 960, 1920, 3, u8type, cpu, 1.5, &capacity) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_e2p_batch_capacity: fraction must be in (0,1] (0: 0.5), got 1.500000") == 0);
  CHECK(tk_e2p_batch_capacity(e2p, 960, 1920, 3, u8type, cpu, -0.25, &capacity) == TK_ERR_INVALID_ARGUMENT);
  CHECK(tk_e2p_batch_capacity(e2p, 960, 1920, 3, u8type, cpu, NAN, &capacity) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_e2p_batch_capacity: fraction must be in (0,1]") == tk_last_error());
  CHECK(tk_e2p_batch_capacity(e2p, 960, 1920, 3, f64, cpu, 0, &capacity) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_e2p_batch_capacity: dtype must be uint8, float16 or float32") == tk_last_error());
  CHECK(tk_e2p_batch_capacity(e2p, 960, 1920, 3, u8type, opencl, 0, &capacity) == TK_ERR_DEVICE);
  CHECK(strcmp(tk_last_error(), "tk_e2p_batch_capacity: device has an unsupported DLPack device type 4") == 0);
  CHECK(tk_e2p_batch_capacity(e2p, 960, 1920, 3, u8type, far_gpu, 0, &capacity) == TK_ERR_DEVICE);
  CHECK(strstr(tk_last_error(), "tk_e2p_batch_capacity: device is CUDA device 99 but ") == tk_last_error());
  CHECK(tk_e2p_batch_capacity(e2p, 0, 1920, 3, u8type, cpu, 0, &capacity) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_e2p_batch_capacity: height must be > 0, got 0") == 0);
  CHECK(tk_e2p_batch_capacity(e2p, 960, 1920, 3, u8type, cpu, 0, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_e2p_batch_capacity: capacity is NULL") == 0);
  tk_e2p_destroy(e2p);
}

/* Elements of a newer caller's larger struct: 16 bytes past this header's sizeof, zero since tk_e2p_view_init. */
enum { GROWN = sizeof(tk_e2p_view) + 16, RING = 4 };

static void test_views_at_stride(void) {
  static double storage[(RING * GROWN + 16) / sizeof(double)]; /* doubles: the elements stay aligned */
  unsigned char* bytes = (unsigned char*)storage;
  tk_e2p_view* grown = (tk_e2p_view*)bytes;
  static uint8_t frame[H * W * 3];
  int64_t shape[4] = {1, H, W, 3};
  DLTensor t = borrowed_cpu_tensor(frame, 4, shape, kDLUInt, 8);
  DLManagedTensorVersioned *a = NULL, *b = NULL;
  tk_e2p *from_grown = NULL, *from_plain = NULL;
  int i, j, tails_zero = 1, canary = 1;
  char expected[128];
  for (i = 0; i < RING; ++i) CHECK(tk_e2p_view_init((tk_e2p_view*)(bytes + i * GROWN), GROWN) == TK_OK);
  memset(bytes + RING * GROWN, 0x5A, 16);
  CHECK(tk_e2p_horizon_views(RING, 32, 24, 90, 10, 30, grown) == TK_OK);
  for (i = 0; i < RING; ++i) {
    const tk_e2p_view* v = (const tk_e2p_view*)(bytes + i * GROWN);
    CHECK(v->struct_size == GROWN && v->yaw == 30 + 90 * i && v->pitch == 10 && v->width == 32 && v->height == 24);
    for (j = (int)sizeof(tk_e2p_view); j < GROWN; ++j) tails_zero &= bytes[i * GROWN + j] == 0;
  }
  for (j = 0; j < 16; ++j) canary &= bytes[RING * GROWN + j] == 0x5A;
  CHECK(tails_zero && canary);
  /* tk_e2p_create reads them at that stride: the projection equals one from this header's own array */
  coded_equirect(frame);
  CHECK(ring_of_four(grown, &from_grown) == TK_OK && ring_of_four(NULL, &from_plain) == TK_OK);
  CHECK(tk_e2p_project(from_grown, &t, &a) == TK_OK && tk_e2p_project(from_plain, &t, &b) == TK_OK);
  if (a != NULL && b != NULL) CHECK(memcmp(u8(a), u8(b), 4 * 24 * 32 * 3) == 0);
  tk_tensor_free(a);
  tk_tensor_free(b);
  tk_e2p_destroy(from_grown);
  tk_e2p_destroy(from_plain);
  /* one element of another size: an error naming it, and no element written */
  grown->yaw = 999;
  ((tk_e2p_view*)(bytes + 2 * GROWN))->struct_size = sizeof(tk_e2p_view);
  CHECK(tk_e2p_horizon_views(RING, 32, 24, 90, 10, 30, grown) == TK_ERR_INVALID_ARGUMENT && grown->yaw == 999);
  snprintf(expected, sizeof expected, "tk_e2p_horizon_views: views[2].struct_size is %d but views[0].struct_size is %d",
           (int)sizeof(tk_e2p_view), (int)GROWN);
  CHECK(strstr(tk_last_error(), expected) == tk_last_error());
  memset(bytes, 0, GROWN); /* never initialised */
  CHECK(tk_e2p_cube_views(16, grown) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_e2p_cube_views: views[0].struct_size is 0: set each view with tk_e2p_view_init") ==
        tk_last_error());
}

static void test_cuda_stream(void) {
  /* Frames in device memory, the caller's stream set on the handle: the views agree with the CPU's within one level
     (docs/e2p.md) and project_into into device memory equals project bit for bit. */
  static uint8_t frame[H * W * 3], cpu_views[4 * 24 * 32 * 3], gpu_views[sizeof cpu_views], into[sizeof cpu_views];
  int64_t shape[4] = {1, H, W, 3}, out_shape[5] = {1, 4, 24, 32, 3};
  DLTensor t = borrowed_cpu_tensor(frame, 4, shape, kDLUInt, 8), gt, gout;
  DLDataType u8type = {kDLUInt, 8, 1};
  DLDevice gpu0 = {kDLCUDA, 0};
  DLManagedTensorVersioned *views = NULL, *gviews = NULL;
  cuda_runtime rt;
  void *stream = NULL, *d_frame, *d_out;
  tk_e2p* e2p = NULL;
  int64_t capacity = 0;
  size_t i;
  int close = 1;
  CHECK(ring_of_four(NULL, &e2p) == TK_OK);
  CHECK(tk_e2p_set_cuda_stream(e2p, NULL) == TK_OK);
  CHECK(tk_e2p_set_cuda_stream(NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_e2p_set_cuda_stream: e2p is NULL") == 0);
  if (e2p == NULL || !cuda_runtime_load(&rt, "E2P on a CUDA stream")) {
    tk_e2p_destroy(e2p);
    return;
  }
  coded_equirect(frame);
  CHECK(rt.stream_create(&stream) == 0 && tk_e2p_set_cuda_stream(e2p, stream) == TK_OK);
  d_frame = cuda_upload(&rt, frame, sizeof frame);
  d_out = cuda_upload(&rt, into, sizeof into);
  gt = cuda_tensor(d_frame, 4, shape, kDLUInt, 8);
  gout = cuda_tensor(d_out, 5, out_shape, kDLUInt, 8);
  CHECK(tk_e2p_project(e2p, &t, &views) == TK_OK && tk_e2p_project(e2p, &gt, &gviews) == TK_OK);
  CHECK(tk_e2p_project_into(e2p, &gt, &gout) == TK_OK);
  if (views != NULL && gviews != NULL && d_out != NULL) {
    CHECK(gviews->dl_tensor.device.device_type == kDLCUDA && rt.stream_synchronize(stream) == 0);
    CHECK(cuda_download(&rt, gpu_views, &gviews->dl_tensor, sizeof gpu_views) == 0);
    CHECK(cuda_download(&rt, into, &gout, sizeof into) == 0);
    memcpy(cpu_views, u8(views), sizeof cpu_views);
    for (i = 0; i < sizeof cpu_views; ++i) close &= abs((int)cpu_views[i] - (int)gpu_views[i]) <= 1;
    CHECK(close && memcmp(gpu_views, into, sizeof into) == 0);
  }
  CHECK(tk_e2p_batch_capacity(e2p, H, W, 3, u8type, gpu0, 0.5, &capacity) == TK_OK && capacity >= 1);
  tk_tensor_free(views);
  tk_tensor_free(gviews);
  tk_e2p_destroy(e2p);
  rt.free_device(d_frame);
  rt.free_device(d_out);
  rt.stream_destroy(stream);
}

int main(void) {
  test_project();
  test_presets_and_errors();
  test_project_into();
  test_batch_capacity();
  test_views_at_stride();
  test_cuda_stream();
  return report();
}
