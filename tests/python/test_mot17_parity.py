"""Python equals C++ on the MOT17 sequences: the Python Tracker on the detections the C++ example track_mot reads
writes the same results file, row for row, and trackkit.mot's evaluator prints the same figures as track_mot and
mot_eval (and as TrackEval's own reference)."""
import csv

import numpy as np
import pytest
from conftest import MOT17, mot17_sequence, mot17_sequences, run_example

import trackkit

MIN_AREA, MAX_ASPECT = 100.0, 1.6  # track_mot's defaults: smaller or wider boxes are not written


def per_frame_detections(sequence, length):
    """track_mot's input: each frame's x1,y1,x2,y2,score float64 [N,5] of det/det.txt, in file order."""
    rows = trackkit.mot.read(sequence / "det" / "det.txt")
    rows = rows[(rows[:, 0] >= 0) & (rows[:, 0] < length)]
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    edges = np.searchsorted(rows[:, 0], np.arange(length + 1))
    boxes = np.column_stack([rows[:, 2], rows[:, 3], rows[:, 2] + rows[:, 4], rows[:, 3] + rows[:, 5], rows[:, 6]])
    return [boxes[edges[f]:edges[f + 1]] for f in range(length)]


def gmc_warps(sequence, name):
    """The sequence's BoT-SORT GMC file as {frame: [2,3] warp} (track_mot --gmc-files)."""
    stem = name[:name.rfind("-")]
    table = np.loadtxt(sequence / "gmc" / f"GMC-{stem}.txt", ndmin=2)
    return {int(row[0]): row[1:].reshape(2, 3) for row in table}


def python_track_mot(sequence, preset, out_dir, with_gmc=False):
    """What track_mot does for one sequence, from Python; returns (results file, frames)."""
    info = trackkit.mot.read_seqinfo(sequence / "seqinfo.ini")
    warps = gmc_warps(sequence, info["name"]) if with_gmc else {}
    tracker = trackkit.Tracker(trackkit.TrackerConfig.preset(preset, info["frame_rate"]))
    results = []
    for frame, dets in enumerate(per_frame_detections(sequence, info["length"])):
        warp = warps.get(frame)
        tracks = tracker.update(dets) if warp is None else tracker.update(dets, warp=warp)
        x, y, w, h = tracks[:, 0], tracks[:, 1], tracks[:, 2] - tracks[:, 0], tracks[:, 3] - tracks[:, 1]
        keep = (w * h > MIN_AREA) & ~(w / h > MAX_ASPECT)
        results.append(np.column_stack([np.full(len(tracks), frame), tracks[:, 4], x, y, w, h, tracks[:, 5]])[keep])
    written = out_dir / f"{info['name']}.txt"
    trackkit.mot.write_results(written, np.concatenate(results), decimals=1)  # track_mot writes one decimal
    return written, info["length"]


def printed(metrics):
    """track_mot's / mot_eval's printout of metrics: HOTA DetA AssA MOTA IDF1 (x100, 3 decimals) IDSW."""
    ratios = [f"{100 * metrics[k]:.3f}" for k in ("hota", "det_a", "ass_a", "mota", "idf1")]
    return ratios + [str(metrics["idsw"])]


def track_mot_lines(stdout):
    """{sequence or COMBINED: [frames, HOTA, DetA, AssA, MOTA, IDF1, IDSW, IDs]} of track_mot's table."""
    table = {}
    for line in stdout.splitlines():
        fields = line.split()
        if fields and (fields[0].startswith("MOT") or fields[0] == "COMBINED") and len(fields) == 10:
            table[fields[0]] = fields[1:9]
    return table


CASES = {  # name: (track_mot arguments, preset, sequences, GMC files)
    "bytetrack_mot17": ([], "bytetrack_mot17", None, False),  # every sequence the data holds
    "botsort_gmc_files": (["--tracker", "botsort", "--gmc-files"], "botsort", ("05", "10"), True),
}


@pytest.mark.parametrize("case", CASES)
def test_python_tracker_writes_track_mots_results_row_for_row(case, data, tmp_path):
    arguments, preset, numbers, with_gmc = CASES[case]
    sequences = mot17_sequences(data) if numbers is None else [mot17_sequence(data, n) for n in numbers]
    cpp_dir, py_dir = tmp_path / "cpp", tmp_path / "py"
    py_dir.mkdir()
    table = track_mot_lines(run_example("track_mot", "--data", data, "--out", cpp_dir, *arguments, *sequences))
    evaluator = trackkit.mot.Evaluator()
    for sequence in sequences:
        written, length = python_track_mot(sequence, preset, py_dir, with_gmc)
        expected = (cpp_dir / written.name).read_text()
        ours = written.read_text()
        assert ours.count("\n") == expected.count("\n") > 1000
        assert ours == expected, f"{written.name}: the results differ from track_mot's"
        metrics = evaluator.add(sequence / "gt" / "gt.txt", written, num_frames=length)
        name = written.stem
        assert table[name][0] == str(length)
        assert printed(metrics) + [str(metrics["tracker_ids"])] == table[name][1:], name
    assert len(evaluator) == len(sequences)
    assert printed(evaluator.combined()) == table["COMBINED"][1:7]


def test_python_evaluation_equals_mot_eval(data, tmp_path):
    sequences = [mot17_sequence(data, n) for n in ("02", "09")]
    for mot15 in (False, True):
        for sequence in sequences:
            written, length = python_track_mot(sequence, "bytetrack", tmp_path)
            gt = sequence / "gt" / "gt.txt"
            arguments = ["--gt", gt, "--num-frames", length, written] + (["--mot15"] if mot15 else [])
            line = run_example("mot_eval", *arguments).splitlines()[-1].split()
            assert line[0] == str(written)
            ours = trackkit.mot.evaluate(gt, trackkit.mot.read(written), num_frames=length,
                                         mot17_preprocessing=not mot15)
            assert printed(ours) == line[1:], f"{sequence.name} mot15={mot15}"


# trackkit.mot's figures and TrackEval's pedestrian_detailed.csv fields (ratios there in [0,1] too).
TRACKEVAL_RATIOS = {"hota": "HOTA___AUC", "det_a": "DetA___AUC", "ass_a": "AssA___AUC", "det_re": "DetRe___AUC",
                    "det_pr": "DetPr___AUC", "ass_re": "AssRe___AUC", "ass_pr": "AssPr___AUC", "loc_a": "LocA___AUC",
                    "mota": "MOTA", "motp": "MOTP", "moda": "MODA", "clr_recall": "CLR_Re", "clr_precision": "CLR_Pr",
                    "idf1": "IDF1", "idr": "IDR", "idp": "IDP"}
TRACKEVAL_COUNTS = {"tp": "CLR_TP", "fn": "CLR_FN", "fp": "CLR_FP", "idsw": "IDSW", "mt": "MT", "pt": "PT", "ml": "ML",
                    "frag": "Frag", "idtp": "IDTP", "idfn": "IDFN", "idfp": "IDFP", "gt_dets": "GT_Dets",
                    "tracker_dets": "Dets", "gt_ids": "GT_IDs", "tracker_ids": "IDs"}


def test_python_evaluation_reproduces_trackeval(data):
    reference = data / "mot" / "MOT17" / "trackeval_reference"
    if not (reference / "pedestrian_detailed.csv").exists():
        pytest.skip(f"{reference} is missing")
    rows = {row["seq"]: row for row in csv.DictReader(open(reference / "pedestrian_detailed.csv"))}
    evaluator = trackkit.mot.Evaluator()
    sequences = mot17_sequences(data)
    for sequence in sequences:
        length = trackkit.mot.read_seqinfo(sequence / "seqinfo.ini")["length"]
        ours = evaluator.add(sequence / "gt" / "gt.txt", reference / "tracker_data" / f"{sequence.name}.txt", length)
        expected = rows[sequence.name]
        for key, field in TRACKEVAL_RATIOS.items():  # the C++ test's tolerance: TrackEval's 3 printed decimals
            assert abs(ours[key] - float(expected[field])) <= 5e-4, f"{sequence.name} {key}"
        for key, field in TRACKEVAL_COUNTS.items():
            assert ours[key] == round(float(expected[field])), f"{sequence.name} {key}"
    if len(sequences) < len(MOT17):
        return  # TrackEval's COMBINED row is over all 7 sequences
    combined, expected = evaluator.combined(), rows["COMBINED"]  # the 3 identical detector variants: counts x3
    for key, field in TRACKEVAL_RATIOS.items():
        assert abs(combined[key] - float(expected[field])) <= 5e-4, f"COMBINED {key}"
    for key in ("tp", "fn", "fp", "idsw", "idtp", "gt_dets", "tracker_dets"):
        assert 3 * combined[key] == round(float(expected[TRACKEVAL_COUNTS[key]])), f"COMBINED {key}"
