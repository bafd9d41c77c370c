/* The bad-input table of every tk_* entry point (test_capi_bad_input*.c): each case is one call, the tk_status it
 * must return and a text tk_last_error() must contain, the function and the argument at fault. The cases run in one
 * process, each announced on stdout before its call, so that a crash names the case that caused it. */
#ifndef TRACKKIT_TESTS_CAPI_BAD_INPUT_H
#define TRACKKIT_TESTS_CAPI_BAD_INPUT_H
#include <stdint.h>

#include "trackkit/trackkit.h"

/* An expected status resolved at run time: TK_ERR_DEVICE where trackkit has CUDA kernels (a CUDA device id out of
 * range), TK_ERR_UNSUPPORTED in a CPU-only build (no CUDA at all), as c/core.h documents. */
#define EXPECT_DEVICE_OR_UNSUPPORTED ((tk_status)-1)
/* An expected status that may be either of two, where the build decides (e.g. a video in a build that reads none). */
#define EXPECT_EITHER(a, b) ((tk_status)(0x100 | ((a) << 4) | (b)))

/* Runs `call` as a case: it must return `expected`, and on failure tk_last_error() must contain `message` (NULL:
 * the message is not checked, for the void functions). The call's text is the case's name. */
#define EXPECT(expected, message, call) (bad_case_begin(#call), bad_case_end((call), (expected), (message)))
/* A void call (the destroy functions): it must merely return. */
#define EXPECT_VOID(call) (bad_case_begin(#call), (call), bad_case_end(TK_OK, TK_OK, NULL))

void bad_case_begin(const char* name);
void bad_case_end(tk_status got, tk_status expected, const char* message);
/* A failed check that is not a call's status (a value written where none may be). */
void bad_case_fail(const char* what);

/* The outputs every case writes to: NULL before each case; on failure they must still be NULL (c-abi.md, rule 1:
 * a failed call hands the caller nothing), on success they are released. */
extern DLManagedTensorVersioned *out1, *out2;
extern tk_tracker* made_tracker;
extern tk_tracker_bank* made_bank;
extern tk_detector* made_detector;
extern tk_gmc* made_gmc;
extern tk_pipeline* made_pipeline;
extern tk_frame_reader* made_reader;
extern tk_segmenter* made_segmenter;
extern tk_segmenter_embeddings* made_embeddings;
extern tk_embedder* made_embedder;
extern tk_e2p* made_e2p;
extern tk_mot_evaluator* made_evaluator;
extern tk_face_detector* made_face_detector;
extern tk_face_clusterer* made_face_clusterer;
extern tk_face_result* made_face_result;

/* Files written at run time into a temporary folder: bad_path("name") is its path, valid for the next 15 calls. */
const char* bad_path(const char* name);
/* 1 where trackkit was built with CUDA kernels. */
int built_with_cuda(void);
/* 1 where trackkit reads ultralytics' YAML (TRACKKIT_HAVE_YAML_CPP). */
int have_yaml(void);

/* Valid handles the cases of other arguments need (made once by main, destroyed at the end). */
extern tk_tracker* a_tracker;
extern tk_tracker_bank* a_bank; /* 2 streams */
extern tk_gmc* a_gmc;
extern tk_e2p* a_e2p; /* 2 views of 4 x 4 */
extern tk_mot_evaluator* an_evaluator;
extern tk_frame_reader* a_reader; /* a valid .npy of 2 frames of 4 x 4 */

/* Valid tensors, for the arguments a case does not spoil. */
extern DLTensor boxes_2x4; /* float32 [2,4] */
extern DLTensor dets_2x5;  /* float32 [2,5] */
extern DLTensor warp_2x3;  /* float64 [2,3] identity */
extern DLTensor frame_16;  /* uint8 [16,16,3] */
extern DLTensor frames_16; /* uint8 [2,16,16,3] */
extern DLTensor masks_2;   /* uint8 [2,4,4] */
extern DLTensor embed_3x4; /* float32 [3,4] */
extern DLTensor labels_3;  /* int64 [3] */
extern DLTensor mot_gt;    /* float64 [2,9] */
extern DLTensor mot_res;   /* float64 [2,7] */
extern DLTensor equirect;  /* uint8 [1,8,16,3] */
extern DLTensor e2p_out;   /* uint8 [1,2,4,4,3] */

/* A CPU tensor over `data` (compact row-major); shape must outlive it. */
DLTensor cpu_tensor_of(void* data, int32_t ndim, int64_t* shape, uint8_t code, uint8_t bits);

/* The case lists, one file each. */
void generic_tensor_cases(void);
void core_cases(void);
void tracker_cases(void);
void gmc_cases(void);
void e2p_cases(void);
void mask_and_cluster_cases(void);
void mot_cases(void);
void model_cases(void);
void pipeline_cases(void);
void face_cases(void);

#endif
