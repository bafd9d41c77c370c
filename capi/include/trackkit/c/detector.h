/* trackkit C ABI: the detector (YOLO TorchScript exports; docs/detector.md). Included by trackkit/trackkit.h. */
#ifndef TRACKKIT_C_DETECTOR_H
#define TRACKKIT_C_DETECTOR_H

#include "trackkit/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tk_yolo_layout {
  TK_YOLO_AUTO = 0,   /**< from the export's metadata, else the output's shape */
  TK_YOLO_V8 = 1,     /**< [B,4+nc,A] (YOLOv8 / YOLO11 / YOLOv5u) */
  TK_YOLO_V5 = 2,     /**< [B,A,5+nc] (classic YOLOv5) */
  TK_YOLO_END2END = 3 /**< [B,K,6] (NMS-free: YOLOv10, YOLO26) */
} tk_yolo_layout;

typedef struct tk_detector_config {
  size_t struct_size;      /**< set by tk_detector_config_init */
  const char* device;      /**< "auto" (default), "cpu", "cuda", "cuda:N" (read during tk_detector_create) */
  int32_t precision;       /**< TK_PRECISION_FP32 */
  int32_t layout;          /**< TK_YOLO_AUTO */
  int32_t input_height;    /**< 0: from the export's metadata, else 640 */
  int32_t input_width;     /**< 0: likewise */
  int32_t stride_multiple; /**< 0: pad to the full input; 1: only to a stride multiple (rect) */
  int32_t input_bgr;       /**< 1: frames are BGR; 0: RGB */
  int32_t agnostic;        /**< 0: class-aware NMS */
  int32_t reserved;        /**< 0 */
  double conf_threshold;   /**< 0.25 */
  double iou_threshold;    /**< 0.45 */
  int64_t max_candidates;  /**< 30000 */
  int64_t max_detections;  /**< 300 */
  int64_t batch_size;      /**< 0: chosen by tk_detector_warmup from free GPU memory */
  const int64_t* classes;  /**< NULL: all classes; else num_classes class ids to keep (copied at create) */
  int64_t num_classes;     /**< 0 */
} tk_detector_config;

/** A loaded model. Not thread-safe: one thread at a time per handle. */
typedef struct tk_detector tk_detector;
TK_API tk_status tk_detector_config_init(tk_detector_config* config, size_t struct_size);
TK_API tk_status tk_detector_create(const char* model_path, const tk_detector_config* config, tk_detector** detector);
TK_API void tk_detector_destroy(tk_detector* detector);
/** The cudaStream_t (of the model's device) later calls run on; NULL (the default): the current stream. */
TK_API tk_status tk_detector_set_cuda_stream(tk_detector* detector, void* cuda_stream);
/** Runs the model once for frames of this size (and picks the batch size when it is 0). */
TK_API tk_status tk_detector_warmup(tk_detector* detector, int64_t frame_height, int64_t frame_width);
/** frames: uint8 [B,H,W,3] on any device. *detections: float32 [B,max_detections,6] (x1,y1,x2,y2,score,class in
 *  frame pixels; rows past the frame's count are zero) and *counts: int64 [B], both on the model's device. */
TK_API tk_status tk_detector_detect(tk_detector* detector, const DLTensor* frames,
                                    DLManagedTensorVersioned** detections, DLManagedTensorVersioned** counts);
/** The same into caller buffers on the host: detections holds capacity_frames * max_detections * 6 floats,
 *  counts capacity_frames int64 (capacity_frames >= B). Waits for the device. */
TK_API tk_status tk_detector_detect_into(tk_detector* detector, const DLTensor* frames, float* detections,
                                         int64_t* counts, int64_t capacity_frames);
/** Number of class names in the export's metadata, and one of them (valid while the detector lives). */
TK_API tk_status tk_detector_class_count(const tk_detector* detector, int64_t* count);
TK_API tk_status tk_detector_class_name(const tk_detector* detector, int64_t index, const char** name);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_DETECTOR_H */
