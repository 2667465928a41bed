"""The Vulkan runner: results, which layer ran where, lightmode and hooks, timing that adds up."""
from __future__ import annotations

import time

import pytest

from engine import vulkan
from profiler.timing import profile_model
from tests.engine.vulkan.model_support import mixed_input, mixed_model
from tests.engine.vulkan.support import load
from tests.support.oracle import assert_blob_close

pytestmark = pytest.mark.vulkan


def _cpu_blobs(param, binf, x):
    net = load(param, binf, False, lightmode=False)
    ex = net.create_extractor()
    ex.input("data", x)
    return {b.name: ex.extract(b.name) for b in net.blobs if b.name != "data"}


def test_layers_run_where_they_can_and_results_match(tmp_path, vk_device):
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    ref = _cpu_blobs(param, binf, x)
    ex = load(param, binf, True).create_extractor()
    ex.input("data", x)
    assert_blob_close(ex.extract("prob"), ref["prob"], "prob")
    t = ex.vulkan_timing
    assert t.where() == {"conv1": "vulkan", "sin": "cpu-fallback", "conv2": "vulkan", "pool": "vulkan",
                         "softmax": "vulkan"}
    assert t.device == vk_device[0].name or t.device in [d.name for d in vk_device]
    # the input and the fallback's output went up, the fallback's input and prob came down
    assert t.upload_ms > 0 and t.download_ms > 0 and t.submits == 2


def test_every_blob_matches_with_lightmode_off_and_hooks_see_values(tmp_path, vk_device):
    param, binf = mixed_model(tmp_path)
    x = mixed_input(seed=1)
    ref = _cpu_blobs(param, binf, x)
    ex = load(param, binf, True, lightmode=False).create_extractor()
    events = []
    ex.add_hook(events.append)
    ex.input("data", x)
    ex.extract("prob")
    gpu_ms = {r.name: r.ms for r in ex.vulkan_timing.layers}
    assert [(e.name, e.backend) for e in events] == [
        ("conv1", "vulkan"), ("sin", "cpu-fallback"), ("conv2", "vulkan"), ("pool", "vulkan"), ("softmax", "vulkan")]
    for e in events:
        assert_blob_close(e.outputs[0], ref[e.top_names[0]], f"hook output of {e.name}")
    for name, value in ref.items():  # blobs kept on the device come back on request
        assert_blob_close(ex.extract(name), value, name)
    for e in events:
        assert e.elapsed_ns / 1e6 == pytest.approx(gpu_ms[e.name], abs=1e-6)


def test_a_second_extract_reuses_blobs_on_the_device(tmp_path, vk_device):
    param, binf = mixed_model(tmp_path)
    ex = load(param, binf, True, lightmode=False).create_extractor()
    ex.input("data", mixed_input())
    ex.extract("c2")
    ex.extract("prob")
    assert [r.name for r in ex.vulkan_timing.layers] == ["pool", "softmax"]


def _timed(net, x, hooks=()):
    ex = net.create_extractor()
    for h in hooks:
        ex.add_hook(h)
    t0 = time.perf_counter_ns()
    ex.input("data", x)
    ex.extract("prob")
    wall = (time.perf_counter_ns() - t0) / 1e6
    return ex.vulkan_timing, wall


def test_timing_parts_add_up_to_the_wall_time(tmp_path, vk_device):
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    net = load(param, binf, True)
    cold, cold_wall = _timed(net, x)  # first run: device, pipelines and weights included
    assert cold.setup_ms > 0 and cold.pipeline_ms > 0 and cold.weights_upload_ms > 0
    for t, wall in [(cold, cold_wall)] + [_timed(net, x, [lambda e: None]) for _ in range(3)]:
        parts = t.parts()
        assert all(v >= 0 for v in parts.values()), parts
        assert abs(t.accounted_ms - wall) <= 0.05 * wall, (wall, parts)
        assert parts["other host"] <= 0.05 * wall, parts  # the named parts explain the time
        assert parts["vulkan layers"] > 0 and parts["cpu fallback layers"] > 0
    assert t.pipeline_ms == 0 and t.weights_upload_ms == 0  # warm: cached pipelines and weights


def test_profiler_records_backends_and_captures_device_blobs(tmp_path, vk_device):
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    ref = _cpu_blobs(param, binf, x)
    net = load(param, binf, True)
    result = profile_model(net, {"data": x}, repeats=2, warmup=1, capture_blobs=True)
    assert {r.name: r.backend for r in result.profile.layers} == {
        "conv1": "vulkan", "sin": "cpu-fallback", "conv2": "vulkan", "pool": "vulkan", "softmax": "vulkan"}
    for name, value in ref.items():
        assert_blob_close(result.blobs[name], value, name)


def test_vulkan_layers_are_registered_per_backend():
    from engine.registry import layer_class, supported_types
    assert layer_class("Convolution", "vulkan").backend == "vulkan"
    assert issubclass(layer_class("Convolution", "vulkan"), layer_class("Convolution"))
    assert "LSTM" not in supported_types("vulkan") and "LSTM" in supported_types()


def test_blobs_beyond_the_storage_buffer_range_run_on_the_cpu(tmp_path, vk_device, monkeypatch):
    from engine.vulkan import session
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    ref = _cpu_blobs(param, binf, x)
    net = load(param, binf, True)
    ex = net.create_extractor()
    ex.input("data", x)
    ex.extract("prob")
    # 16x37x45 floats (conv outputs, pool input) no longer fit in one storage buffer; 16x18x22 does
    monkeypatch.setattr(session._CONTEXT, "max_storage_range", 16 * 37 * 45 * 4 - 4)
    ex = net.create_extractor()
    ex.input("data", x)
    assert_blob_close(ex.extract("prob"), ref["prob"], "prob")
    assert ex.vulkan_timing.where() == {"conv1": "cpu-fallback", "sin": "cpu-fallback", "conv2": "cpu-fallback",
                                        "pool": "cpu-fallback", "softmax": "vulkan"}


def test_new_input_replaces_the_device_copy(tmp_path, vk_device):
    param, binf = mixed_model(tmp_path)
    x1, x2 = mixed_input(seed=1), mixed_input(seed=2)
    ex = load(param, binf, True, lightmode=False).create_extractor()
    ex.input("data", x1)
    ex.extract("c1")
    ex.input("data", x2)  # data now has a stale device copy; c1 must be computed again from x2
    ex._blobs[ex.net.blob_index("c1")] = None
    ex._gpu.drop(ex.net.blob_index("c1"))
    assert_blob_close(ex.extract("c1"), _cpu_blobs(param, binf, x2)["c1"], "c1 from the new input")


def test_cancel_mid_run_keeps_the_device_usable(tmp_path, vk_device):
    import gc
    from engine.errors import ExtractionCancelled
    from engine.vulkan import session
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    ref = _cpu_blobs(param, binf, x)["prob"]
    net = load(param, binf, True)

    def run(cancel_at=None):
        ex = net.create_extractor()
        ex.input("data", x)
        if cancel_at:
            ex.add_hook(lambda e: ex.cancel() if e.name == cancel_at else None)
        out = ex.extract("prob")
        del ex
        gc.collect()
        return out

    run()
    owned = len(session._CONTEXT.pool.owned)
    with pytest.raises(ExtractionCancelled):
        run("sin")
    gc.collect()
    assert_blob_close(run(), ref, "after a cancel")
    assert len(session._CONTEXT.pool.owned) == owned  # every buffer came back to the pool and was reused


def test_switching_vulkan_off_runs_on_the_cpu(tmp_path, vk_device):
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    ex = load(param, binf, True, lightmode=False).create_extractor()
    ex.input("data", x)
    ex.extract("c2")
    ex.opt.use_vulkan_compute = False
    assert_blob_close(ex.extract("prob"), _cpu_blobs(param, binf, x)["prob"], "prob on the CPU")
    assert ex._gpu == {}


def test_without_timestamps_gpu_time_is_reported_as_wait(tmp_path, vk_device, monkeypatch):
    from engine.vulkan import session
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    net = load(param, binf, True)
    _timed(net, x)
    monkeypatch.setattr(session._CONTEXT, "has_timestamps", False)
    t, wall = _timed(net, x)
    assert not t.gpu_timestamps and t.vulkan_layers_ms == 0 and t.wait_ms > 0
    assert abs(t.accounted_ms - wall) <= 0.05 * wall, t.parts()


def test_reloaded_weights_replace_the_device_copies(tmp_path, vk_device):
    import gc
    from engine.vulkan import session
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    net = load(param, binf, True)
    _timed(net, x)
    owned = len(session._CONTEXT.pool.owned)
    net.load_synthetic_weights("random", seed=3)  # new weights: the GPU must not keep the old ones
    ref = load(param, binf, False)
    ref.load_synthetic_weights("random", seed=3)
    cpu = ref.create_extractor()
    cpu.input("data", x)
    gc.collect()
    t, _ = _timed(net, x)
    assert t.weights_upload_ms > 0
    ex = net.create_extractor()
    ex.input("data", x)
    assert_blob_close(ex.extract("prob"), cpu.extract("prob"), "prob with reloaded weights")
    gc.collect()
    assert len(session._CONTEXT.pool.owned) == owned  # the old weights' buffers were reused


def test_computed_downloads_a_device_blob_without_running(tmp_path, vk_device):
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    ex = load(param, binf, True, lightmode=False).create_extractor()
    ex.input("data", x)
    assert ex.computed("c2") is None
    ex.extract("prob")
    assert_blob_close(ex.computed("c2"), _cpu_blobs(param, binf, x)["c2"], "c2")
    assert [r.name for r in ex.vulkan_timing.layers] == []  # a download, no layer ran
