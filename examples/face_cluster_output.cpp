// face_cluster's outputs: identities.json, written by hand (the project has no JSON writer and the format is small),
// and the identities' contact sheets.
#include "face_cluster_output.hpp"

#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#if TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <tuple>

namespace fs = std::filesystem;

namespace examples {
namespace {

// Pixel coordinates to 1/100 px: finer than any detector's accuracy, and short.
std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "null"; // JSON has no NaN / Infinity
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// Scores, qualities, times, frame rates: 7 significant digits keep a float32 value.
std::string number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[64];
  std::snprintf(text, sizeof text, "%.7g", value);
  return text;
}

std::string quoted(const std::string& text) { return "\"" + json_escape(text) + "\""; }

// The fields of one face, without braces, so that the representative can add its track.
std::string face_fields(const trackkit::FaceRecord& f) {
  std::string out = "\"frame\": " + std::to_string(f.frame) + ", \"time\": " + number(f.time) + ", \"box\": [";
  for (size_t i = 0; i < f.box.size(); ++i) out += (i > 0 ? ", " : "") + fixed(f.box[i], 2);
  out += "], \"landmarks\": [";
  for (size_t p = 0; p < 5; ++p)
    out += (p > 0 ? ", [" : "[") + fixed(f.landmarks[2 * p], 2) + ", " + fixed(f.landmarks[2 * p + 1], 2) + "]";
  return out + "], \"score\": " + number(f.score) + ", \"quality\": " + number(f.quality);
}

// The tracker id of the track holding the identity's representative face (representative_track indexes
// result.tracks).
int64_t representative_track_id(const trackkit::FaceClusterResult& result, const trackkit::FaceIdentity& identity) {
  const int64_t r = identity.representative_track;
  if (r < 0 || r >= static_cast<int64_t>(result.tracks.size()))
    throw std::runtime_error("identity " + std::to_string(identity.id) + "'s representative names track " +
                             std::to_string(r) + " of " + std::to_string(result.tracks.size()));
  return result.tracks[r].id;
}

void append_identity(std::string& out, const FaceInputOutput& input, size_t index) {
  const trackkit::FaceClusterResult& r = input.result;
  const trackkit::FaceIdentity& identity = r.identities[index];
  out += "        {\"id\": " + std::to_string(identity.id);
  if (index < input.sheets.size() && !input.sheets[index].empty()) out += ", \"sheet\": " + quoted(input.sheets[index]);
  out += ",\n         \"tracks\": [";
  bool first_track = true;
  for (const int64_t t : identity.tracks) {
    if (t < 0 || t >= static_cast<int64_t>(r.tracks.size()))
      throw std::runtime_error("identity " + std::to_string(identity.id) + " names track " + std::to_string(t) +
                               " of " + std::to_string(r.tracks.size()));
    const trackkit::FaceTrack& track = r.tracks[t];
    out += first_track ? "\n" : ",\n";
    first_track = false;
    out += "           {\"id\": " + std::to_string(track.id) +
           ", \"first_frame\": " + std::to_string(track.first_frame) +
           ", \"last_frame\": " + std::to_string(track.last_frame) +
           ", \"faces_seen\": " + std::to_string(track.faces_seen) + ", \"faces\": [";
    for (size_t k = 0; k < track.best.size(); ++k)
      out += (k > 0 ? ",\n              {" : "\n              {") + face_fields(track.best[k]) + "}";
    out += "]}";
  }
  out += "],\n         \"representative\": {" + face_fields(identity.representative) +
         ", \"track\": " + std::to_string(representative_track_id(r, identity)) + "}}";
}

void append_input(std::string& out, const FaceInputOutput& input) {
  const trackkit::FaceClusterResult& r = input.result;
  out += "    {\"input\": " + quoted(input.path) + ", \"kind\": " + quoted(input.kind) +
         ", \"frames\": " + std::to_string(r.frames) + ", \"fps\": " + number(r.fps);
  if (input.kind != "images")
    out += ", \"width\": " + std::to_string(input.width) + ", \"height\": " + std::to_string(input.height);
  if (input.kind == "images") {
    out += ",\n     \"images\": [";
    for (size_t i = 0; i < input.images.size(); ++i)
      out += (i > 0 ? ",\n       {\"file\": " : "\n       {\"file\": ") + quoted(input.images[i].file) +
             ", \"width\": " + std::to_string(input.images[i].width) +
             ", \"height\": " + std::to_string(input.images[i].height) + "}";
    out += "],\n     \"skipped\": [";
    for (size_t i = 0; i < input.skipped.size(); ++i) out += (i > 0 ? ", " : "") + quoted(input.skipped[i]);
    out += "]";
  }
  out += ",\n     \"identities\": [";
  for (size_t i = 0; i < r.identities.size(); ++i) {
    out += i > 0 ? ",\n" : "\n";
    append_identity(out, input, i);
  }
  out += "]}";
}

} // namespace

std::string json_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string identities_json(const std::vector<FaceInputOutput>& inputs) {
  std::string out = "{\"version\": 1,\n \"inputs\": [";
  for (size_t i = 0; i < inputs.size(); ++i) {
    out += i > 0 ? ",\n" : "\n";
    append_input(out, inputs[i]);
  }
  return out + "]}\n";
}

void write_file_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file << text;
    file.flush();
    if (!file) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::error_code error;
  fs::rename(tmp, path, error); // replaces `path` in one step on POSIX file systems
  if (error)
    throw std::runtime_error("cannot rename " + tmp.string() + " to " + path.string() + ": " + error.message());
}

at::Tensor contact_sheet(const trackkit::FaceClusterResult& result, const trackkit::FaceIdentity& identity,
                         int64_t max_faces, int64_t columns) {
  // (quality, order among the identity's faces, track, face): the order keeps equal qualities in track order.
  std::vector<std::tuple<float, int64_t, int64_t, int64_t>> faces;
  for (const int64_t t : identity.tracks) {
    if (t < 0 || t >= static_cast<int64_t>(result.tracks.size())) continue;
    const trackkit::FaceTrack& track = result.tracks[t];
    if (!track.best_crops.defined()) continue;
    const int64_t n = std::min<int64_t>(track.best_crops.size(0), static_cast<int64_t>(track.best.size()));
    for (int64_t k = 0; k < n; ++k) faces.emplace_back(track.best[k].quality, static_cast<int64_t>(faces.size()), t, k);
  }
  if (faces.empty() || max_faces <= 0 || columns <= 0) return {};
  std::sort(faces.begin(), faces.end(), [](const auto& a, const auto& b) {
    return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b) : std::get<1>(a) < std::get<1>(b);
  });
  faces.resize(std::min<size_t>(faces.size(), static_cast<size_t>(max_faces)));
  const at::Tensor& first = result.tracks[std::get<2>(faces[0])].best_crops;
  const int64_t h = first.size(1), w = first.size(2), n = static_cast<int64_t>(faces.size());
  const int64_t cols = std::min(columns, n), rows = (n + cols - 1) / cols;
  at::Tensor sheet = at::zeros({rows * h, cols * w, 3}, at::kByte);
  for (int64_t i = 0; i < n; ++i) {
    const auto& [quality, order, t, k] = faces[i];
    const at::Tensor crop = result.tracks[t].best_crops[k].to(at::kCPU, at::kByte);
    sheet.narrow(0, (i / cols) * h, h).narrow(1, (i % cols) * w, w).copy_(crop);
  }
  return sheet;
}

bool write_contact_sheets(FaceInputOutput& input, const fs::path& folder, int64_t input_index, bool several_inputs) {
  input.sheets.assign(input.result.identities.size(), std::string());
#if TRACKKIT_HAVE_IMGCODECS
  for (size_t i = 0; i < input.result.identities.size(); ++i) {
    const trackkit::FaceIdentity& identity = input.result.identities[i];
    at::Tensor sheet = contact_sheet(input.result, identity);
    if (!sheet.defined()) continue;
    sheet = sheet.contiguous();
    const std::string name = "identity_" + (several_inputs ? std::to_string(input_index) + "_" : std::string()) +
                             std::to_string(identity.id) + ".jpg";
    const cv::Mat mat(static_cast<int>(sheet.size(0)), static_cast<int>(sheet.size(1)), CV_8UC3, sheet.data_ptr());
    if (!cv::imwrite((folder / name).string(), mat))
      throw std::runtime_error("cannot write " + (folder / name).string());
    input.sheets[i] = name;
  }
  return true;
#else
  (void)folder, (void)input_index, (void)several_inputs;
  return false;
#endif
}

} // namespace examples
