#pragma once
// face_cluster's outputs: identities.json (the format is docs/face_cluster.md's) and one contact sheet per identity
// (its best faces tiled). Kept apart from the command line so that the format lives in one place.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "trackkit/face_cluster.hpp"

namespace examples {

/// One frame of an image folder: the file it came from and its size (the folder's frames may differ in size).
struct ImageFrame {
  std::string file; ///< name within the folder
  int64_t width = 0, height = 0;
};

/// Everything identities.json says about one input.
struct FaceInputOutput {
  std::string path;                   ///< as given on the command line
  std::string kind;                   ///< "video", "images", "mot" or "npy"
  std::vector<ImageFrame> images;     ///< image folders: frame k is images[k] (unreadable files are not frames)
  std::vector<std::string> skipped;   ///< image folders: files that could not be read
  int64_t width = 0, height = 0;      ///< videos, MOT folders and .npy: the frame size
  trackkit::FaceClusterResult result; ///< best_crops may be released once the contact sheets are written
  std::vector<std::string> sheets;    ///< contact sheet file per identity ("" where none was written)
};

/// Text to write into a JSON string literal: quotes, backslashes and control characters escaped (UTF-8 passes).
std::string json_escape(const std::string& text);

/// identities.json for the inputs so far.
std::string identities_json(const std::vector<FaceInputOutput>& inputs);

/// Writes `text` to `path` through a temporary file in the same folder renamed over it, so that a reader never sees
/// a half-written file. Throws std::runtime_error naming the path when it cannot.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

/// The identity's best faces, highest quality first (up to `max_faces`, the tracks' best_crops), tiled in a grid
/// `columns` wide on black: uint8 [H,W,3] BGR on the CPU. An identity whose tracks have no crops gives an empty tensor.
at::Tensor contact_sheet(const trackkit::FaceClusterResult& result, const trackkit::FaceIdentity& identity,
                         int64_t max_faces = 16, int64_t columns = 4);

/// Writes the contact sheet of every identity of `input` into `folder` as identity_<id>.jpg, or
/// identity_<input_index>_<id>.jpg when `several_inputs`, and fills input.sheets with the file names. Without
/// OpenCV imgcodecs in this build it writes nothing and returns false.
bool write_contact_sheets(FaceInputOutput& input, const std::filesystem::path& folder, int64_t input_index,
                          bool several_inputs);

} // namespace examples
