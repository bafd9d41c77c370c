"""Tracker, TrackerBank, events, configs and ultralytics YAML from Python (the C++ parity runs are in
test_mot17_parity.py)."""
import ctypes
import dataclasses
from pathlib import Path

import numpy as np
import pytest
from conftest import BUILD, mot17_sequence

import trackkit
from trackkit import _lib
from trackkit._structs import tk_tracker_config


def mot_frames(data, number, frames=None):
    """Per-frame float64 [N,6] x1,y1,x2,y2,score,class(0) of a MOT17 sequence's det.txt, in file order."""
    rows = trackkit.mot.read(mot17_sequence(data, number) / "det" / "det.txt")
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    count = int(rows[:, 0].max()) + 1 if frames is None else frames
    edges = np.searchsorted(rows[:, 0], np.arange(count + 1))
    out = []
    for f in range(count):
        r = rows[edges[f]:edges[f + 1]]
        out.append(np.column_stack([r[:, 2], r[:, 3], r[:, 2] + r[:, 4], r[:, 3] + r[:, 5], r[:, 6],
                                    np.zeros(len(r))]))
    return out


def test_config_fields_are_the_structs_and_presets_round_trip():
    names = [f.name for f in dataclasses.fields(trackkit.TrackerConfig)]
    assert names == [n for n, _ in tk_tracker_config._fields_ if n not in ("struct_size", "reserved")]
    assert trackkit.preset_names()[:2] == ["bytetrack", "bytetrack_mot17"]
    for name in trackkit.preset_names():
        config = trackkit.TrackerConfig.preset(name, frame_rate=25)
        struct = _lib.init_struct(tk_tracker_config, _lib.lib.tk_tracker_config_init)
        _lib.check(_lib.lib.tk_tracker_config_preset(name.encode(), 25.0, ctypes.byref(struct)))
        assert bytes(config.to_struct()) == bytes(struct), name  # every byte as the library's preset


def synthetic_frames(count=12, seed=4):
    """Boxes moving right, one of them leaving after half the frames; [N,6] with classes."""
    rng = np.random.default_rng(seed)
    start = rng.uniform(0, 500, (5, 2))
    frames = []
    for f in range(count):
        xy = start + f * np.array([4.0, 1.0])
        boxes = np.column_stack([xy, xy + [40, 90], np.full(5, 0.9), np.arange(5) % 2])
        frames.append(boxes if f < count // 2 else boxes[:4])
    return frames


def run(tracker, frames, convert=lambda d: d):
    return [np.asarray(tracker.update(convert(d))).copy() for d in frames]


def test_strided_views_and_torch_tensors_give_the_same_tracks():
    frames = synthetic_frames()
    reference = run(trackkit.Tracker("bytetrack"), frames)
    assert reference[-1].shape == (4, 8)
    transposed = run(trackkit.Tracker("bytetrack"), frames, lambda d: np.ascontiguousarray(d.T).T)
    five_columns = run(trackkit.Tracker("bytetrack"), frames, lambda d: d[:, :5])
    for r, t, f in zip(reference, transposed, five_columns):
        np.testing.assert_array_equal(r, t)
        np.testing.assert_array_equal(r[:, [0, 1, 2, 3, 4, 5, 7]], f[:, [0, 1, 2, 3, 4, 5, 7]])
    torch = pytest.importorskip("torch")
    tracker = trackkit.Tracker("bytetrack")
    for r, d in zip(reference, frames):
        out = tracker.update(torch.from_numpy(d).float())
        assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
        np.testing.assert_allclose(out.numpy(), r, atol=1e-4)


def test_events_name_started_and_ended_tracks():
    tracker = trackkit.Tracker("bytetrack")
    a, b = np.array([[10, 10, 50, 90, 0.9, 0]]), np.array([[200, 10, 240, 90, 0.9, 0]])
    frames = [a, np.vstack([a, b]), np.vstack([a, b])] + [a] * 40
    seen, last_output, ended_at = set(), {}, {}
    for index, dets in enumerate(frames):
        ids = set(tracker.update(dets)[:, 4].astype(int).tolist())
        started, ended = tracker.events
        assert started.dtype == np.int64 and ended.dtype == np.int64
        assert set(started.tolist()) == ids - seen  # output for the first time in this frame
        for track in ended.tolist():
            assert track in seen and track not in ids and track not in ended_at
            ended_at[track] = index
        seen |= ids
        last_output.update({i: index for i in ids})
    buffer = tracker.config.track_buffer
    assert list(ended_at) == [2] and last_output[2] < ended_at[2] <= last_output[2] + buffer + 1
    tracker.reset()
    assert tracker.update(b)[:, 4].tolist() == [1.0]  # ids restart at 1


def test_identity_warp_and_update_ex_agree_with_update():
    frames = synthetic_frames()
    reference = run(trackkit.Tracker("botsort"), frames)
    warped = trackkit.Tracker("botsort")
    general = trackkit.Tracker("botsort")
    identity = np.array([[1, 0, 0], [0, 1, 0.0]])
    for r, d in zip(reference, frames):
        np.testing.assert_array_equal(warped.update(d, warp=identity), r)
        ex = general.update_ex(d, warp=identity)
        assert ex.shape[1] == 9 and set(ex[:, 8].tolist()) <= {1.0}
        np.testing.assert_array_equal(ex[:, :8], r)
    with pytest.raises(trackkit.InvalidArgumentError, match="warp"):
        warped.update(frames[0], warp=np.eye(4))
    features = trackkit.Tracker("botsort")
    for d in frames:  # appearance features take the update_ex path; BoxMOT's [M,8] comes back
        assert features.update(d, embs=np.ones((len(d), 8), np.float32)).shape[1] == 8


def test_tracker_bank_equals_one_tracker_per_stream(data):
    streams = [mot_frames(data, number, 60) for number in ("02", "09")]
    bank = trackkit.TrackerBank("bytetrack_mot17", streams=2)
    trackers = [trackkit.Tracker("bytetrack_mot17") for _ in streams]
    for frame in range(60):
        parts = [np.column_stack([np.full(len(s[frame]), i), s[frame]]) for i, s in enumerate(streams)]
        rows = bank.update(np.concatenate(parts))
        offset = 0
        for i, tracker in enumerate(trackers):
            alone = tracker.update(streams[i][frame])
            mine = rows[rows[:, 0] == i][:, 1:]
            mine[:, 7] -= offset  # the bank's det_index is the row of the combined input
            order = lambda t: t[np.argsort(t[:, 4], kind="stable")]  # noqa: E731
            np.testing.assert_array_equal(order(mine), order(alone))
            offset += len(parts[i])
    bank.reset(1)
    with pytest.raises(trackkit.InvalidArgumentError, match="stream"):
        bank.reset(2)


def ultralytics_tracker_yaml(name: str) -> Path:
    """ultralytics' own cfg/trackers file from the export venv (scripts/detector-models.sh makes it)."""
    found = sorted(BUILD.glob(f"exportvenv/lib/python3*/site-packages/ultralytics/cfg/trackers/{name}"))
    if not found:
        pytest.skip(f"ultralytics' {name} is not installed in {BUILD / 'exportvenv'}")
    return found[0]


def test_ultralytics_yaml_settings_and_gmc(tmp_path, monkeypatch):
    botsort, bytetrack = ultralytics_tracker_yaml("botsort.yaml"), ultralytics_tracker_yaml("bytetrack.yaml")
    assert trackkit.TrackerConfig.from_yaml(botsort, 25) == trackkit.TrackerConfig.preset("ultralytics_botsort", 25)
    assert trackkit.TrackerConfig.from_yaml(bytetrack) == trackkit.TrackerConfig.preset("ultralytics_bytetrack")
    assert trackkit.Tracker(botsort).gmc.config == trackkit.GmcConfig.preset("reference_sparse_optical_flow")
    assert trackkit.Tracker(bytetrack).gmc is None
    # ultralytics' names without such a file here are its defaults, as model.track(tracker="botsort.yaml").
    monkeypatch.chdir(tmp_path)
    builtin = trackkit.Tracker("botsort.yaml", frame_rate=25)
    assert builtin.config == trackkit.TrackerConfig.from_yaml(botsort, 25) and builtin.gmc is not None
    # A changed file: its values, with ultralytics' meaning (appearance_thresh is a similarity).
    text = botsort.read_text().replace("track_high_thresh: 0.25", "track_high_thresh: 0.4")
    text = text.replace("appearance_thresh: 0.8", "appearance_thresh: 0.7").replace("sparseOptFlow", "orb")
    changed = tmp_path / "mine.yaml"
    changed.write_text(text)
    tracker = trackkit.Tracker(str(changed))
    assert tracker.config.track_thresh == 0.4 and tracker.config.appearance_thresh == pytest.approx(0.3)
    assert tracker.gmc.config.method == "orb"
    (tmp_path / "bad.yaml").write_text("tracker_type: botsort\ntrack_high_thresh: 2\n")
    with pytest.raises(trackkit.InvalidArgumentError, match="track_high_thresh"):
        trackkit.Tracker(str(tmp_path / "bad.yaml"))
    with pytest.raises(trackkit.NotFoundError, match="absent.yaml"):
        trackkit.Tracker(str(tmp_path / "absent.yaml"))
