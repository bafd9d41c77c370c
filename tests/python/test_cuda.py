"""CUDA from Python: torch CUDA tensors in and out without copies, results equal to the CPU's, and the caller's torch
stream honoured (per call and per handle). Skipped without a GPU visible to both trackkit and torch."""
import numpy as np
import pytest
from conftest import BUILD, read_image, require_file

import trackkit

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(trackkit.cuda_device_count() == 0 or not torch.cuda.is_available(),
                                reason="no CUDA GPU visible to trackkit and torch")

SLEEP_CYCLES = 200_000_000  # ~0.1 s of GPU time: long enough that work on another stream would run first


def late_on(stream, values):
    """A CUDA tensor whose values are written on `stream` only after the stream has slept (a device-to-device copy,
    which does not block the host): a consumer on any other stream would read zeros."""
    source = values.cuda()
    out = torch.zeros_like(source)
    torch.cuda.synchronize()  # source and the zeros are in place before `stream` starts
    with torch.cuda.stream(stream):
        torch.cuda._sleep(SLEEP_CYCLES)
        out.copy_(source)
    source.record_stream(stream)
    out.record_stream(stream)
    return out


def boxes(n, seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n, 2))
    return np.concatenate([xy, xy + rng.uniform(5, 50, (n, 2))], 1)


def test_cuda_tensors_in_and_out():
    a, b = boxes(9, 1), boxes(4, 2)
    expected = trackkit.box_iou(a, b)
    ta, tb = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
    result = trackkit.box_iou(ta, tb)
    assert isinstance(result, torch.Tensor) and result.is_cuda and result.dtype == torch.float64
    np.testing.assert_allclose(result.cpu().numpy(), expected, rtol=1e-12)
    detections, counts = trackkit.batched_nms(ta[None].float(), torch.rand(1, 9, 3, device="cuda"), conf=0.0)
    assert detections.is_cuda and counts.is_cuda and detections.shape == (1, 300, 6)
    trackkit.release_cached_memory()


def test_the_current_torch_stream_is_honoured():
    a, b = boxes(64, 3), boxes(32, 4)
    expected = trackkit.box_iou(a, b)
    side = torch.cuda.Stream()  # non-blocking: the default stream does not wait for it
    tb = torch.from_numpy(b).cuda()
    torch.cuda.synchronize()  # tb is ready everywhere; ta is written on `side` after its sleep
    ta = late_on(side, torch.from_numpy(a))
    with torch.cuda.stream(side):
        result = trackkit.box_iou(ta, tb)  # runs on `side`, after the write
    side.synchronize()
    np.testing.assert_allclose(result.cpu().numpy(), expected, rtol=1e-12)
    # An explicit stream= outside any context.
    ta = late_on(side, torch.from_numpy(a))
    result = trackkit.box_iou(ta, tb, stream=side)
    side.synchronize()
    np.testing.assert_allclose(result.cpu().numpy(), expected, rtol=1e-12)


def test_handles_follow_the_torch_stream():
    frames = np.random.default_rng(7).integers(0, 255, (2, 64, 128, 3), dtype=np.uint8)
    e2p = trackkit.EquirectToPinhole(trackkit.cube_views(24))
    expected = e2p.project(frames)
    cuda_e2p = trackkit.EquirectToPinhole(trackkit.cube_views(24))
    side = torch.cuda.Stream()
    late = late_on(side, torch.from_numpy(frames))
    with torch.cuda.stream(side):
        views = cuda_e2p.project(late)
    side.synchronize()
    assert views.is_cuda
    assert np.abs(views.cpu().numpy().astype(int) - expected.astype(int)).max() <= 1  # CPU and CUDA rounding
    out = torch.empty_like(views)
    late = late_on(side, torch.from_numpy(frames))
    cuda_e2p.project_into(late, out, stream=side)
    side.synchronize()
    assert torch.equal(out, views)


def test_detector_and_gmc_on_cuda_agree_with_the_cpu(data, tmp_path):
    model = require_file(BUILD / "detector-models" / "yolov5n.torchscript", "scripts/detector-models.sh")
    torch.backends.cudnn.allow_tf32 = False  # exact FP32 convolutions (a process-wide setting LibTorch shares)
    torch.backends.cuda.matmul.allow_tf32 = False
    frame = read_image(tmp_path, require_file(data / "images" / "bus.jpg", "shared data"))
    cpu = trackkit.Detector(model, device="cpu").detect(frame)[0]
    gpu = trackkit.Detector(model, device="cuda")
    side = torch.cuda.Stream()
    late = late_on(side, torch.from_numpy(frame)[None])
    with torch.cuda.stream(side):
        found = gpu.detect(late)[0]
    assert found.is_cuda and len(found) == len(cpu)
    np.testing.assert_allclose(found.cpu().numpy()[:, :4], cpu[:, :4], atol=0.75)  # the C++ test's GPU bound
    np.testing.assert_allclose(found.cpu().numpy()[:, 4], cpu[:, 4], atol=3e-3)
    from_numpy = gpu.detect(frame)[0]  # numpy in, CUDA result: torch out
    assert isinstance(from_numpy, torch.Tensor) and from_numpy.is_cuda
    gmc_cpu, gmc_gpu = trackkit.GMC(), trackkit.GMC()
    shifted = np.roll(frame, 3, axis=1)
    for image in (frame, shifted):
        warp_cpu, _ = gmc_cpu.apply(image)
        warp_gpu, quality = gmc_gpu.apply(torch.from_numpy(image).cuda())
        assert warp_gpu.is_cuda  # sparse flow has no GPU kernels: the CPU's result, on the GPU
        np.testing.assert_array_equal(warp_gpu.cpu().numpy(), warp_cpu)
