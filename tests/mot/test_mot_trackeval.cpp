// The CLEAR / Identity / HOTA evaluator against TrackEval's own results on MOT17, parsed at test time from
// $TRACKKIT_DATA/mot/MOT17/trackeval_reference and bytetrack_reference/trackeval.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"

namespace mot = trackkit::mot;

namespace {
bool file_exists(const std::string& path) { return std::ifstream(path).good(); }
} // namespace

namespace {

const char* const kSequences[] = {"MOT17-02-FRCNN", "MOT17-04-FRCNN", "MOT17-05-FRCNN", "MOT17-09-FRCNN",
                                  "MOT17-10-FRCNN", "MOT17-11-FRCNN", "MOT17-13-FRCNN"};

using CsvRow = std::map<std::string, double>;

// pedestrian_detailed.csv: one row per sequence (and COMBINED), every field a number.
std::map<std::string, CsvRow> read_detailed_csv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  std::map<std::string, CsvRow> rows;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string f;
    while (std::getline(ss, f, ',')) {
      if (!f.empty() && f.back() == '\r') f.pop_back();
      out.push_back(f);
    }
    return out;
  };
  if (!std::getline(in, line)) return rows;
  header = split(line);
  while (std::getline(in, line)) {
    const std::vector<std::string> f = split(line);
    if (f.size() != header.size()) continue;
    CsvRow& row = rows[f[0]];
    for (size_t i = 1; i < f.size(); ++i) row[header[i]] = std::stod(f[i]);
  }
  return rows;
}

double field(const CsvRow& row, const std::string& name) {
  const auto it = row.find(name);
  if (it == row.end()) FAIL("pedestrian_detailed.csv has no field " << name);
  return it == row.end() ? 0.0 : it->second;
}

std::string alpha_field(const std::string& name, int a) { return name + "___" + std::to_string(5 * (a + 1)); }

// A result holding only what combine() reads, from a TrackEval row (counts divided by `copies`).
mot::SequenceResult result_from_csv(const CsvRow& row, int copies = 1) {
  auto count = [&](const std::string& name) { return std::llround(field(row, name) / copies); };
  mot::SequenceResult r;
  r.clear.tp = count("CLR_TP"), r.clear.fn = count("CLR_FN"), r.clear.fp = count("CLR_FP");
  r.clear.idsw = count("IDSW"), r.clear.mt = count("MT"), r.clear.pt = count("PT"), r.clear.ml = count("ML");
  r.clear.frag = count("Frag"), r.clear.frames = count("CLR_Frames");
  r.clear.motp_sum = field(row, "MOTP_sum") / copies;
  r.identity.idtp = count("IDTP"), r.identity.idfn = count("IDFN"), r.identity.idfp = count("IDFP");
  for (int a = 0; a < mot::kNumAlphas; ++a) {
    r.hota.per_alpha.tp[a] = std::llround(field(row, alpha_field("HOTA_TP", a)) / copies);
    r.hota.per_alpha.fn[a] = std::llround(field(row, alpha_field("HOTA_FN", a)) / copies);
    r.hota.per_alpha.fp[a] = std::llround(field(row, alpha_field("HOTA_FP", a)) / copies);
    r.hota.per_alpha.ass_a[a] = field(row, alpha_field("AssA", a));
    r.hota.per_alpha.ass_re[a] = field(row, alpha_field("AssRe", a));
    r.hota.per_alpha.ass_pr[a] = field(row, alpha_field("AssPr", a));
    r.hota.per_alpha.loc_a[a] = field(row, alpha_field("LocA", a));
  }
  r.num_gt_dets = count("GT_Dets"), r.num_tracker_dets = count("Dets");
  r.num_gt_ids = count("GT_IDs"), r.num_tracker_ids = count("IDs");
  return r;
}

// Every TrackEval field against ours: ratios within 5e-4 (3 decimals), counts exact (`copies`: the COMBINED
// row sums the 3 identical detector variants, so its counts are 3x).
// Returns the largest absolute difference over the ratio fields.
double check_against_trackeval(const mot::SequenceResult& r, const CsvRow& row, const std::string& name,
                               int copies = 1) {
  INFO(name);
  const double tol = 5e-4;
  double max_diff = 0;
  auto ratio = [&](const std::string& f, double ours) {
    INFO(f);
    const double diff = std::abs(ours - field(row, f));
    max_diff = std::max(max_diff, diff);
    CHECK(diff <= tol);
  };
  auto count = [&](const std::string& f, int64_t ours) {
    INFO(f);
    CHECK(ours * copies == std::llround(field(row, f)));
  };
  const mot::ClearMetrics& c = r.clear;
  ratio("MOTA", c.mota), ratio("MOTP", c.motp), ratio("MODA", c.moda), ratio("CLR_Re", c.recall);
  ratio("CLR_Pr", c.precision), ratio("MTR", c.mtr), ratio("PTR", c.ptr), ratio("MLR", c.mlr);
  ratio("sMOTA", c.smota), ratio("CLR_F1", c.f1), ratio("MOTAL", c.motal);
  count("CLR_TP", c.tp), count("CLR_FN", c.fn), count("CLR_FP", c.fp), count("IDSW", c.idsw);
  count("MT", c.mt), count("PT", c.pt), count("ML", c.ml), count("Frag", c.frag), count("CLR_Frames", c.frames);
  const mot::IdentityMetrics& id = r.identity;
  ratio("IDF1", id.idf1), ratio("IDR", id.idr), ratio("IDP", id.idp);
  count("IDTP", id.idtp), count("IDFN", id.idfn), count("IDFP", id.idfp);
  count("Dets", r.num_tracker_dets), count("GT_Dets", r.num_gt_dets);
  count("IDs", r.num_tracker_ids), count("GT_IDs", r.num_gt_ids);
  const mot::HotaMetrics& h = r.hota;
  ratio("HOTA___AUC", h.hota), ratio("DetA___AUC", h.det_a), ratio("AssA___AUC", h.ass_a);
  ratio("DetRe___AUC", h.det_re), ratio("DetPr___AUC", h.det_pr), ratio("AssRe___AUC", h.ass_re);
  ratio("AssPr___AUC", h.ass_pr), ratio("LocA___AUC", h.loc_a);
  ratio(row.count("RHOTA___AUC") ? "RHOTA___AUC" : "OWTA___AUC", h.rhota); // renamed OWTA in later TrackEval
  ratio("HOTA(0)", h.hota0), ratio("LocA(0)", h.loc_a0), ratio("HOTALocA(0)", h.hota_loc_a0);
  const mot::HotaMetrics::PerAlpha& p = h.per_alpha;
  for (int a = 0; a < mot::kNumAlphas; ++a) {
    ratio(alpha_field("HOTA", a), p.hota[a]), ratio(alpha_field("DetA", a), p.det_a[a]);
    ratio(alpha_field("AssA", a), p.ass_a[a]), ratio(alpha_field("DetRe", a), p.det_re[a]);
    ratio(alpha_field("DetPr", a), p.det_pr[a]), ratio(alpha_field("AssRe", a), p.ass_re[a]);
    ratio(alpha_field("AssPr", a), p.ass_pr[a]), ratio(alpha_field("LocA", a), p.loc_a[a]);
    count(alpha_field("HOTA_TP", a), p.tp[a]), count(alpha_field("HOTA_FN", a), p.fn[a]);
    count(alpha_field("HOTA_FP", a), p.fp[a]);
  }
  return max_diff;
}

struct GoldenRun {
  std::vector<std::string> names;                // sequences evaluated here
  std::vector<mot::SequenceResult> ours;         // their results
  std::vector<mot::SequenceResult> for_combined; // ours, or TrackEval's counts where gt is missing
  std::vector<std::string> missing;              // sequences without gt/gt.txt here
  double seconds = 0;                            // evaluate_sequence time (files already read)
  double read_seconds = 0;                       // read_seqinfo + read_mot_file time
};

// Evaluates the tracker files of `tracks_dir` against MOT17 gt. val_half: ByteTrack's validation protocol
// (frames N/2+2 .. N of each sequence, renumbered from 1, gt restricted to them).
GoldenRun run_golden(const std::string& mot17, const std::string& tracks_dir, const std::vector<std::string>& seqs,
                     const std::map<std::string, CsvRow>& reference, bool val_half = false) {
  GoldenRun run;
  for (const std::string& seq : seqs) {
    const std::string gt_file = mot17 + "/train/" + seq + "/gt/gt.txt";
    if (!file_exists(gt_file)) {
      run.missing.push_back(seq);
      run.for_combined.push_back(result_from_csv(reference.at(seq)));
      continue;
    }
    const auto read_start = std::chrono::steady_clock::now();
    const mot::SeqInfo info = mot::read_seqinfo(mot17 + "/train/" + seq + "/seqinfo.ini");
    std::vector<mot::Row> gt = mot::read_mot_file(gt_file);
    std::vector<mot::Row> res = mot::read_mot_file(tracks_dir + "/" + seq + ".txt");
    run.read_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - read_start).count();
    mot::EvalOptions opts;
    opts.num_frames = info.length;
    if (val_half) {
      const int64_t first = info.length / 2 + 1; // 0-based index of frame N/2+2
      auto window = [&](std::vector<mot::Row>& rows) {
        std::vector<mot::Row> kept;
        for (mot::Row r : rows)
          if (r.frame >= first) r.frame -= first, kept.push_back(r);
        rows.swap(kept);
      };
      window(gt), window(res);
      opts.num_frames = info.length - first;
    }
    const auto start = std::chrono::steady_clock::now();
    const mot::SequenceResult r = mot::evaluate_sequence(gt, res, opts);
    run.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.names.push_back(seq);
    run.ours.push_back(r);
    run.for_combined.push_back(r);
  }
  return run;
}

std::vector<std::string> frcnn_sequences(const std::map<std::string, CsvRow>& reference) {
  std::vector<std::string> seqs;
  for (const auto& entry : reference)
    if (entry.first.find("-FRCNN") != std::string::npos) seqs.push_back(entry.first);
  return seqs;
}

} // namespace

TEST_CASE("evaluate_sequence reproduces TrackEval on MOT17 train", "[mot][data]") {
  const std::string mot17 = tk_test_data_dir() + "/mot/MOT17";
  const std::string csv = mot17 + "/trackeval_reference/pedestrian_detailed.csv";
  if (tk_test_data_dir().empty() || !file_exists(csv))
    TK_SKIP("TRACKKIT_DATA (mot/MOT17/trackeval_reference) not found");
  const std::map<std::string, CsvRow> reference = read_detailed_csv(csv);
  const std::vector<std::string> seqs = frcnn_sequences(reference);
  REQUIRE(seqs.size() == 7);
  REQUIRE(reference.count("COMBINED") == 1);
  const GoldenRun run = run_golden(mot17, mot17 + "/trackeval_reference/tracker_data", seqs, reference);
  REQUIRE(!run.ours.empty());
  for (size_t i = 0; i < run.ours.size(); ++i)
    check_against_trackeval(run.ours[i], reference.at(run.names[i]), run.names[i]);
  // COMBINED sums the DPM, FRCNN and SDP rows (identical): its counts are 3x the 7 FRCNN sequences'.
  check_against_trackeval(mot::combine(run.for_combined), reference.at("COMBINED"), "COMBINED", 3);
  std::string note =
      "evaluated " + std::to_string(run.ours.size()) + " sequences in " + std::to_string(run.seconds * 1000) + " ms";
  for (const std::string& m : run.missing)
    note += "; " + m + ": no gt/gt.txt here, TrackEval's counts used in COMBINED";
  WARN(note);
}

TEST_CASE("evaluate_sequence reproduces TrackEval on ByteTrack's MOT17 outputs", "[mot][data]") {
  const std::string mot17 = tk_test_data_dir() + "/mot/MOT17";
  const std::string ref = mot17 + "/bytetrack_reference";
  if (tk_test_data_dir().empty() || !file_exists(ref + "/trackeval/frcnn_full__5shared/pedestrian_detailed.csv"))
    TK_SKIP("TRACKKIT_DATA (mot/MOT17/bytetrack_reference) not found");
  for (const bool val_half : {false, true}) {
    const std::string run_name = val_half ? "yolox_val_half" : "frcnn_full";
    INFO(run_name);
    const std::map<std::string, CsvRow> reference =
        read_detailed_csv(ref + "/trackeval/" + run_name + "__5shared/pedestrian_detailed.csv");
    const std::vector<std::string> seqs = frcnn_sequences(reference);
    REQUIRE(!seqs.empty());
    const GoldenRun run = run_golden(mot17, ref + "/" + run_name, seqs, reference, val_half);
    for (size_t i = 0; i < run.ours.size(); ++i)
      check_against_trackeval(run.ours[i], reference.at(run.names[i]), run.names[i]);
    check_against_trackeval(mot::combine(run.for_combined), reference.at("COMBINED"), "COMBINED");
  }
}

// Prints the agreement table of docs/mot.md (hidden: run it by its tag).
TEST_CASE("MOT17 agreement table", "[.][mot-table]") {
  const std::string mot17 = tk_test_data_dir() + "/mot/MOT17";
  const std::string csv = mot17 + "/trackeval_reference/pedestrian_detailed.csv";
  if (tk_test_data_dir().empty() || !file_exists(csv)) TK_SKIP("TRACKKIT_DATA not found");
  const std::map<std::string, CsvRow> reference = read_detailed_csv(csv);
  const GoldenRun run =
      run_golden(mot17, mot17 + "/trackeval_reference/tracker_data", frcnn_sequences(reference), reference);
  std::vector<std::string> names = run.names;
  std::vector<mot::SequenceResult> ours = run.ours;
  names.push_back("COMBINED");
  ours.push_back(mot::combine(run.for_combined));
  double max_diff = 0, all_fields_diff = 0;
  std::printf("| sequence | HOTA | DetA | AssA | MOTA | MOTP | IDF1 | IDSW | max abs diff |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (size_t i = 0; i < names.size(); ++i) {
    const CsvRow& row = reference.at(names[i]);
    const mot::SequenceResult& r = ours[i];
    const int copies = names[i] == "COMBINED" ? 3 : 1;
    const std::pair<double, const char*> values[] = {{r.hota.hota, "HOTA___AUC"},  {r.hota.det_a, "DetA___AUC"},
                                                     {r.hota.ass_a, "AssA___AUC"}, {r.clear.mota, "MOTA"},
                                                     {r.clear.motp, "MOTP"},       {r.identity.idf1, "IDF1"}};
    double row_diff = 0;
    all_fields_diff = std::max(all_fields_diff, check_against_trackeval(r, row, names[i], copies));
    std::printf("| %s |", names[i].c_str());
    for (const auto& [value, name] : values) {
      const double theirs = field(row, name);
      row_diff = std::max(row_diff, std::abs(value - theirs));
      std::printf(" %.3f / %.3f |", 100 * value, 100 * theirs);
    }
    std::printf(" %lld / %lld | %.1e |\n", static_cast<long long>(r.clear.idsw * copies),
                std::llround(field(row, "IDSW")), row_diff);
    max_diff = std::max(max_diff, row_diff);
  }
  std::printf("\nmax abs difference (fractions), columns above: %.2e; all %d ratio fields (incl. per alpha): %.2e\n",
              max_diff, 12 + 11 + 3 + 8 * mot::kNumAlphas, all_fields_diff);
  std::printf("evaluate_sequence, %zu sequences: %.1f ms (reading their files: %.1f ms)\n", run.ours.size(),
              run.seconds * 1000, run.read_seconds * 1000);
  // The ByteTrack reference runs (every TrackEval field, sequences and COMBINED).
  const std::string bytetrack = mot17 + "/bytetrack_reference";
  for (const bool val_half : {false, true}) {
    const std::string run_name = val_half ? "yolox_val_half" : "frcnn_full";
    const std::string bt_csv = bytetrack + "/trackeval/" + run_name + "__5shared/pedestrian_detailed.csv";
    if (!file_exists(bt_csv)) continue;
    const std::map<std::string, CsvRow> bt_ref = read_detailed_csv(bt_csv);
    const GoldenRun bt = run_golden(mot17, bytetrack + "/" + run_name, frcnn_sequences(bt_ref), bt_ref, val_half);
    double diff = 0;
    for (size_t i = 0; i < bt.ours.size(); ++i)
      diff = std::max(diff, check_against_trackeval(bt.ours[i], bt_ref.at(bt.names[i]), bt.names[i]));
    const mot::SequenceResult c = mot::combine(bt.for_combined);
    diff = std::max(diff, check_against_trackeval(c, bt_ref.at("COMBINED"), "COMBINED"));
    std::printf(
        "bytetrack_reference/%s: %zu sequences + COMBINED, HOTA %.3f MOTA %.3f IDF1 %.3f IDSW %lld, "
        "max abs difference over all ratio fields %.2e\n",
        run_name.c_str(), bt.ours.size(), 100 * c.hota.hota, 100 * c.clear.mota, 100 * c.identity.idf1,
        static_cast<long long>(c.clear.idsw), diff);
  }
  for (const std::string& m : run.missing)
    std::printf("%s: no gt/gt.txt, TrackEval's counts used in COMBINED\n", m.c_str());
}

TEST_CASE("combine reproduces TrackEval's COMBINED row from its per-sequence rows", "[mot][data]") {
  const std::string data = tk_test_data_dir();
  const std::string csv = data + "/mot/MOT17/trackeval_reference/pedestrian_detailed.csv";
  if (data.empty() || !file_exists(csv)) TK_SKIP("TRACKKIT_DATA (mot/MOT17/trackeval_reference) not found");
  const std::map<std::string, CsvRow> reference = read_detailed_csv(csv);
  std::vector<mot::SequenceResult> rows;
  for (const auto& [name, row] : reference)
    if (name != "COMBINED") rows.push_back(result_from_csv(row));
  REQUIRE(rows.size() == 21);
  check_against_trackeval(mot::combine(rows), reference.at("COMBINED"), "COMBINED of 21 rows");
}
