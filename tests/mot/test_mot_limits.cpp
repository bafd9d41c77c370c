// MOT / seqinfo / GMC readers at the edges of their number ranges (issue 26): values whose cast to int64 would
// overflow (undefined behaviour before) are errors naming the file, line and column; a directory is named as one.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"

namespace mot = trackkit::mot;
namespace fs = std::filesystem;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = (fs::temp_directory_path() / ("tk_mot_limits_" + name)).string();
  std::ofstream(path) << text;
  return path;
}

} // namespace

TEST_CASE("mot limits: seqinfo sizes past int64 or fractional are errors naming the key", "[mot]") {
  const std::string base = "[Sequence]\nname=S\nframeRate=30\n";
  for (const std::string& line :
       {"seqLength=1e300", "seqLength=9.5", "seqLength=1\nimWidth=1e19", "seqLength=1\nimHeight=-4"}) {
    const std::string path = write_temp("seqinfo.ini", base + line + "\n");
    const std::string message = tk_error_of([&] { mot::read_seqinfo(path); });
    CHECK(message.find(path) != std::string::npos);
    CHECK(message.find("must be an integer") != std::string::npos);
    std::remove(path.c_str());
  }
  const std::string ok = write_temp("seqinfo_ok.ini", base + "seqLength=9000000000000000\nimWidth=1920\n");
  CHECK(mot::read_seqinfo(ok).length == 9000000000000000LL);
  std::remove(ok.c_str());
}

TEST_CASE("mot limits: a directory is not a seqinfo file", "[mot]") {
  const fs::path folder = fs::temp_directory_path() / "tk_mot_limits_folder";
  fs::create_directories(folder);
  const std::string message = tk_error_of([&] { mot::read_seqinfo(folder.string()); });
  CHECK(message.find("is a directory") != std::string::npos);
  fs::remove_all(folder);
}

TEST_CASE("mot limits: ids, classes and GMC frames beyond 9e15 are errors", "[mot]") {
  for (const std::string& row : {"1,1e300,1,1,2,2,1", "1,1,1,1,2,2,1,1e300", "1,-1e19,1,1,2,2"}) {
    const std::string path = write_temp("gt.txt", row + "\n");
    const std::string message = tk_error_of([&] { mot::read_mot_file(path); });
    CHECK(message.find(path + ":1:") != std::string::npos);
    std::remove(path.c_str());
  }
  const std::string gmc = write_temp("gmc.txt", "1e300\t1\t0\t0\t0\t1\t0\n");
  CHECK(tk_error_of([&] { mot::read_gmc_file(gmc); }).find("frame must be an integer") != std::string::npos);
  std::remove(gmc.c_str());
  const std::string fine = write_temp("gt_ok.txt", "1,-1,1,1,2,2,0.5,-1\n");
  CHECK(mot::read_mot_file(fine).at(0).cls == -1);
  std::remove(fine.c_str());
}
