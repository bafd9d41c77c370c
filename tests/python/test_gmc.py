"""GMC from Python on real moving-camera MOT17 frames: agreement with BoT-SORT's published GMC files (the C++ test's
bound), apply / apply_batch / estimate agreeing, torch in and out, and the tracker's GMC from images."""
import ctypes
import dataclasses

import numpy as np
import pytest
from conftest import mot17_sequence

import trackkit
from trackkit import _lib
from trackkit._structs import tk_gmc_config


def frames_and_people(data, number):
    """The sequence's frames (trackkit.FrameReader) and its ground-truth people as float32 [N,5] (frame, x1..y2)."""
    sequence = mot17_sequence(data, number)
    with trackkit.FrameReader(sequence) as reader:
        frames = np.concatenate(list(reader))
    gt = trackkit.mot.read(sequence / "gt" / "gt.txt")
    gt = gt[(gt[:, 0] < len(frames)) & (gt[:, 6] > 0) & (gt[:, 7] == 1)]
    people = np.column_stack([gt[:, 0], gt[:, 2], gt[:, 3], gt[:, 2] + gt[:, 4], gt[:, 3] + gt[:, 5]])
    table = np.loadtxt(sequence / "gmc" / f"GMC-MOT17-{number}.txt", ndmin=2)
    return frames, people.astype(np.float32), table[:, 1:].reshape(-1, 2, 3)


def corner_error(warp, truth, width, height):
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1.0]])
    return np.mean(np.hypot(*((corners @ np.asarray(warp).T) - (corners @ truth.T)).T))


def test_gmc_config_presets_are_the_librarys():
    assert [f.name for f in dataclasses.fields(trackkit.GmcConfig)] == \
        [n for n, _ in tk_gmc_config._fields_ if n != "struct_size"]
    for name in ("original_pipeline", "reference_none", "reference_ecc", "reference_sparse_optical_flow"):
        struct = _lib.init_struct(tk_gmc_config, _lib.lib.tk_gmc_config_init)
        _lib.check(_lib.lib.tk_gmc_config_preset(name.encode(), ctypes.byref(struct)))
        assert bytes(trackkit.GmcConfig.preset(name).to_struct()) == bytes(struct), name
    with pytest.raises(trackkit.InvalidArgumentError, match="reference_orb"):
        trackkit.GmcConfig.preset("nonsense")


@pytest.mark.parametrize("number", ["05", "10"])
def test_warps_agree_with_botsorts_gmc_files(data, number):
    frames, people, truth = frames_and_people(data, number)
    height, width = frames.shape[1:3]
    gmc = trackkit.GMC("reference_sparse_optical_flow")
    error = motion = 0.0
    for index, frame in enumerate(frames):
        warp, quality = gmc.apply(frame, people[people[:, 0] == index, 1:])
        assert warp.shape == (2, 3) and warp.dtype == np.float64
        if index == 0:
            assert quality["status_name"] == "first_frame"
            np.testing.assert_array_equal(warp, np.eye(2, 3))
            continue
        assert quality["status"] == 0 and quality["inliers"] <= quality["points"]
        error += corner_error(warp, truth[index], width, height)
        motion += corner_error(np.eye(2, 3), truth[index], width, height)
    print(f"MOT17-{number}: mean corner distance to BoT-SORT's GMC {error / (len(frames) - 1):.3f} px "
          f"(camera moves {motion / (len(frames) - 1):.2f} px)")
    assert motion > 0 and error < 0.3 * motion  # the C++ test's bound for the feature methods


def test_apply_batch_and_estimate_give_apply_s_warps(data):
    frames, people, _ = frames_and_people(data, "05")
    single = trackkit.GMC()
    one_by_one = [single.apply(f, people[people[:, 0] == i, 1:])[0] for i, f in enumerate(frames)]
    warps, quality = trackkit.GMC().apply_batch(frames, people)
    assert warps.shape == (len(frames), 2, 3) and quality.shape == (len(frames), 4)
    np.testing.assert_allclose(warps, np.stack(one_by_one), atol=1e-9)
    assert quality[0, 0] == 1 and (quality[1:, 0] == 0).all()  # first_frame, then ok
    stateless, _ = trackkit.GMC().estimate(frames, dets=people)
    np.testing.assert_allclose(stateless, np.stack(one_by_one[1:]), atol=1e-9)
    single.reset()
    assert single.apply(frames[0])[1]["status_name"] == "first_frame"
    with pytest.raises(trackkit.InvalidArgumentError, match="frame"):
        single.apply(frames[0].astype(np.float32))


def test_torch_frames_give_torch_warps(data):
    torch = pytest.importorskip("torch")
    frames, _, _ = frames_and_people(data, "05")
    gmc_numpy, gmc_torch = trackkit.GMC(), trackkit.GMC()
    for frame in frames[:3]:
        expected, _ = gmc_numpy.apply(frame)
        warp, _ = gmc_torch.apply(torch.from_numpy(frame))
        assert isinstance(warp, torch.Tensor)
        np.testing.assert_array_equal(warp.numpy(), expected)


def test_tracker_estimates_camera_motion_from_images(data):
    frames, people, _ = frames_and_people(data, "10")
    rng = np.random.default_rng(5)
    per_frame = [np.column_stack([people[people[:, 0] == i, 1:], rng.uniform(0.5, 1, (people[:, 0] == i).sum()),
                                  np.zeros((people[:, 0] == i).sum())]) for i in range(len(frames))]
    with_images = trackkit.Tracker("botsort", gmc="reference_sparse_optical_flow")
    by_hand, gmc = trackkit.Tracker("botsort"), trackkit.GMC("reference_sparse_optical_flow")
    for frame, dets in zip(frames, per_frame):
        ours = with_images.update(dets, img=frame)
        assert with_images.gmc_quality["status_name"] in ("first_frame", "ok")
        warp, _ = gmc.apply(frame, dets)
        np.testing.assert_array_equal(ours, by_hand.update(dets, warp=warp))
