"""Helpers for the Vulkan tests: the device check and numpy-vs-Vulkan comparisons of one layer."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pytest

from engine import Net
from engine import vulkan
from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import one_layer_model
from tests.support.oracle import assert_blob_close

# Odd sizes: C > 1 and W*H not a multiple of 4 (where ncnn's own Vulkan path fails on lavapipe).
ODD = [(3, 5, 7), (5, 9, 11), (2, 13, 3)]


def require_vulkan() -> None:
    if not vulkan.list_devices():
        pytest.skip("no Vulkan device (install libvulkan1 and mesa-vulkan-drivers for lavapipe)")


def load(param: Path, binf: Path, use_vulkan: bool, lightmode: bool = True) -> Net:
    net = Net()
    net.opt.num_threads = 1
    net.opt.use_vulkan_compute = use_vulkan
    net.opt.lightmode = lightmode
    net.load_param(param)
    net.load_model(binf)
    return net


def run_both(param: Path, binf: Path, feeds: Mapping[str, np.ndarray], names: Sequence[str],
             ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Any]:
    """(numpy outputs, Vulkan outputs, the Vulkan extractor) for the same model and inputs."""
    outs = []
    ex = None
    for use_vulkan in (False, True):
        net = load(param, binf, use_vulkan)
        ex = net.create_extractor()
        for k, v in feeds.items():
            ex.input(k, v)
        got = ex.extract_many(names)
        outs.append({n: got[n].astype(np.float32) if got[n].dtype != np.float32 else got[n] for n in names})
    return outs[0], outs[1], ex


def compare_layer(tmp_path: Path, layer_type: str, params: Mapping[int, Any], inputs: Sequence[np.ndarray],
                  weights: BinWriter | None = None, n_outputs: int = 1, on_gpu: bool = True) -> list[np.ndarray]:
    """One-layer model: the Vulkan result equals the numpy layer's within 1e-4 relative, and the layer
    really ran on the GPU (or on the CPU when on_gpu is False). Returns the Vulkan outputs."""
    param, binf = one_layer_model(tmp_path, layer_type, params, len(inputs), n_outputs, weights)
    feeds = {f"in{i}": np.ascontiguousarray(x) for i, x in enumerate(inputs)}
    names = [f"out{i}" for i in range(n_outputs)]
    ref, ours, ex = run_both(param, binf, feeds, names)
    assert ex.vulkan_fallback_reason == "", ex.vulkan_fallback_reason
    where = ex.vulkan_timing.where()["op"]
    assert where == ("vulkan" if on_gpu else "cpu-fallback"), f"{layer_type} {dict(params)} ran as {where}"
    for n in names:
        assert ours[n].dtype == ref[n].dtype
        assert_blob_close(ours[n], ref[n], f"vulkan {layer_type} {dict(params)} {n}")
    return [ours[n] for n in names]


def rand(shape: Sequence[int], seed: int = 0, scale: float = 2.0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(tuple(shape)) * scale).astype(np.float32)
