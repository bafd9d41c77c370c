// The FaceDetector on small TorchScript models written here whose outputs are known constants (a yolov5_face and a
// retinaface layout), so decoding, NMS, the landmarks of the kept anchors, the letterbox's channel order and fill
// and the mapping back to frame pixels are checked against hand-computed answers; and its bad-input handling.
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "catch.hpp"
#include "face_models.hpp"
#include "face_test_util.hpp"
#include "trackkit/error.hpp"
#include "trackkit/face_detector.hpp"

namespace {

using face_test::kRetinaBody;
using face_test::kRetinaConfig;
using face_test::kYoloBody;
using face_test::kYoloConfig;

trackkit::FaceDetectorOptions cpu_options() {
  trackkit::FaceDetectorOptions o;
  o.device = "cpu";
  return o;
}

at::Tensor rows(std::initializer_list<float> values, int64_t columns) {
  return at::tensor(std::vector<float>(values)).view({-1, columns});
}

bool close(const at::Tensor& a, const at::Tensor& b) {
  return a.numel() == b.numel() && at::allclose(a.cpu(), b.reshape(a.sizes()), 1e-6, 1e-4);
}

} // namespace

TEST_CASE("yolov5_face: kept faces best first, each with its own anchor's landmarks, in frame pixels", "[face]") {
  trackkit::FaceDetector detector(face_test::save_model("yolo", kYoloBody, kYoloConfig), cpu_options());
  CHECK(detector.layout() == trackkit::FaceLayout::YoloV5Face);
  CHECK(detector.conf_threshold() == 0.3); // the layout's defaults
  CHECK(detector.iou_threshold() == 0.5);
  // 320 x 1280 frames: gain 0.5, 160 resized rows under 240 rows of padding; frame = (x / 0.5, (y - 240) / 0.5).
  const std::vector<trackkit::Faces> found = detector.detect(at::zeros({2, 320, 1280, 3}, at::kByte));
  REQUIRE(found.size() == 2);
  const float s2 = 0.9f * 0.6f;
  for (const trackkit::Faces& f : found) {
    REQUIRE(f.boxes.size(0) == 3);
    CHECK(close(f.boxes, rows({1170, 0, 1230, 60, 0.95f, // a5, its top clipped (-20 -> 0)
                               160, 60, 240, 180, 0.8f,  // a0
                               550, 110, 650, 210, s2},  // a2
                              5)));
    CHECK(close(f.landmarks, rows({1180, -10, 1220, -10, 1200, 20,  1184, 44,  1216, 44,   // a5: not clipped
                                   180,  100, 220,  100, 200,  120, 184,  150, 216,  150,  // a0
                                   580,  140, 620,  140, 600,  160, 584,  180, 616,  180}, // a2, not a4's
                                  10)));
  }
  CHECK(detector.detect(at::zeros({0, 320, 1280, 3}, at::kByte)).empty());

  const std::string path = face_test::save_model("yolo_options", kYoloBody, kYoloConfig);
  const at::Tensor frame = at::zeros({1, 320, 1280, 3}, at::kByte);
  trackkit::FaceDetectorOptions o = cpu_options();
  o.conf_threshold = 0.2; // a3 (0.25) comes in, with its landmarks
  const trackkit::Faces low = trackkit::FaceDetector(path, o).detect(frame)[0];
  REQUIRE(low.boxes.size(0) == 4);
  CHECK(close(low.landmarks[3], at::full({5, 2}, 2.f).sub(at::tensor({0.f, 240.f})).div(0.5)));
  o = cpu_options();
  o.iou_threshold = 0.95; // a1 (IoU 0.905 with a0) no longer suppressed; a4 (IoU 1 with a2) still is
  const trackkit::Faces loose = trackkit::FaceDetector(path, o).detect(frame)[0];
  REQUIRE(loose.boxes.size(0) == 4);
  CHECK(close(loose.landmarks[2], at::full({5, 2}, 1.f).sub(at::tensor({0.f, 240.f})).div(0.5)));
  o = cpu_options();
  o.max_detections = 1;
  CHECK(trackkit::FaceDetector(path, o).detect(frame)[0].boxes.size(0) == 1);
}

TEST_CASE("retinaface: priors, decoding, BGR input and the per-channel letterbox fill", "[face]") {
  const std::string path = face_test::save_model("retina", kRetinaBody, kRetinaConfig);
  trackkit::FaceDetectorOptions o = cpu_options();
  o.conf_threshold = 0.3; // lets in the face scored by the padding: 123 / 255 = 0.482
  trackkit::FaceDetector detector(path, o);
  CHECK(detector.layout() == trackkit::FaceLayout::RetinaFace);
  CHECK(detector.iou_threshold() == 0.4);
  // Blue BGR frames (255, 0, 0), 320 x 1280: the model takes BGR, so its channel 0 at the centre is 1.
  at::Tensor blue = at::zeros({1, 320, 1280, 3}, at::kByte);
  blue.select(3, 0).fill_(255);
  const trackkit::Faces f = detector.detect(blue)[0];
  REQUIRE(f.boxes.size(0) == 2);
  // Prior centre 328 moved by loc * 0.1 * 64 = 6.4: box 302.4, 289.6, 366.4, 353.6 -> frame x * 2, (y - 240) * 2.
  CHECK(close(f.boxes[0], at::tensor({604.8f, 99.2f, 732.8f, 227.2f, 1.f})));
  // Landmarks 328 + l * 6.4: (328,328) (334.4,328) (328,334.4) (321.6,328) (328,321.6).
  CHECK(close(f.landmarks[0], rows({656, 176, 668.8f, 176, 656, 188.8f, 643.2f, 176, 656, 163.2f}, 2)));
  // The second face's score is the fill of the model's channel 2 (R of BGR): 123 / 255.
  CHECK(close(f.boxes[1], at::tensor({96.f, 0.f, 608.f, 128.f, 123.f / 255.f})));
  // Said to be RGB, the same frames are red: the model's blue channel is 0 and only the padding's face is left.
  o.input_bgr = false;
  const trackkit::Faces red = trackkit::FaceDetector(path, o).detect(blue)[0];
  REQUIRE(red.boxes.size(0) == 1);
  CHECK(close(red.boxes[0], at::tensor({96.f, 0.f, 608.f, 128.f, 123.f / 255.f})));
  CHECK(trackkit::FaceDetector(path, cpu_options()).detect(blue)[0].boxes.size(0) == 1); // default conf 0.5
  trackkit::FaceDetectorOptions none = cpu_options();
  none.input_bgr = false; // red frames, conf 0.5: no face at all, as empty tensors of the documented shapes
  const trackkit::Faces empty = trackkit::FaceDetector(path, none).detect(blue)[0];
  CHECK(empty.boxes.sizes() == at::IntArrayRef({0, 5}));
  CHECK(empty.landmarks.sizes() == at::IntArrayRef({0, 5, 2}));
  CHECK(empty.boxes.scalar_type() == at::kFloat);
}

TEST_CASE("the face detector refuses missing, corrupt and non-face models, naming model_path", "[face]") {
  const auto o = cpu_options();
  CHECK(tk_error_of([&] { trackkit::FaceDetector("/nonexistent/face.torchscript", o); }) ==
        "FaceDetector: model_path \"/nonexistent/face.torchscript\" does not exist or is not a file");
  const std::string corrupt = (std::filesystem::temp_directory_path() / "tk_face_corrupt.torchscript").string();
  std::ofstream(corrupt) << "this is not a zip archive";
  CHECK(tk_error_of([&] {
          trackkit::FaceDetector(corrupt, o);
        }).rfind("FaceDetector: model_path \"" + corrupt + "\" is not a loadable TorchScript archive", 0) == 0);
  // A YOLO object detector's metadata (names, stride) and output [B,A,85].
  const std::string yolo = face_test::save_model("objects", "    return torch.zeros([x.size(0), 25200, 85])\n",
                                                 R"({"stride": 32, "names": ["person", "car"]})");
  CHECK(tk_error_of([&] { trackkit::FaceDetector(yolo, o); }) ==
        "FaceDetector: model_path \"" + yolo +
            "\" is not a face detector: its config.txt has no \"task\", not \"task\": \"face\" (an object detector? "
            "use trackkit::Detector)");
  const std::string bare = face_test::save_model("bare", "    return x\n", "");
  CHECK(tk_error_of([&] { trackkit::FaceDetector(bare, o); }) ==
        "FaceDetector: model_path \"" + bare +
            "\" has no config.txt: not a face export (tools/faces/export_faces.py writes one)");
  const std::string layout =
      face_test::save_model("layout", "    return x\n", R"({"task": "face", "layout": "mtcnn"})");
  CHECK(tk_error_of([&] { trackkit::FaceDetector(layout, o); }).find("layout \"mtcnn\": known layouts are") !=
        std::string::npos);
  // Face metadata over the wrong output: found by the probe at load time.
  const std::string shape =
      face_test::save_model("shape", "    return torch.zeros([x.size(0), 25200, 85])\n", kYoloConfig);
  CHECK(tk_error_of([&] { trackkit::FaceDetector(shape, o); }) ==
        "FaceDetector: model_path \"" + shape +
            "\" returns 1 tensor(s) ([1,25200,85]), not the [B,A,16] (yolov5_face) its config.txt layout promises");
  const std::string retina = face_test::save_model("retina_shape", "    return x, x, x\n", kRetinaConfig);
  CHECK(tk_error_of([&] { trackkit::FaceDetector(retina, o); }).find("with P = 16800 priors (retinaface)") !=
        std::string::npos);
  // The ordinary yolov5n object detector export (scripts/detector-models.sh), where present.
  const std::string yolov5n = std::string(TK_DETECTOR_MODELS) + "/yolov5n.torchscript";
  if (std::filesystem::exists(yolov5n)) {
    CHECK(tk_error_of([&] {
            trackkit::FaceDetector(yolov5n, o);
          }).rfind("FaceDetector: model_path \"" + yolov5n + "\" is not a face detector", 0) == 0);
  } else {
    WARN("no " << yolov5n << " (scripts/detector-models.sh): the real object detector was not tried");
  }
}

TEST_CASE("the face detector rejects bad frames and options, naming them", "[face]") {
  const std::string path = face_test::save_model("yolo_errors", kYoloBody, kYoloConfig);
  trackkit::FaceDetectorOptions bad = cpu_options();
  bad.conf_threshold = 1.5;
  CHECK(tk_error_of([&] { trackkit::FaceDetector(path, bad); }) ==
        "FaceDetector: options.conf_threshold must be in [0,1) (0: the layout's)");
  bad = cpu_options();
  bad.input_width = 650;
  CHECK(tk_error_of([&] { trackkit::FaceDetector(path, bad); }) ==
        "FaceDetector: options.input_height and input_width must be multiples of the model's stride 32, got 640x650");
  bad = cpu_options();
  bad.device = "tpu";
  CHECK(tk_error_of([&] { trackkit::FaceDetector(path, bad); }).find("options.device") != std::string::npos);

  trackkit::FaceDetector detector(path, cpu_options());
  CHECK(tk_error_of([&] {
          detector.detect(at::zeros({1, 64, 64, 3}));
        }).rfind("FaceDetector::detect: frames must have dtype", 0) == 0);
  CHECK(tk_error_of([&] {
          detector.detect(at::zeros({1, 64, 64, 4}, at::kByte));
        }) == "FaceDetector::detect: frames must be [B,H,W,3] (3 channels), got [1,64,64,4]");
  CHECK(tk_error_of([&] {
          detector.detect(at::zeros({64, 64, 3}, at::kByte));
        }).rfind("FaceDetector::detect: frames must have 4 dimensions", 0) == 0);
  CHECK(tk_error_of([&] {
          detector.detect(at::zeros({1, 0, 64, 3}, at::kByte));
        }) == "FaceDetector::detect: frames has zero-size frames: [1,0,64,3]");
  CHECK(tk_error_of([&] { detector.detect(at::Tensor()); }).rfind("FaceDetector::detect: frames", 0) == 0);
  CHECK(tk_error_of([&] { detector.warmup(0, 64); }) == "FaceDetector::warmup: frame_height must be > 0");
}
