// mot_eval: scores MOT-format tracker results against a gt.txt with trackkit's TrackEval-equal evaluator
// (trackkit/mot.hpp) and prints one line per results file: HOTA DetA AssA MOTA IDF1 IDSW (x100 where TrackEval
// prints percentages).
//
//   mot_eval --gt GT.txt [--first-frame F] [--frames N] [--mot15] RESULTS.txt ...
//
// --first-frame F: only gt frames >= F (0-based) are scored, renumbered from 0 (a val-half protocol; the
// results must already start at frame 0). --frames N: frames scored (default: seqinfo-less, the largest frame
// + 1). --mot15: no MOT17 distractor preprocessing (TrackEval's MOT15 behaviour).
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"
#include "trackkit/mot.hpp"

namespace mot = trackkit::mot;

int main(int argc, char** argv) {
  try {
    std::string gt_path;
    int64_t first = 0;
    mot::EvalOptions eval;
    std::vector<std::string> results;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--gt") {
        gt_path = examples::option_value("mot_eval", argc, argv, i);
      } else if (a == "--first-frame") {
        first = std::stoll(examples::option_value("mot_eval", argc, argv, i));
      } else if (a == "--frames") {
        eval.num_frames = std::stoll(examples::option_value("mot_eval", argc, argv, i));
      } else if (a == "--mot15") {
        eval.mot17_preprocessing = false;
      } else if (a.rfind("--", 0) == 0) {
        throw std::runtime_error("mot_eval: unknown option " + a);
      } else {
        results.push_back(a);
      }
    }
    if (gt_path.empty() || results.empty()) {
      std::fprintf(stderr, "usage: mot_eval --gt GT.txt [--first-frame F] [--frames N] [--mot15] RESULTS.txt ...\n");
      return 2;
    }
    std::vector<mot::Row> gt;
    for (mot::Row g : mot::read_mot_file(gt_path))
      if (g.frame >= first) g.frame -= first, gt.push_back(g);
    std::printf("%-40s %8s %7s %7s %7s %7s %6s\n", "results", "HOTA", "DetA", "AssA", "MOTA", "IDF1", "IDSW");
    for (const std::string& r : results) {
      const mot::SequenceResult m = mot::evaluate_sequence(gt, mot::read_mot_file(r), eval);
      std::printf("%-40s %8.3f %7.3f %7.3f %7.3f %7.3f %6lld\n", r.c_str(), 100 * m.hota.hota, 100 * m.hota.det_a,
                  100 * m.hota.ass_a, 100 * m.clear.mota, 100 * m.identity.idf1, (long long)m.clear.idsw);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
