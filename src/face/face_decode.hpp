#pragma once
// From a face export's raw outputs to the kept faces of each image in model-input pixels: the layouts' decoding
// into candidates (boxes, scores, landmarks of every anchor), class-agnostic NMS (ops' batched_nms) and the kept
// faces' landmarks.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "face_config.hpp"
#include "trackkit/nms.hpp"

namespace trackkit::detail {

/// Every anchor of a batch, float32, input pixels.
struct FaceCandidates {
  at::Tensor boxes;     ///< [B,A,4] x1,y1,x2,y2
  at::Tensor scores;    ///< [B,A,1]
  at::Tensor landmarks; ///< [B,A,10] x0,y0..x4,y4
};

/// Throws Error(Model) naming `model` (a ModelRunner's describe()) when the raw outputs of a [B,3,H,W] input do not
/// fit the layout: yolov5_face one [B,A,16] tensor; retinaface three tensors [B,P,4], [B,P], [B,P,10] with P the
/// prior count for H,W.
void check_face_outputs(const std::vector<at::Tensor>& raw, const FaceConfig& config, int64_t batch,
                        int64_t prior_count, const std::string& model);

/// raw outputs -> candidates; `priors` [P,4] (retinaface only) on the outputs' device, for an input of
/// input_height x input_width.
FaceCandidates decode_faces(const std::vector<at::Tensor>& raw, const FaceConfig& config, const at::Tensor& priors,
                            int64_t input_height, int64_t input_width);

/// The kept faces of a batch, best first, input pixels; rows past counts[b] are zero.
struct KeptFaces {
  at::Tensor boxes;     ///< float32 [B,K,5] x1,y1,x2,y2,score
  at::Tensor landmarks; ///< float32 [B,K,5,2]
  std::vector<int64_t> counts;
};

/// NMS (options.agnostic is forced on: one class) and the landmarks of the kept anchors. One host synchronisation
/// (the counts); K is the largest count of the batch.
KeptFaces select_faces(const FaceCandidates& candidates, NmsOptions options);

} // namespace trackkit::detail
