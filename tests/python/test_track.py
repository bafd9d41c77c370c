"""trackkit.track(), Pipeline and FrameReader from Python: the same tracks as the C example track_folder (the
pipeline through the C ABI) on real MOT17 frames with the yolov5n export. The CPU runs ~1 s a frame: 3 frames."""
import numpy as np
import pytest
from conftest import BUILD, image_folder, mot17_sequence, require_file, run_example

import trackkit

FRAMES = 3


@pytest.fixture(scope="module")
def model():
    return str(require_file(BUILD / "detector-models" / "yolov5n.torchscript", "scripts/detector-models.sh"))


@pytest.fixture(scope="module")
def folder(data, tmp_path_factory):
    images = sorted((mot17_sequence(data, "05") / "img1").glob("*.jpg"))[:FRAMES]
    if len(images) < FRAMES:
        pytest.skip("MOT17-05 has fewer than 3 frames here")
    return image_folder(tmp_path_factory.mktemp("mot17_05"), images)


def mot_lines(results):
    """track_folder's printout: frame+1,id,x,y,w,h,score,-1,-1,-1 (BoxMOT columns in)."""
    lines = []
    for result in results:
        for x1, y1, x2, y2, track, score, _, _ in result.tracks.tolist():
            lines.append(f"{result.frame + 1},{int(track)},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},{score:.3f},"
                         "-1,-1,-1")
    return lines


def test_track_equals_the_c_pipeline_example(model, folder):
    expected = run_example("track_folder", folder, model, "cpu").splitlines()
    # track_folder keeps the pipeline's defaults: ultralytics_botsort, GMC's defaults, confidence 0.1.
    results = list(trackkit.track(folder, model, tracker="ultralytics_botsort", device="cpu", conf=0.1))
    assert [r.frame for r in results] == list(range(FRAMES))
    assert len(expected) > 5 and mot_lines(results) == expected
    assert all(r.tracks.shape[1] == 8 and r.names[0] == "person" for r in results)
    assert results[0].gmc_status == 1 and {r.gmc_status for r in results[1:]} <= {0, -1}  # first frame, then ok


def test_track_with_ultralytics_botsort_yaml_and_the_pipeline(model, folder):
    results = list(trackkit.track(folder, model, device="cpu", batch=2))  # tracker="botsort.yaml"
    assert len(results) == FRAMES and all(len(r.tracks) > 0 for r in results[1:])
    ids = [set(r.tracks[:, 4].astype(int).tolist()) for r in results]
    assert ids[1] & ids[2]  # tracks continue across frames
    with trackkit.FrameReader(folder) as reader, trackkit.Pipeline(model, detector={"device": "cpu"},
                                                                  tracker="botsort.yaml") as pipeline:
        assert reader.info.frames == FRAMES and (reader.info.height, reader.info.width) == (480, 640)
        frames = reader.read(FRAMES)
        finished = pipeline.push(frames[:2]) + pipeline.push(frames[2:]) + pipeline.finish()
        assert len(finished) == FRAMES  # on the CPU a push finishes its own frames
        for rows, result in zip(finished, results):
            np.testing.assert_array_equal(rows[:, [2, 3, 4, 5, 1, 6, 7, 8]], result.tracks)
            assert (rows[:, 0] == result.frame).all()
        times = pipeline.times()
        assert times["frames"] == FRAMES and times["total"] > 0 and times["detect"] > 0
        assert pipeline.names == results[0].names
        pipeline.reset()
        assert pipeline.push(frames[:1])[0][:, 1].min() == 1  # ids restart


def test_frame_reader_reads_npy_frames(tmp_path):
    frames = np.random.default_rng(6).integers(0, 255, (5, 24, 32, 3), dtype=np.uint8)
    np.save(tmp_path / "frames.npy", frames)
    with trackkit.FrameReader(tmp_path / "frames.npy", max_frames=4, batch=3) as reader:
        assert reader.info[:3] == (4, 24, 32)
        batches = list(reader)
    assert [len(b) for b in batches] == [3, 1]
    np.testing.assert_array_equal(np.concatenate(batches), frames[:4])
    with pytest.raises(trackkit.NotFoundError, match="absent"):
        trackkit.FrameReader(tmp_path / "absent.mp4")
