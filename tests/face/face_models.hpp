#pragma once
// TorchScript bodies and config.txt of the small face models the tests write (face_test::save_model): known
// constant outputs in the yolov5_face and retinaface layouts. test_face_detector.cpp works out their answers.

namespace face_test {

inline constexpr const char* kYoloConfig =
    R"({"task": "face", "layout": "yolov5_face", "imgsz": [640, 640], "stride": 32,
  "input_bgr": false, "pad_value": 114, "names": ["face"]})";
inline constexpr const char* kRetinaConfig =
    R"({"task": "face", "layout": "retinaface", "imgsz": [640, 640], "stride": 32,
  "input_bgr": true, "pad_value": [104, 117, 123], "names": ["face"], "min_sizes": [[16, 32], [64, 128], [256, 512]],
  "steps": [8, 16, 32], "variance": [0.1, 0.2], "clip": false})";

// yolov5_face rows (input pixels): cx, cy, w, h, objectness, x0,y0 .. x4,y4, face score.
//  a0: score 0.8; a1: IoU 0.905 with a0, 0.7 -> suppressed; a2: 0.9 * 0.6; a3: 0.5 * 0.5 = 0.25 < 0.3;
//  a4: a2's box and score (0.6 * 0.9) with other landmarks -> suppressed by a2, the earlier anchor;
//  a5: 0.95, the best, partly above the frame; a6, a7 empty.
inline constexpr const char* kYoloBody = R"(
    rows = torch.tensor([
        [100.0, 300.0, 40.0, 60.0, 0.8, 90.0, 290.0, 110.0, 290.0, 100.0, 300.0, 92.0, 315.0, 108.0, 315.0, 1.0],
        [102.0, 300.0, 40.0, 60.0, 0.7, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        [300.0, 320.0, 50.0, 50.0, 0.9, 290.0, 310.0, 310.0, 310.0, 300.0, 320.0, 292.0, 330.0, 308.0, 330.0, 0.6],
        [500.0, 320.0, 20.0, 20.0, 0.5, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 0.5],
        [300.0, 320.0, 50.0, 50.0, 0.6, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.9],
        [600.0, 250.0, 30.0, 40.0, 0.95, 590.0, 235.0, 610.0, 235.0, 600.0, 250.0, 592.0, 262.0, 608.0, 262.0, 1.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    return rows.to(device=x.device, dtype=x.dtype).unsqueeze(0).expand(x.size(0), 8, 16)
)";

// retinaface, 16800 priors at 640x640. Prior 14440 (step 16, row 20, column 20, min size 64: centre 328, size 64)
// scores the model input's channel 0 at the image centre, with loc (1, -1, 0, 0) and landms 0,0 1,0 0,1 -1,0 0,-1;
// prior 16210 (step 32, row 5, column 5, min size 256: box 48..304) scores channel 2 of the top-left pixel.
inline constexpr const char* kRetinaBody = R"(
    b = x.size(0)
    loc = torch.zeros([b, 16800, 4], dtype=x.dtype, device=x.device)
    conf = torch.zeros([b, 16800], dtype=x.dtype, device=x.device)
    landms = torch.zeros([b, 16800, 10], dtype=x.dtype, device=x.device)
    conf[:, 14440] = x[:, 0, 320, 320]
    loc[:, 14440, 0] = 1.0
    loc[:, 14440, 1] = -1.0
    landms[:, 14440, 2] = 1.0
    landms[:, 14440, 5] = 1.0
    landms[:, 14440, 6] = -1.0
    landms[:, 14440, 9] = -1.0
    conf[:, 16210] = x[:, 2, 0, 0]
    return loc, conf, landms
)";

} // namespace face_test
