// MOTChallenge text files: seqinfo.ini, det / gt / results files, BoT-SORT GMC files.
#include <ATen/ATen.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"

namespace trackkit {
namespace mot {
namespace {

std::ifstream open_input(std::string_view function, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail_argument(function, "path", "'" + path + "' is a directory, not a file", ErrorCode::NotFound);
  std::ifstream in(path);
  if (!in) fail_argument(function, "path", "cannot open '" + path + "'", ErrorCode::NotFound);
  return in;
}

[[noreturn]] void fail_line(std::string_view function, const std::string& path, int64_t line,
                            const std::string& problem) {
  throw Error(ErrorCode::InvalidArgument,
              std::string(function) + ": " + path + ":" + std::to_string(line) + ": " + problem);
}

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// Splits a line on commas if it has any, otherwise on whitespace. A trailing empty field (a trailing comma)
// is dropped, as TrackEval does.
void split_fields(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  if (line.find(',') != std::string_view::npos) {
    size_t start = 0;
    while (true) {
      const size_t comma = line.find(',', start);
      out.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (!out.empty() && out.back().empty()) out.pop_back();
    return;
  }
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const size_t b = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > b) out.push_back(line.substr(b, i - b));
  }
}

// Parses a whole field as a double (strtod: accepts "1", "1.5", "1e3", "nan", "inf"). Returns false if the
// field is empty or has trailing characters.
bool parse_double(std::string_view field, double& value) {
  if (field.empty() || field.size() > 64) return false;
  char buf[65];
  field.copy(buf, field.size());
  buf[field.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  value = std::strtod(buf, &end);
  return end == buf + field.size();
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Integers in these files are written as numbers; beyond 9e15 a double no longer holds every integer and the cast
// to int64 would overflow (undefined behaviour), so larger magnitudes are errors.
constexpr double kLargestInteger = 9.0e15;
bool is_integer_in_range(double v) { return std::isfinite(v) && v == std::floor(v) && std::fabs(v) <= kLargestInteger; }

} // namespace

SeqInfo read_seqinfo(const std::string& path) {
  constexpr std::string_view fn = "read_seqinfo";
  std::ifstream in = open_input(fn, path);
  SeqInfo info;
  bool has_name = false, has_rate = false, has_length = false;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view s = trim(line);
    if (s.empty() || s[0] == ';' || s[0] == '#' || s[0] == '[') continue;
    const size_t eq = s.find('=');
    if (eq == std::string_view::npos) fail_line(fn, path, line_no, "expected key=value, got " + quoted(s));
    const std::string_view key = trim(s.substr(0, eq));
    const std::string_view value = trim(s.substr(eq + 1));
    auto number = [&](double& out) {
      if (!parse_double(value, out) || !std::isfinite(out) || out < 0)
        fail_line(fn, path, line_no, std::string(key) + " must be a non-negative number, got " + quoted(value));
    };
    auto integer = [&](int64_t& out) {
      double v = 0;
      if (!parse_double(value, v) || !is_integer_in_range(v) || v < 0)
        fail_line(fn, path, line_no, std::string(key) + " must be an integer in [0, 9e15], got " + quoted(value));
      out = static_cast<int64_t>(v);
    };
    if (key == "name") {
      info.name = value, has_name = true;
    } else if (key == "imDir") {
      info.im_dir = value;
    } else if (key == "imExt") {
      info.im_ext = value;
    } else if (key == "frameRate") {
      number(info.frame_rate), has_rate = true;
    } else if (key == "seqLength") {
      integer(info.length), has_length = true;
    } else if (key == "imWidth") {
      integer(info.width);
    } else if (key == "imHeight") {
      integer(info.height);
    }
  }
  if (!has_name || !has_rate || !has_length)
    fail_argument(fn, "path", "'" + path + "' lacks name, frameRate or seqLength");
  return info;
}

namespace {

// Calls f(line number, fields) for each non-empty line of a text file of comma/space/tab separated values.
template <typename F>
void for_each_record(std::string_view fn, const std::string& path, F&& f) {
  std::ifstream in = open_input(fn, path);
  std::vector<std::string_view> fields;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view s = trim(line);
    if (s.empty()) continue;
    split_fields(s, fields);
    f(line_no, fields);
  }
  if (in.bad()) fail_argument(fn, "path", "read error on '" + path + "'");
}

} // namespace

std::vector<Row> read_mot_file(const std::string& path) {
  constexpr std::string_view fn = "read_mot_file";
  std::vector<Row> rows;
  for_each_record(fn, path, [&](int64_t line_no, const std::vector<std::string_view>& fields) {
    if (fields.size() < 6 || fields.size() > 10)
      fail_line(fn, path, line_no, "expected 6 to 10 columns, got " + std::to_string(fields.size()));
    double v[10];
    for (size_t c = 0; c < fields.size(); ++c) {
      if (!parse_double(fields[c], v[c]))
        fail_line(fn, path, line_no, "column " + std::to_string(c + 1) + " is not a number: " + quoted(fields[c]));
    }
    if (!(v[0] >= 1) || v[0] != std::floor(v[0]) || v[0] > 9.0e15)
      fail_line(fn, path, line_no, "frame must be an integer >= 1, got " + quoted(fields[0]));
    if (!is_integer_in_range(v[1]))
      fail_line(fn, path, line_no, "id must be an integer in [-9e15, 9e15], got " + quoted(fields[1]));
    for (int c = 2; c < 6; ++c) {
      if (!std::isfinite(v[c])) fail_line(fn, path, line_no, "box value " + quoted(fields[c]) + " is not finite");
    }
    if (v[4] < 0 || v[5] < 0)
      fail_line(fn, path, line_no,
                "box width and height must be >= 0, got " + quoted(fields[4]) + ", " + quoted(fields[5]));
    Row r;
    r.frame = static_cast<int64_t>(v[0]) - 1;
    r.id = static_cast<int64_t>(v[1]);
    r.x = v[2], r.y = v[3], r.w = v[4], r.h = v[5];
    if (fields.size() > 6) {
      if (!std::isfinite(v[6])) fail_line(fn, path, line_no, "score " + quoted(fields[6]) + " is not finite");
      r.score = v[6];
    }
    if (fields.size() > 7) {
      if (!std::isfinite(v[7]) || std::fabs(v[7]) > kLargestInteger)
        fail_line(fn, path, line_no, "class " + quoted(fields[7]) + " is not a number in [-9e15, 9e15]");
      r.cls = static_cast<int64_t>(v[7]); // truncation, as numpy's astype(int)
    }
    if (fields.size() > 8) r.visibility = v[8];
    rows.push_back(r);
  });
  return rows;
}

void write_mot_results(const std::string& path, const std::vector<Row>& rows, int decimals) {
  constexpr std::string_view fn = "write_mot_results";
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) fail_argument(fn, "path", "cannot open '" + path + "' for writing");
  char buf[64];
  auto put = [&](double value) {
    if (decimals >= 0) {
      std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
      std::fputs(buf, f);
    } else {
      const auto res = std::to_chars(buf, buf + sizeof(buf), value);
      std::fwrite(buf, 1, static_cast<size_t>(res.ptr - buf), f);
    }
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.frame < 0 || !std::isfinite(r.x) || !std::isfinite(r.y) || !std::isfinite(r.w) || !std::isfinite(r.h) ||
        !std::isfinite(r.score)) {
      std::fclose(f);
      fail_argument(fn, "rows", "row " + std::to_string(i) + " has a negative frame or a non-finite value");
    }
    std::fprintf(f, "%lld,%lld,", static_cast<long long>(r.frame + 1), static_cast<long long>(r.id));
    put(r.x), std::fputc(',', f), put(r.y), std::fputc(',', f), put(r.w), std::fputc(',', f), put(r.h);
    std::fputc(',', f), put(r.score), std::fputs(",-1,-1,-1\n", f);
  }
  const bool failed = std::ferror(f) != 0;
  if (std::fclose(f) != 0 || failed) fail_argument(fn, "path", "write error on '" + path + "'");
}

std::vector<at::Tensor> detections_per_frame(const std::vector<Row>& rows, int64_t num_frames) {
  constexpr std::string_view fn = "detections_per_frame";
  if (num_frames < 0) fail_argument(fn, "num_frames", "must be >= 0, got " + std::to_string(num_frames));
  std::vector<int64_t> counts(static_cast<size_t>(num_frames), 0);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].frame < 0 || rows[i].frame >= num_frames)
      fail_argument(fn, "rows",
                    "row " + std::to_string(i) + " has frame " + std::to_string(rows[i].frame) + " outside [0, " +
                        std::to_string(num_frames) + ")");
    ++counts[static_cast<size_t>(rows[i].frame)];
  }
  std::vector<at::Tensor> out(static_cast<size_t>(num_frames));
  std::vector<float*> ptr(static_cast<size_t>(num_frames));
  for (int64_t t = 0; t < num_frames; ++t) {
    out[t] = at::empty({counts[t], 6}, at::kFloat);
    ptr[t] = out[t].data_ptr<float>();
  }
  for (const Row& r : rows) {
    float*& p = ptr[static_cast<size_t>(r.frame)];
    p[0] = static_cast<float>(r.x), p[1] = static_cast<float>(r.y);
    p[2] = static_cast<float>(r.x + r.w), p[3] = static_cast<float>(r.y + r.h);
    p[4] = static_cast<float>(r.score), p[5] = static_cast<float>(r.cls);
    p += 6;
  }
  return out;
}

std::vector<GmcEntry> read_gmc_file(const std::string& path) {
  constexpr std::string_view fn = "read_gmc_file";
  std::vector<GmcEntry> entries;
  for_each_record(fn, path, [&](int64_t line_no, const std::vector<std::string_view>& fields) {
    if (fields.size() != 7) fail_line(fn, path, line_no, "expected 7 columns, got " + std::to_string(fields.size()));
    double v[7];
    for (int c = 0; c < 7; ++c) {
      if (!parse_double(fields[c], v[c]) || !std::isfinite(v[c]))
        fail_line(fn, path, line_no,
                  "column " + std::to_string(c + 1) + " is not a finite number: " + quoted(fields[c]));
    }
    if (v[0] < 0 || !is_integer_in_range(v[0]))
      fail_line(fn, path, line_no, "frame must be an integer in [0, 9e15], got " + quoted(fields[0]));
    GmcEntry e;
    e.frame = static_cast<int64_t>(v[0]);
    if (!entries.empty() && e.frame <= entries.back().frame)
      fail_line(fn, path, line_no,
                "frame " + std::to_string(e.frame) + " does not follow frame " + std::to_string(entries.back().frame));
    for (int k = 0; k < 6; ++k) e.warp[k] = v[k + 1];
    entries.push_back(e);
  });
  return entries;
}

} // namespace mot
} // namespace trackkit
