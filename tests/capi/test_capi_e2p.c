/* EquirectToPinhole through the C ABI, from C99: an equirect whose pixels encode their own column and row, so a
 * view's centre pixel tells where it looked; presets, source coordinates, versioned view arrays and errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
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
  tk_e2p_config config = tk_e2p_config_defaults();
  tk_e2p* e2p = NULL;
  DLManagedTensorVersioned* out = NULL;
  const uint8_t* p;
  coded_equirect(frame);
  views[0] = tk_e2p_view_defaults();
  CHECK(views[0].struct_size == sizeof(tk_e2p_view) && views[0].width == 1920 && views[0].hfov == 90);
  /* Angles of pixel centres: column 192 (x 192.5) / row 32 (y 32.5), and column 96 / row 64. */
  views[0].width = views[0].height = 31, views[0].yaw = 90.703125, views[0].pitch = 44.296875;
  views[1] = views[0];
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
  tk_e2p_config config = tk_e2p_config_defaults();
  tk_e2p* e2p = NULL;
  DLManagedTensorVersioned* out = NULL;
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
  config = tk_e2p_config_defaults();
  ring[3].struct_size = 0;
  CHECK(tk_e2p_create(&config, ring, 8, &e2p) == TK_ERR_INVALID_ARGUMENT);
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

int main(void) {
  test_project();
  test_presets_and_errors();
  return report();
}
