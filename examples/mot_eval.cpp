// mot_eval: scores MOT-format tracker results against a gt.txt with trackkit's TrackEval-equal evaluator
// (trackkit/mot.hpp) and prints one line per results file: HOTA DetA AssA MOTA IDF1 IDSW (x100 where TrackEval
// prints percentages).
//
//   mot_eval --gt GT.txt [--first-frame F] [--num-frames N] [--mot15] RESULTS.txt ...
//
// --first-frame F: only gt frames >= F (0-based) are scored, renumbered from 0 (a val-half protocol; the
// results must already start at frame 0). --num-frames N: frames scored (default: seqinfo-less, the largest
// frame + 1). --mot15: no MOT17 distractor preprocessing (TrackEval's MOT15 behaviour). --help lists every
// option with its default.
#include <cstdio>
#include <string>
#include <vector>

#include "cli.hpp"
#include "trackkit/mot.hpp"

namespace mot = trackkit::mot;

int main(int argc, char** argv) {
  CLI::App app("mot_eval: scores MOT results files against a gt.txt (TrackEval's HOTA, CLEAR and Identity metrics)",
               "mot_eval");
  std::string gt_path;
  int64_t first = 0;
  bool mot15 = false;
  mot::EvalOptions eval;
  std::vector<std::string> results;
  app.add_option("--gt", gt_path, "ground truth (MOT format)")->required()->check(CLI::ExistingFile);
  app.add_option("--first-frame", first, "score gt frames >= F (0-based) only, renumbered from 0")
      ->capture_default_str()
      ->check(examples::non_negative());
  app.add_option("--num-frames", eval.num_frames, "frames scored (0: the largest frame in gt or results + 1)")
      ->capture_default_str()
      ->check(examples::non_negative());
  examples::old_spelling(app.add_option("--frames", eval.num_frames))->check(examples::non_negative());
  examples::add_mot15_flag(app, mot15);
  app.add_option("RESULTS", results, "MOT results files")->required()->check(CLI::ExistingFile);
  return examples::run(app, argc, argv, [&] {
    eval.mot17_preprocessing = !mot15;
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
  });
}
