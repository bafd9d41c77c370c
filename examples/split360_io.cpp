// split360's image and video I/O (split360_io.hpp).
#include "split360_io.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#ifdef TRACKKIT_HAVE_TURBOJPEG
#include <turbojpeg.h>
#endif
#if defined(TRACKKIT_HAVE_IMGCODECS) || defined(TRACKKIT_HAVE_VIDEOIO)
#include <opencv2/core.hpp>
#endif
#ifdef TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif
#ifdef TRACKKIT_HAVE_VIDEOIO
#include <opencv2/videoio.hpp>
#endif

namespace split360 {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw std::runtime_error(path + ": " + problem);
}

bool is_jpeg(const std::string& path) {
  const auto dot = path.find_last_of('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == "jpg" || ext == "jpeg";
}

#ifdef TRACKKIT_HAVE_TURBOJPEG
std::vector<unsigned char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot be opened");
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

/// One TurboJPEG handle per thread and direction (a handle is not thread-safe; creating one costs little).
struct Handles {
  tjhandle decoder = tjInitDecompress(), encoder = tjInitCompress();
  ~Handles() {
    if (decoder != nullptr) tjDestroy(decoder);
    if (encoder != nullptr) tjDestroy(encoder);
  }
};
Handles& handles() {
  thread_local Handles h;
  return h;
}
#endif

} // namespace

std::string io_backends() {
  std::string text;
#ifdef TRACKKIT_HAVE_TURBOJPEG
  text += "TurboJPEG (JPEG)";
#endif
#ifdef TRACKKIT_HAVE_IMGCODECS
  text += std::string(text.empty() ? "" : ", ") + "OpenCV imgcodecs (" + (text.empty() ? "JPEG, PNG)" : "PNG)");
#endif
#ifdef TRACKKIT_HAVE_VIDEOIO
  text += std::string(text.empty() ? "" : ", ") + "OpenCV videoio (video)";
#endif
  return text.empty() ? "none" : text;
}

ImageSize probe_image(const std::string& path) {
#ifdef TRACKKIT_HAVE_TURBOJPEG
  if (is_jpeg(path)) {
    const std::vector<unsigned char> data = read_file(path);
    int w = 0, h = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(handles().decoder, data.data(), data.size(), &w, &h, &subsampling, &colorspace) != 0) {
      fail(path, std::string("is not a readable JPEG: ") + tjGetErrorStr2(handles().decoder));
    }
    return {w, h};
  }
#endif
#ifdef TRACKKIT_HAVE_IMGCODECS
  const cv::Mat m = cv::imread(path, cv::IMREAD_COLOR);
  if (m.empty()) fail(path, "is not a readable image");
  return {m.cols, m.rows};
#else
  fail(path, is_jpeg(path) ? "cannot be read: this build has neither TurboJPEG nor OpenCV imgcodecs"
                           : "cannot be read: only JPEG files are readable in this build (no OpenCV imgcodecs)");
#endif
}

void read_image(const std::string& path, uint8_t* dst, ImageSize size) {
#ifdef TRACKKIT_HAVE_TURBOJPEG
  if (is_jpeg(path)) {
    const std::vector<unsigned char> data = read_file(path);
    if (tjDecompress2(handles().decoder, data.data(), data.size(), dst, size.width, size.width * 3, size.height,
                      TJPF_BGR, TJFLAG_FASTDCT) != 0) {
      fail(path, std::string("failed to decode: ") + tjGetErrorStr2(handles().decoder));
    }
    return;
  }
#endif
#ifdef TRACKKIT_HAVE_IMGCODECS
  const cv::Mat m = cv::imread(path, cv::IMREAD_COLOR);
  if (m.cols != size.width || m.rows != size.height) fail(path, "changed size or cannot be decoded");
  for (int y = 0; y < m.rows; ++y) std::memcpy(dst + static_cast<size_t>(y) * size.width * 3, m.ptr(y), size.width * 3);
#else
  (void)dst, (void)size;
  fail(path, "cannot be read in this build");
#endif
}

void write_jpeg(const std::string& path, const uint8_t* bgr, ImageSize size, int quality) {
#ifdef TRACKKIT_HAVE_TURBOJPEG
  unsigned char* jpeg = nullptr;
  unsigned long bytes = 0;
  if (tjCompress2(handles().encoder, bgr, size.width, size.width * 3, size.height, TJPF_BGR, &jpeg, &bytes, TJSAMP_420,
                  quality, TJFLAG_FASTDCT) != 0) {
    fail(path, std::string("failed to encode: ") + tjGetErrorStr2(handles().encoder));
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(jpeg), static_cast<std::streamsize>(bytes));
  tjFree(jpeg);
  if (!out) fail(path, "cannot be written");
#elif defined(TRACKKIT_HAVE_IMGCODECS)
  const cv::Mat m(size.height, size.width, CV_8UC3, const_cast<uint8_t*>(bgr));
  if (!cv::imwrite(path, m, {cv::IMWRITE_JPEG_QUALITY, quality})) fail(path, "cannot be written");
#else
  (void)bgr, (void)size, (void)quality;
  fail(path, "cannot be written: this build has neither TurboJPEG nor OpenCV imgcodecs");
#endif
}

#ifdef TRACKKIT_HAVE_VIDEOIO
struct VideoReader::Impl {
  cv::VideoCapture capture;
  cv::Mat frame;
};
VideoReader::VideoReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  if (!impl_->capture.open(path)) fail(path, "cannot be opened as a video");
}
ImageSize VideoReader::size() const {
  return {static_cast<int>(impl_->capture.get(cv::CAP_PROP_FRAME_WIDTH)),
          static_cast<int>(impl_->capture.get(cv::CAP_PROP_FRAME_HEIGHT))};
}
int64_t VideoReader::frame_count() const {
  return std::max<int64_t>(0, static_cast<int64_t>(impl_->capture.get(cv::CAP_PROP_FRAME_COUNT)));
}
bool VideoReader::read(uint8_t* dst) {
  if (!impl_->capture.read(impl_->frame) || impl_->frame.empty()) return false;
  const ImageSize s = size();
  if (impl_->frame.cols != s.width || impl_->frame.rows != s.height || impl_->frame.type() != CV_8UC3) {
    throw std::runtime_error("video: a frame of another size or type");
  }
  for (int y = 0; y < s.height; ++y)
    std::memcpy(dst + static_cast<size_t>(y) * s.width * 3, impl_->frame.ptr(y), s.width * 3);
  return true;
}
#else
struct VideoReader::Impl {};
VideoReader::VideoReader(const std::string& path) { fail(path, "is a video, but this build has no OpenCV videoio"); }
ImageSize VideoReader::size() const { return {}; }
int64_t VideoReader::frame_count() const { return 0; }
bool VideoReader::read(uint8_t*) { return false; }
#endif
VideoReader::~VideoReader() = default;

} // namespace split360
