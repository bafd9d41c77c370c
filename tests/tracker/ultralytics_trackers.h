/* ultralytics' tracker files, verbatim, for the tests of TrackerOptions::from_yaml, GmcOptions::from_yaml and their
 * C ABI (C99 and C++): ultralytics 8.4.190's ultralytics/cfg/trackers/botsort.yaml and bytetrack.yaml (the version
 * trackkit's ultralytics presets follow). Tests cannot download, so they write these into a temporary folder.
 * POSIX (mkdtemp): a C99 file defines _POSIX_C_SOURCE 200809L before its first include. */
#ifndef TRACKKIT_TESTS_ULTRALYTICS_TRACKERS_H
#define TRACKKIT_TESTS_ULTRALYTICS_TRACKERS_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The lines the two files share, after their tracker_type line. */
#define TK_ULTRALYTICS_COMMON_KEYS                                                                                \
  "track_high_thresh: 0.25 # (float) First-stage match threshold; raise for cleaner tracks, lower to keep more\n" \
  "track_low_thresh: 0.1 # (float) Second-stage threshold for low-score matches; balances recovery vs drift\n"    \
  "new_track_thresh: 0.25 # (float) Start a new track if no match ≥ this; higher reduces false tracks\n"        \
  "track_buffer: 30 # (int) Frames to keep lost tracks alive; higher handles occlusion, increases ID switches "   \
  "risk\n"                                                                                                        \
  "match_thresh: 0.8 # (float) Association similarity threshold (IoU/cost); tune with detector quality\n"         \
  "fuse_score: True # (bool) Fuse detection score with motion/IoU for matching; stabilizes weak detections\n"

#define TK_ULTRALYTICS_BOTSORT_YAML                                                                              \
  "# Ultralytics 🚀 AGPL-3.0 License - https://ultralytics.com/license\n"                                      \
  "\n"                                                                                                           \
  "# BoT-SORT tracker defaults for mode=\"track\"\n"                                                             \
  "# Docs: https://docs.ultralytics.com/modes/track\n"                                                           \
  "\n"                                                                                                           \
  "tracker_type: botsort # (str) Tracker backend: botsort\n" TK_ULTRALYTICS_COMMON_KEYS                          \
  "\n"                                                                                                           \
  "# BoT-SORT specifics\n"                                                                                       \
  "gmc_method: sparseOptFlow # (str) Global motion compensation: sparseOptFlow|orb|sift|ecc|none; helps moving " \
  "camera scenes\n"                                                                                              \
  "\n"                                                                                                           \
  "# ReID model related thresh\n"                                                                                \
  "proximity_thresh: 0.5 # (float) Min IoU to consider tracks proximate for ReID; higher is stricter\n"          \
  "appearance_thresh: 0.8 # (float) Min appearance similarity for ReID; raise to avoid identity swaps\n"         \
  "with_reid: False # (bool) Enable ReID model use; needs extra model and compute\n"                             \
  "model: auto # (str) ReID model name/path; \"auto\" uses detector features if available\n"

#define TK_ULTRALYTICS_BYTETRACK_YAML                                       \
  "# Ultralytics 🚀 AGPL-3.0 License - https://ultralytics.com/license\n" \
  "\n"                                                                      \
  "# ByteTrack tracker defaults for mode=\"track\"\n"                       \
  "# Docs: https://docs.ultralytics.com/modes/track\n"                      \
  "\n"                                                                      \
  "tracker_type: bytetrack # (str) Tracker backend: bytetrack\n" TK_ULTRALYTICS_COMMON_KEYS

/* Makes a fresh folder /tmp/trackkit_test_XXXXXX, its path in dir (capacity >= 32). 0 on failure. */
static inline int tk_fixture_dir(char* dir) {
  strcpy(dir, "/tmp/trackkit_test_XXXXXX");
  return mkdtemp(dir) != NULL;
}

/* Writes text to dir/name, that path in path (capacity 256). 0 on failure. */
static inline int tk_fixture_file(const char* dir, const char* name, const char* text, char* path) {
  FILE* f;
  int ok;
  snprintf(path, 256, "%s/%s", dir, name);
  f = fopen(path, "wb");
  if (f == NULL) return 0;
  ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok;
}

/* Removes the files dir/names[i], then dir. */
static inline void tk_fixture_remove(const char* dir, const char* const* names, int count) {
  char path[256];
  int i;
  for (i = 0; i < count; ++i) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    remove(path);
  }
  rmdir(dir);
}

#endif
