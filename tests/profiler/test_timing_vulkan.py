"""Profiling on the Vulkan backend (lavapipe in CI): the profile says where each layer ran, and the
per-run parts (GPU layers, CPU fallbacks, transfers, waits...) add up to the measured wall time."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine import Net
from profiler.reports import build_bundle
from profiler.reports.trace import GPU_TID, TRANSFER_TID, events
from profiler.timing import profile_model

pytestmark = pytest.mark.vulkan
DEMO = Path(__file__).resolve().parents[2] / "resources" / "models" / "squeezenet_v1.1.param"


@pytest.fixture(scope="module")
def vulkan_profile():
    vulkan = pytest.importorskip("engine.vulkan")
    if not vulkan.list_devices():
        pytest.skip(f"no Vulkan device ({vulkan.last_error()})")
    net = Net()
    net.opt.use_vulkan_compute = True
    net.load_param(DEMO)
    net.load_model(DEMO.with_suffix(".bin"))
    x = np.random.default_rng(0).uniform(-100, 100, (3, 67, 65)).astype(np.float32)
    result = profile_model(net, {"data": x}, repeats=3, warmup=1, capture_blobs=True, model_name="squeezenet")
    return net, result


def test_profile_says_vulkan_and_where_each_layer_ran(vulkan_profile):
    net, result = vulkan_profile
    p = result.profile
    assert p.backend == "vulkan" and p.environment["backend"] == "vulkan" and p.environment["device"]
    backends = {r.type: r.backend for r in p.layers}
    assert backends["Convolution"] == "vulkan" and backends["Pooling"] == "vulkan"
    assert {"upload", "download", "wait"} <= set(p.overheads)


def test_parts_add_up_to_the_wall_time_of_every_run(vulkan_profile):
    _, result = vulkan_profile
    p = result.profile
    for run, wall in enumerate(p.wall.samples_ms):
        layers = sum(r.timing.samples_ms[run] for r in p.layers)
        overheads = sum(s.samples_ms[run] for s in p.overheads.values())
        assert abs(layers + overheads - wall) <= 0.05 * wall, (run, layers, overheads, wall)


def test_trace_puts_gpu_layers_and_transfers_on_their_own_tracks(vulkan_profile):
    net, result = vulkan_profile
    bundle = build_bundle(net, result.profile, result.blobs, "squeezenet")
    evs = [e for e in events(bundle) if e["ph"] == "X"]
    gpu = [e for e in evs if e["tid"] == GPU_TID]
    transfers = [e for e in evs if e["tid"] == TRANSFER_TID]
    assert len(gpu) >= 3 * 20 and {e["name"] for e in transfers} == {"upload", "download"}
    for track in (gpu, transfers):
        track.sort(key=lambda e: e["ts"])
        assert all(a["ts"] + a["dur"] <= b["ts"] + 1e-3 for a, b in zip(track, track[1:]))


def test_captured_blobs_match_the_cpu_engine(vulkan_profile):
    net, result = vulkan_profile
    cpu = Net()
    cpu.load_param(DEMO)
    cpu.load_model(DEMO.with_suffix(".bin"))
    ex = cpu.create_extractor()
    ex.input("data", result.blobs["data"])
    ref = ex.extract("prob")
    np.testing.assert_allclose(result.blobs["prob"], ref, rtol=1e-4, atol=1e-6)
