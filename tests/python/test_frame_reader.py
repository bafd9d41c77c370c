"""trackkit.FrameReader's options through tk_frame_reader_open_with (ABI 1.1): RGB frames, decode modes, errors."""
import numpy as np
import pytest

import trackkit


def _write_npy(path, frames):
    np.save(path, frames)
    return path


def test_rgb_frames_are_the_bgr_frames_with_channels_reversed(tmp_path):
    frames = np.random.default_rng(3).integers(0, 256, size=(5, 6, 7, 3), dtype=np.uint8)
    path = _write_npy(tmp_path / "frames.npy", frames)
    with trackkit.FrameReader(path, batch=2) as reader:
        bgr = np.concatenate(list(reader))
    with trackkit.FrameReader(path, batch=5, rgb=True, decode="cpu", threads=1, prefetch=2) as reader:
        rgb = reader.read(5)
    np.testing.assert_array_equal(bgr, frames)
    np.testing.assert_array_equal(rgb, frames[..., ::-1])


def test_max_frames_and_bad_options_are_named(tmp_path):
    path = _write_npy(tmp_path / "frames.npy", np.zeros((4, 2, 2, 3), np.uint8))
    with trackkit.FrameReader(path, max_frames=3) as reader:
        assert reader.read(10).shape[0] == 3
    with pytest.raises(ValueError, match="decode must be one of auto, gpu, cpu"):
        trackkit.FrameReader(path, decode="nvdec")
    with pytest.raises(trackkit.InvalidArgumentError, match="max_frames"):
        trackkit.FrameReader(path, max_frames=-7)
