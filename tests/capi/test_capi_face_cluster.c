/* Face clustering through the C ABI 1.1, from C99: the configuration's defaults and errors naming the argument;
 * where scripts/face-models.sh's yolov5n-0.5_face export, scripts/embedder-models.sh's MobileFaceNet and the shared
 * LFW images are here, a run over six LFW photos (unrelated frames: link_across_frames 0) whose result must be
 * consistent (every track in exactly one identity, each identity's representative its best face, one face a track)
 * and whose faces must be the ones tk_face_detector_detect finds in the same frames. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, symlink: the chosen images in a folder of their own for tk_frame_reader */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "trackkit/trackkit.h"

#ifndef TK_FACE_MODELS
#define TK_FACE_MODELS "build/face-models"
#endif
#ifndef TK_EMBEDDER_MODELS
#define TK_EMBEDDER_MODELS "build/embedder-models"
#endif
#define YOLO_FACE TK_FACE_MODELS "/yolov5n-0.5_face.torchscript"
#define MOBILEFACENET TK_EMBEDDER_MODELS "/mobilefacenet.torchscript"
enum { IMAGES = 6, SIDE = 250 }; /* the raw LFW images are 250 x 250 */
/* An output struct, zeroed, its struct_size set (what the library fills up to). */
#define OUTPUT(type, name)       \
  type name;                     \
  memset(&name, 0, sizeof name); \
  name.struct_size = sizeof name

static int readable(const char* path) {
  FILE* f = fopen(path, "rb");
  if (f != NULL) fclose(f);
  return f != NULL;
}

static void test_config_and_errors(void) {
  tk_face_clusterer_config k;
  tk_face_detector_config c;
  tk_face_clusterer* clusterer = NULL;
  tk_face_track track;
  CHECK(tk_face_clusterer_config_init(&k, sizeof k) == TK_OK && k.struct_size == sizeof k);
  CHECK(k.detector == NULL && k.tracker == NULL && k.link_across_frames == 1 && k.reserved == 0);
  CHECK(k.cluster_method == TK_CLUSTER_AGGLOMERATIVE && k.cluster_linkage == TK_LINKAGE_AVERAGE);
  CHECK(k.cluster_distance_threshold > 0 && k.cluster_distance_threshold < 2 && k.cluster_min_samples >= 1);
  CHECK(k.best_faces == 5 && k.min_quality == 0.05 && k.min_track_faces == 1);
  CHECK(k.min_size_px == 16 && k.full_size_px == 80 && k.sharpness_half == 100 && k.sharpness_crop == 112);
  CHECK(tk_face_clusterer_create(NULL, "e", &k, &clusterer) == TK_ERR_INVALID_ARGUMENT && clusterer == NULL);
  CHECK(strcmp(tk_last_error(), "tk_face_clusterer_create: detector_path is NULL") == 0);
  CHECK(tk_face_clusterer_create("d", NULL, &k, &clusterer) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_clusterer_create: embedder_path is NULL") == 0);
  k.cluster_linkage = 3;
  CHECK(tk_face_clusterer_create("d", "e", &k, &clusterer) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_clusterer_create: config->cluster_linkage must be a tk_linkage, got 3") == 0);
  k.cluster_linkage = TK_LINKAGE_AVERAGE, k.reserved = 1;
  CHECK(tk_face_clusterer_create("d", "e", &k, &clusterer) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_clusterer_create: config->reserved must be 0, got 1") == 0);
  tk_face_detector_config_init(&c, sizeof c);
  c.struct_size = 8;
  k.reserved = 0, k.detector = &c;
  CHECK(tk_face_clusterer_create("d", "e", &k, &clusterer) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_face_clusterer_create(config->detector): config->struct_size is 8") ==
        tk_last_error());
  tk_face_detector_config_init(&c, sizeof c);
  CHECK(tk_face_clusterer_create("/nonexistent/face.torchscript", "e", &k, &clusterer) == TK_ERR_NOT_FOUND);
  CHECK(tk_face_clusterer_begin_input(NULL, "x", 30) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_clusterer_begin_input: clusterer is NULL") == 0);
  CHECK(tk_face_clusterer_add_frames(NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(tk_face_clusterer_finish_input(NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_clusterer_finish_input: result is NULL") == 0);
  track.struct_size = sizeof track;
  CHECK(tk_face_result_track(NULL, 0, &track) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_result_track: result is NULL") == 0);
  tk_face_result_destroy(NULL);
  tk_face_clusterer_destroy(NULL);
}

/* The LFW photos `names` as frames uint8 [n,250,250,3] BGR, decoded by the library (linked into a temporary
 * folder that tk_frame_reader reads); NULL with a SKIPPED line where they cannot be read. */
static DLManagedTensorVersioned* lfw_frames(const char* data, const char* const* names, int n) {
  char folder[] = "/tmp/tk_capi_faces_XXXXXX", links[IMAGES][1100], path[1024];
  tk_frame_reader* reader = NULL;
  DLManagedTensorVersioned* frames = NULL;
  int i, linked = 0;
  if (mkdtemp(folder) == NULL) return NULL;
  for (i = 0; i < n; ++i) {
    snprintf(path, sizeof path, "%s/faces/lfw_pairs/%s.jpg", data, names[i]);
    snprintf(links[i], sizeof links[i], "%s/%s.jpg", folder, names[i]);
    linked += symlink(path, links[i]) == 0;
  }
  if (linked == n && tk_frame_reader_open(folder, -1, &reader) == TK_OK) {
    CHECK(tk_frame_reader_read(reader, n, &frames) == TK_OK);
  }
  if (frames == NULL || frames->dl_tensor.shape[0] != n) {
    printf("SKIPPED clustering: the LFW images under %s cannot be read: %s\n", data, tk_last_error());
    tk_tensor_free(frames);
    frames = NULL;
  }
  tk_frame_reader_close(reader);
  for (i = 0; i < n; ++i) unlink(links[i]);
  rmdir(folder);
  return frames;
}

/* Whether `face` is one of the n detector rows (x1,y1,x2,y2,score,landmarks) of its frame, within 1e-3 px. */
static int detected(const tk_face_record* face, const float* rows, int64_t n) {
  int64_t i, k;
  for (i = 0; i < n; ++i) {
    float worst = fabsf(rows[i * 15 + 4] - face->score);
    for (k = 0; k < 4; ++k) worst = fmaxf(worst, fabsf(rows[i * 15 + k] - face->box[k]));
    for (k = 0; k < 10; ++k) worst = fmaxf(worst, fabsf(rows[i * 15 + 5 + k] - face->landmarks[k]));
    if (worst <= 1e-3f) return 1;
  }
  return 0;
}

/* Every identity's tracks, checked against the tracks' own identity, and its representative. */
static void check_identities(const tk_face_result* result, int64_t tracks, int64_t identities, int* listed) {
  int64_t i, j;
  for (i = 0; i < identities; ++i) {
    OUTPUT(tk_face_identity, identity);
    OUTPUT(tk_face_record, best);
    OUTPUT(tk_face_record, face);
    OUTPUT(tk_face_track, track);
    DLManagedTensorVersioned* list = NULL;
    int has_representative = 0;
    CHECK(tk_face_result_identity(result, i, &identity) == TK_OK && identity.id == i && identity.tracks >= 1);
    CHECK(tk_face_result_identity_tracks(result, i, &list) == TK_OK && list->dl_tensor.shape[0] == identity.tracks);
    CHECK(tk_face_result_representative(result, i, &best) == TK_OK);
    for (j = 0; list != NULL && j < identity.tracks; ++j) {
      const int64_t t = ((const int64_t*)list->dl_tensor.data)[j];
      CHECK(t >= 0 && t < tracks && tk_face_result_track(result, t, &track) == TK_OK && track.identity == i);
      if (t < 0 || t >= tracks) continue;
      ++listed[t];
      CHECK(tk_face_result_track_face(result, t, 0, &face) == TK_OK && face.quality <= best.quality);
      has_representative |= t == identity.representative_track && memcmp(&face, &best, sizeof face) == 0;
    }
    CHECK(has_representative);
    tk_tensor_free(list);
  }
}

static void test_cluster(void) {
  static const char* const names[IMAGES] = {"0_fn_0", "0_fn_1", "1_fn_0", "1_fn_1", "0_fp_0", "0_fp_1"};
  const char* data = getenv("TRACKKIT_DATA");
  tk_face_clusterer_config k;
  tk_face_detector_config c;
  tk_face_clusterer* clusterer = NULL;
  tk_face_detector* detector = NULL;
  tk_face_result* result = NULL;
  DLManagedTensorVersioned *frames, *faces = NULL, *counts = NULL;
  DLTensor half;
  int64_t shape[4] = {IMAGES / 2, SIDE, SIDE, 3}, n_frames = 0, tracks = 0, identities = 0, seen = 0, used = 0, t;
  double fps = 0, norm;
  const char* input = NULL;
  int listed[64] = {0}, i;
  OUTPUT(tk_face_record, face);
  OUTPUT(tk_face_track, track);
  OUTPUT(tk_face_identity, identity);
  if (!readable(YOLO_FACE) || !readable(MOBILEFACENET) || data == NULL) {
    printf("SKIPPED clustering: needs %s, %s and TRACKKIT_DATA\n", YOLO_FACE, MOBILEFACENET);
    return;
  }
  if ((frames = lfw_frames(data, names, IMAGES)) == NULL) return;
  tk_face_detector_config_init(&c, sizeof c);
  tk_face_clusterer_config_init(&k, sizeof k);
  c.device = "cpu", k.detector = &c, k.link_across_frames = 0;
  CHECK(tk_face_clusterer_create(YOLO_FACE, MOBILEFACENET, &k, &clusterer) == TK_OK);
  CHECK(tk_face_detector_create(YOLO_FACE, &c, &detector) == TK_OK);
  if (clusterer == NULL || detector == NULL) return;
  CHECK(tk_face_clusterer_add_frames(clusterer, &frames->dl_tensor) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "no input begun") != NULL);
  CHECK(tk_face_clusterer_begin_input(clusterer, "lfw", 2.0) == TK_OK);
  CHECK(tk_face_clusterer_begin_input(clusterer, "other", 2.0) == TK_ERR_INVALID_ARGUMENT);
  half = frames->dl_tensor; /* the six frames in two calls */
  half.shape = shape;
  CHECK(tk_face_clusterer_add_frames(clusterer, &half) == TK_OK);
  half.byte_offset = (uint64_t)(IMAGES / 2) * SIDE * SIDE * 3;
  CHECK(tk_face_clusterer_add_frames(clusterer, &half) == TK_OK);
  half.dtype.code = kDLInt;
  CHECK(tk_face_clusterer_add_frames(clusterer, &half) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "FaceClusterer::add_frames: frames") != NULL);
  CHECK(tk_face_clusterer_finish_input(clusterer, &result) == TK_OK && result != NULL);
  CHECK(tk_face_detector_detect(detector, &frames->dl_tensor, &faces, &counts) == TK_OK);
  if (result == NULL || faces == NULL) return;
  CHECK(tk_face_result_info(result, &input, &n_frames, &fps, &tracks, &identities) == TK_OK);
  CHECK(strcmp(input, "lfw") == 0 && n_frames == IMAGES && fps == 2.0);
  CHECK(tracks >= IMAGES && tracks < 64 && identities >= 1 && identities <= tracks);
  printf("%lld LFW photos: %lld tracks, %lld identities\n", (long long)n_frames, (long long)tracks,
         (long long)identities);
  check_identities(result, tracks, identities, listed);
  for (t = 0; t < tracks && t < 64; ++t) {
    DLManagedTensorVersioned *embedding = NULL, *crops = NULL;
    CHECK(listed[t] == 1); /* in exactly one identity */
    CHECK(tk_face_result_track(result, t, &track) == TK_OK && track.best_faces == 1 && track.faces_seen == 1);
    CHECK(track.first_frame == track.last_frame && track.first_frame >= 0 && track.first_frame < IMAGES);
    CHECK(tk_face_result_track_face(result, t, 0, &face) == TK_OK && face.frame == track.first_frame);
    CHECK(face.time == face.frame / 2.0 && face.quality > 0.05f && face.quality <= 1 && face.score > 0.3f);
    CHECK(detected(&face, (const float*)faces->dl_tensor.data + face.frame * 300 * 15,
                   ((const int64_t*)counts->dl_tensor.data)[face.frame]));
    CHECK(tk_face_result_track_embedding(result, t, &embedding) == TK_OK && embedding->dl_tensor.ndim == 1);
    for (i = 0, norm = 0; embedding != NULL && i < embedding->dl_tensor.shape[0]; ++i)
      norm += (double)((const float*)embedding->dl_tensor.data)[i] * ((const float*)embedding->dl_tensor.data)[i];
    CHECK(fabs(norm - 1) < 1e-4);
    CHECK(tk_face_result_track_crops(result, t, &crops) == TK_OK && crops->dl_tensor.ndim == 4);
    CHECK(crops->dl_tensor.shape[0] == 1 && crops->dl_tensor.shape[1] == 112 && crops->dl_tensor.shape[3] == 3);
    tk_tensor_free(embedding);
    tk_tensor_free(crops);
  }
  CHECK(tk_face_result_track_face(result, 0, 1, &face) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_result_track_face: face_index must be in [0,1), got 1") == 0);
  CHECK(tk_face_result_track(result, tracks, &track) == TK_ERR_INVALID_ARGUMENT);
  identity.struct_size = 8;
  CHECK(tk_face_result_identity(result, 0, &identity) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_face_result_identity: identity->struct_size is 8") == tk_last_error());
  CHECK(tk_face_clusterer_counts(clusterer, &seen, &used) == TK_OK && seen >= tracks && used >= tracks);
  tk_face_result_destroy(result);
  tk_tensor_free(faces);
  tk_tensor_free(counts);
  tk_tensor_free(frames);
  tk_face_detector_destroy(detector);
  tk_face_clusterer_destroy(clusterer);
}

int main(void) {
  test_config_and_errors();
  test_cluster();
  return report();
}
