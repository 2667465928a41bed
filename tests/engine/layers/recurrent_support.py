"""Shared helpers for the RNN / LSTM / GRU tests: random weights in ncnn's layout, a one-layer run against
ncnn, and an independent float64 reference written gate by gate (PyTorch's equations, ncnn's gate order)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer

T, SIZE, HIDDEN = 5, 7, 3

# (extra state bottoms, extra state tops) variants
STATE_MODES = ["none", "in", "out", "in_out"]


def make_weights(kind: str, nd: int, n: int, size: int, hs: int, rng: np.random.Generator,
                 storage: str = "fp32") -> tuple[BinWriter, dict[str, np.ndarray]]:
    """Weights as ncnn loads them (all tagged), rounded through `storage`."""
    rows = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    units = hs if kind == "LSTM" else n
    shapes = {"xc": (nd, rows * units, size),
              "bias": (nd, {"RNN": 1, "GRU": 4, "LSTM": 4}[kind], units),
              "hc": (nd, rows * units, n)}
    if kind == "LSTM" and hs != n:
        shapes["hr"] = (nd, n, hs)
    bw, ws = BinWriter(), {}
    for name, shape in shapes.items():
        w = (rng.standard_normal(shape) * 0.6).astype(np.float32)
        if storage == "fp16":
            w = w.astype(np.float16).astype(np.float32)
        bw.tagged(w, storage)
        ws[name] = w
    return bw, ws


def sig(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


def gate(m: np.ndarray, g: int, width: int) -> np.ndarray:
    """Rows of gate g in a weight stacked gate by gate."""
    return m[g * width:(g + 1) * width]


def reference(kind: str, x: np.ndarray, ws: dict[str, np.ndarray], direction: int,
              h0: np.ndarray | None, c0: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """float64 reference: (output (T, N*dirs), final h (dirs, N), final c (dirs, H) or None)."""
    nd = 2 if direction == 2 else 1
    x = x.astype(np.float64)
    outs, hs_, cs_ = [], [], []
    for d in range(nd):
        xc, b, hc = (ws[k][d].astype(np.float64) for k in ("xc", "bias", "hc"))
        n = hc.shape[1]
        h = np.zeros(n) if h0 is None else h0.reshape(nd, -1)[d].astype(np.float64)
        units = b.shape[1]
        c = np.zeros(units) if c0 is None else c0.reshape(nd, -1)[d].astype(np.float64)
        out = np.zeros((x.shape[0], n))
        steps = range(x.shape[0] - 1, -1, -1) if (d == 1 or direction == 1) else range(x.shape[0])
        for t in steps:
            xt = x[t]
            if kind == "RNN":
                h = np.tanh(xc @ xt + b[0] + hc @ h)
            elif kind == "GRU":
                r = sig(gate(xc, 0, n) @ xt + b[0] + gate(hc, 0, n) @ h)
                u = sig(gate(xc, 1, n) @ xt + b[1] + gate(hc, 1, n) @ h)
                nn = np.tanh(gate(xc, 2, n) @ xt + b[2] + r * (gate(hc, 2, n) @ h + b[3]))
                h = (1 - u) * nn + u * h
            else:
                i, f, o, g_ = (gate(xc, k, units) @ xt + b[k] + gate(hc, k, units) @ h for k in range(4))
                c = sig(f) * c + sig(i) * np.tanh(g_)
                h = sig(o) * np.tanh(c)
                if "hr" in ws:
                    h = ws["hr"][d].astype(np.float64) @ h
            out[t] = h
        outs.append(out)
        hs_.append(h)
        cs_.append(c)
    return np.concatenate(outs, axis=1), np.stack(hs_), (np.stack(cs_) if kind == "LSTM" else None)


def run_case(tmp_path: Path, kind: str, direction: int, mode: str, *, n: int = HIDDEN, hs: int | None = None,
             x_shape: tuple[int, ...] = (T, SIZE), storage: str = "fp32", seed: int = 0,
             state_shape_1d: bool = False) -> None:
    """One layer against ncnn, and our output against the float64 reference."""
    rng = np.random.default_rng(seed)
    hs = n if hs is None else hs
    nd = 2 if direction == 2 else 1
    size = x_shape[-1]
    bw, ws = make_weights(kind, nd, n, size, hs, rng, storage)
    rows = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    params = {0: n, 1: nd * rows * hs * size, 2: direction}
    if kind == "LSTM" and hs != n:
        params[3] = hs
    x = rng.standard_normal(x_shape).astype(np.float32)
    inputs = [x]
    h0 = c0 = None
    if mode in ("in", "in_out"):
        h0 = rng.standard_normal((n,) if state_shape_1d else (nd, n)).astype(np.float32)
        inputs.append(h0)
        if kind == "LSTM":
            c0 = rng.standard_normal((hs,) if state_shape_1d else (nd, hs)).astype(np.float32)
            inputs.append(c0)
    n_states = 2 if kind == "LSTM" else 1
    n_outputs = 1 + (n_states if mode in ("out", "in_out") else 0)
    got = check_layer(tmp_path, kind, params, inputs, weights=bw, n_outputs=n_outputs)
    want_y, want_h, want_c = reference(kind, x.reshape(-1, size), ws, direction, h0, c0)
    np.testing.assert_allclose(got[0], want_y, atol=2e-5)
    assert got[0].shape == (x.reshape(-1, size).shape[0], nd * n) and got[0].dtype == np.float32
    if n_outputs > 1:
        np.testing.assert_allclose(got[1].reshape(nd, n), want_h, atol=2e-5)
        assert got[1].shape == (h0.shape if h0 is not None else (nd, n))
        if kind == "LSTM":
            np.testing.assert_allclose(got[2].reshape(nd, hs), want_c, atol=2e-5)
            assert got[2].shape == (c0.shape if c0 is not None else (nd, hs))
