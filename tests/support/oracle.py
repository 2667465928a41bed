"""The real ncnn (pip `ncnn`, CPU, fp32 paths only) as the test oracle, and the comparison rule."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pytest


class OracleError(RuntimeError):
    pass


def require_ncnn():
    """The ncnn module, or a skip saying why (CI runs with --require oracle, so a skip fails there)."""
    return pytest.importorskip("ncnn", reason="the pip package `ncnn` (test oracle) is not installed")


def _to_mat(ncnn, array: np.ndarray):
    """An ncnn.Mat owning its data: ncnn.Mat(ndarray) only wraps the buffer, and a temporary copy
    would be freed before ncnn reads it."""
    a = np.ascontiguousarray(array)
    if a.dtype.kind == "f":
        a = a.astype(np.float32)
    return ncnn.Mat(a).clone()


def run_ncnn(param: str | Path, bin_path: str | Path | None, inputs: Mapping[str, np.ndarray],
             outputs: Sequence[str], *, threads: int = 1, lightmode: bool = False, int8: bool | None = None,
             packing: bool | None = None, winograd: bool = False, sgemm: bool = False) -> dict[str, np.ndarray]:
    """Run ncnn's CPU path and return copies of the outputs: no winograd/sgemm/fp16/bf16 by default.
    int8 and packing left at None keep ncnn's defaults (int8 inference on for layers with int8 weights,
    packed layout); int8 blobs come back cast to float32 by ncnn."""
    ncnn = require_ncnn()
    net = ncnn.Net()
    opt = net.opt
    opt.lightmode = lightmode
    opt.num_threads = threads
    if int8 is not None:
        opt.use_int8_inference = int8
    if packing is not None:
        opt.use_packing_layout = packing
    opt.use_winograd_convolution = winograd
    opt.use_sgemm_convolution = sgemm
    opt.use_fp16_storage = False
    opt.use_fp16_packed = False
    opt.use_fp16_arithmetic = False
    opt.use_bf16_storage = False
    opt.use_vulkan_compute = False
    try:
        if net.load_param(str(param)) != 0:
            raise OracleError(f"ncnn refused the param {param}")
        ret = net.load_model(str(bin_path)) if bin_path else net.load_model(ncnn.DataReaderFromEmpty())
        if ret != 0:
            raise OracleError(f"ncnn refused the weights {bin_path}")
        ex = net.create_extractor()
        for name, value in inputs.items():
            if ex.input(name, _to_mat(ncnn, value)) != 0:
                raise OracleError(f"ncnn refused input {name}")
        out: dict[str, np.ndarray] = {}
        for name in outputs:
            ret, mat = ex.extract(name)
            if ret != 0:
                raise OracleError(f"ncnn could not extract {name} (ret {ret})")
            # np.array() on an empty Mat segfaults the pip binding
            out[name] = np.zeros((0,), np.float32) if mat.dims == 0 else np.array(mat, copy=True)
            del mat
        del ex
    finally:
        net.clear()
        del net
    return out


def tolerance(ref: np.ndarray, rel: float = 1e-4) -> float:
    """The project's rule: max |diff| <= rel * max(1, max |ref|)."""
    finite = np.abs(ref[np.isfinite(ref)]) if ref.size else np.zeros(0)
    return rel * max(1.0, float(finite.max()) if finite.size else 1.0)


def blob_error(ours: np.ndarray, ref: np.ndarray) -> float:
    """Max |diff| over finite positions; inf if shapes or the positions of NaN/Inf differ."""
    if ours.shape != ref.shape:
        return float("inf")
    ours = ours.astype(np.float64)
    ref = ref.astype(np.float64)
    bad_o, bad_r = ~np.isfinite(ours), ~np.isfinite(ref)
    if not np.array_equal(bad_o, bad_r) or not np.array_equal(ours[bad_o & ~np.isnan(ours)],
                                                               ref[bad_r & ~np.isnan(ref)]):
        return float("inf")
    ok = ~bad_r
    return float(np.max(np.abs(ours[ok] - ref[ok]))) if ok.any() else 0.0


def assert_blob_close(ours: np.ndarray, ref: np.ndarray, what: str, rel: float = 1e-4) -> None:
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} but ncnn gives {ref.shape}"
    err, tol = blob_error(ours, ref), tolerance(ref, rel)
    assert err <= tol, f"{what}: max |diff| {err:.3g} > {tol:.3g} (max |ref| {np.nanmax(np.abs(ref)) if ref.size else 0:.3g})"
