"""EasyQuant (Wu et al. 2020) as ncnn2table's `method=eq` means it, made to work.

Starting from the KL scales, for each calibrated layer on its own (fp32 input, fp32 output as reference):
1. each weight scale in turn (output channel; group for depthwise) tries `steps` values
   s * (0.5 + 1.5 k / steps) (float32, as ncnn: lower + k * (upper - lower) / steps) and keeps the one with
   the largest mean cosine similarity between the layer's int8 output and its fp32 output, the channels
   already searched keeping their new scales (ncnn's greedy order);
2. then the bottom-blob scale, the same way, with the new weight scales.
ncnn2table's version reads the wrong sample indices and crashes (ncnn-reference.md section 7.2); it also lets a
6-bit (3x3 stride-1) weight scale grow past 31/absmax, which would overflow ncnn's int8 Winograd: here those
layers only try candidates <= the 6-bit scale.

Speed: a weight candidate changes one unit's output channels only, so per sample we compute, for every
unit and candidate, <ref, out> and <out, out> of that unit (one grouped int8 convolution over all
candidates, chunked), and the greedy search then runs on these sums. Layers are independent, so two model
runs per sample (weights, then bottom scales) replace ncnn's run per channel per sample.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from engine import Net
from engine.errors import EngineError
from engine.kernels.activation import apply_activation
from engine.kernels.conv import pad_hw, resolve_pads
from engine.kernels.int8 import float2int8, int8_conv2d, int_matmul, prepare_int8_conv, quantize
from engine.layer import Layer
from engine.preprocess import Preprocess

from .collect import CalibrationCancelled, CalibrationError, Progress, QuantTarget, _Runner, load_sample, sinks
from .weights import weight_groups

RANGE = (np.float32(0.5), np.float32(2.0))
CHUNK_VALUES = 1 << 22  # candidate outputs held at once (float32), bounds memory per layer


def candidates(scale: float, steps: int) -> np.ndarray:
    """ncnn's grid: lower + k * step, lower = 0.5 s, step = (2 s - 0.5 s) / steps, all float32."""
    s = np.float32(scale)
    lower, upper = s * RANGE[0], s * RANGE[1]
    step = (upper - lower) / np.float32(steps)
    return (lower + np.arange(steps, dtype=np.float32) * step).astype(np.float32)


class _LayerQ:
    """One calibrated layer's int8 forward for many candidate scales, outputs grouped by scale unit."""

    def __init__(self, layer: Layer) -> None:
        self.layer = layer
        self.kind = layer.spec.type
        g = weight_groups(layer)
        self.rows, self.units = g.rows, g.rows.shape[0]
        self.six_bit = g.levels == 31
        n_out = layer.num_output  # type: ignore[attr-defined]
        self.per_unit = n_out // self.units  # output channels per scale unit
        bias = layer.weights.get("bias_data")
        self.bias = None if bias is None else np.asarray(bias, np.float32).reshape(self.units, self.per_unit)
        self.act = (layer.activation_type, layer.activation_params)  # type: ignore[attr-defined]

    def reference(self, y: np.ndarray) -> np.ndarray:
        """The fp32 output as (units, values per unit)."""
        if self.kind == "InnerProduct":
            return np.asarray(y, np.float32).reshape(-1, self.units).T.copy()
        return np.asarray(y, np.float32).reshape(self.units, -1)

    def outputs(self, x: np.ndarray, s_in: float, scales: np.ndarray, lo: int, hi: int,
                cache: dict | None = None) -> np.ndarray:
        """int8 outputs of units lo..hi for candidate weight scales `scales` (hi-lo, K):
        (hi-lo, K, values per unit), dequantised, biased and activated as ncnn does. `cache` keeps the
        quantised, prepared weights between calls with the same scales."""
        k = scales.shape[1]
        prepared = cache.get("w") if cache is not None else None
        if prepared is None:
            wq = float2int8(self.rows[lo:hi, None, :] * scales[:, :, None])  # (u, K, weights per unit)
            prepared = self._prepare(wq, hi - lo)
            if cache is not None:
                cache["w"] = prepared
        if self.kind == "InnerProduct":
            n_in = self.rows.shape[1]
            x2 = x.reshape(-1, n_in) if (x.ndim == 2 and x.shape[1] == n_in) else x.reshape(1, -1)
            acc = int_matmul(quantize(x2, s_in), prepared)  # (rows, u*K)
            acc = acc.reshape(-1, hi - lo, k, 1).transpose(1, 2, 3, 0)  # (u, K, 1, rows)
        else:
            layer = self.layer
            x3 = x.reshape((1,) * (3 - x.ndim) + x.shape) if x.ndim < 3 else x
            kh, kw = layer.kernel()  # type: ignore[attr-defined]
            dil, stride = layer.dilation(), layer.stride()  # type: ignore[attr-defined]
            kext = (dil[0] * (kh - 1) + 1, dil[1] * (kw - 1) + 1)
            pads = resolve_pads(x3.shape[1], x3.shape[2], layer.pads(), kext, stride)  # type: ignore[attr-defined]
            groups = layer.group if self.kind == "ConvolutionDepthWise" else 1  # type: ignore[attr-defined]
            in_g = x3.shape[0] // groups
            if groups > 1:  # units are groups: their own input channels
                x3 = x3[lo * in_g:hi * in_g]
            xq = pad_hw(quantize(x3, s_in), *pads, float(np.trunc(np.float32(getattr(layer, "pad_value", 0.0)))))
            acc = int8_conv2d(xq, prepared, stride, dil)
            acc = acc.reshape(hi - lo, k, self.per_unit, -1)
        with np.errstate(divide="ignore", over="ignore"):
            inv = (np.float32(1) / (np.float32(s_in) * scales)).astype(np.float32)
        inv[~np.isfinite(inv)] = 0  # ncnn: a zero weight scale dequantises to 0
        y = acc.astype(np.float32) * inv[:, :, None, None]
        if self.bias is not None:
            y += self.bias[lo:hi, None, :, None]
        y = apply_activation(y, *self.act)
        return y.reshape(hi - lo, k, -1)

    def _prepare(self, wq: np.ndarray, units: int):
        if self.kind == "InnerProduct":
            return wq.reshape(-1, self.rows.shape[1]).T
        layer = self.layer
        kh, kw = layer.kernel()  # type: ignore[attr-defined]
        grouped = self.kind == "ConvolutionDepthWise" and layer.group > 1  # type: ignore[attr-defined]
        in_g = wq.size // (wq.shape[0] * wq.shape[1] * self.per_unit * kh * kw)
        w = wq.reshape(-1, in_g, kh, kw)
        return prepare_int8_conv(w, units if grouped else 1, layer.stride())  # type: ignore[attr-defined]

    def chunks(self, k: int, values: int) -> list[tuple[int, int]]:
        step = max(1, CHUNK_VALUES // max(1, k * values))
        return [(lo, min(self.units, lo + step)) for lo in range(0, self.units, step)]


def _cosines(ab: np.ndarray, bb: np.ndarray, aa: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = ab / np.sqrt(aa) / np.sqrt(bb)
    return np.nan_to_num(sim, nan=-np.inf)


def _best(avg: np.ndarray, grid: np.ndarray, current: float) -> tuple[float, int]:
    """ncnn's pick: the first candidate whose mean similarity beats all before it and 0."""
    best, scale, index = 0.0, current, -1
    for k, v in enumerate(avg):
        if best < v:
            best, scale, index = float(v), float(grid[k]), k
    return scale, index


def easyquant(net: Net, targets: Sequence[QuantTarget], samples: Sequence, spec: Preprocess | None,
              weight_scales: dict[str, np.ndarray], bottom_scales: dict[str, float], *,
              progress: Progress | None = None, cancel: threading.Event | None = None, steps: int = 100,
              ) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    if steps < 2:
        raise CalibrationError("eq needs at least 2 search steps")
    if not samples:
        raise CalibrationError("eq needs calibration samples")
    by_index = {t.layer_index: t for t in targets}
    layers = {t.layer: _LayerQ(net.layers[t.layer_index]) for t in targets}
    runner = _Runner(net, targets, cancel)
    n = len(samples)
    w_new = {name: np.asarray(s, np.float32).copy() for name, s in weight_scales.items()}
    b_new = dict(bottom_scales)
    # per layer: candidate grids (units, steps) + the starting scale as column `steps`
    grids = {}
    for name, lq in layers.items():
        base = w_new[name]
        g = np.stack([candidates(s, steps) for s in base]) if base.size else np.zeros((0, steps), np.float32)
        if lq.six_bit:  # never past the 6-bit scale: ncnn's int8 Winograd relies on it
            g = np.where(g <= base[:, None], g, np.float32(0))
        grids[name] = np.concatenate([g, base[:, None]], axis=1)
    ab = {name: [] for name in layers}
    bb = {name: [] for name in layers}
    aa = {name: [] for name in layers}
    sims_b = {name: np.zeros(steps) for name in layers}

    def load(i: int) -> np.ndarray:
        s = samples[i]
        return np.asarray(s, np.float32) if isinstance(s, np.ndarray) else load_sample(s, spec or Preprocess())

    tops = [net.layers[t.layer_index].spec.tops[0] for t in targets]
    top_sinks = sinks(net, tops)

    def run_layers(x: np.ndarray, visit) -> None:
        seen: set[int] = set()

        def hook(event) -> None:
            t = by_index.get(event.index)
            if t is not None and event.index not in seen:  # a layer recomputed after lightmode runs once here
                seen.add(event.index)
                visit(t, event.inputs[0], event.outputs[0])
            if cancel is not None and cancel.is_set():
                raise CalibrationCancelled("calibration cancelled")
        ex = net.create_extractor()
        ex.add_hook(hook)
        ex.input(runner.input, x)
        try:
            ex.extract_many(top_sinks)
            for index in set(by_index) - seen:  # only for graphs not in topological order
                ex.extract(net.layers[index].spec.tops[0])
        except CalibrationCancelled:
            raise
        except EngineError as e:
            raise CalibrationError(f"the model failed on this sample: {e}") from e

    def visit_weights(t: QuantTarget, x: np.ndarray, y: np.ndarray) -> None:
        lq, grid = layers[t.layer], grids[t.layer]
        ref = lq.reference(y)
        a_ab = np.zeros(grid.shape, np.float64)
        a_bb = np.zeros(grid.shape, np.float64)
        for lo, hi in lq.chunks(grid.shape[1], ref.shape[1]):
            out = lq.outputs(x, b_new[t.layer], grid[lo:hi], lo, hi).astype(np.float64)
            r = ref[lo:hi, None, :].astype(np.float64)
            a_ab[lo:hi] = (out * r).sum(-1)
            a_bb[lo:hi] = (out * out).sum(-1)
        ab[t.layer].append(a_ab)
        bb[t.layer].append(a_bb)
        aa[t.layer].append(float((ref.astype(np.float64) ** 2).sum()))

    for i in range(n):
        if progress is not None:
            progress(i, 2 * n, f"eq weights {i + 1}/{n}")
        run_layers(load(i), visit_weights)
    for name, lq in layers.items():  # greedy, unit by unit, on the collected sums
        A, B, S = np.stack(ab[name]), np.stack(bb[name]), np.array(aa[name])  # (n, units, steps+1)
        cur = np.full(lq.units, steps)
        tot_ab, tot_bb = A[:, np.arange(lq.units), cur].sum(1), B[:, np.arange(lq.units), cur].sum(1)
        for u in range(lq.units):
            if w_new[name][u] == 0:
                continue
            c = cur[u]
            sims = _cosines(tot_ab[:, None] - A[:, u, c:c + 1] + A[:, u, :steps],
                            tot_bb[:, None] - B[:, u, c:c + 1] + B[:, u, :steps], S[:, None]).sum(0)
            sims[grids[name][u, :steps] == 0] = -np.inf  # 6-bit: masked candidates
            scale, k = _best(sims, grids[name][u, :steps], float(w_new[name][u]))
            if k >= 0:
                tot_ab += A[:, u, k] - A[:, u, c]
                tot_bb += B[:, u, k] - B[:, u, c]
                cur[u] = k
                w_new[name][u] = scale
        ab[name] = bb[name] = []  # free

    b_grids = {name: candidates(b_new[name], steps) for name in layers}
    prepared: dict[str, dict] = {}

    def visit_bottom(t: QuantTarget, x: np.ndarray, y: np.ndarray) -> None:
        lq = layers[t.layer]
        ref = lq.reference(y).astype(np.float64)
        a = float((ref ** 2).sum())
        cache = prepared.setdefault(t.layer, {})  # the weights are final now: quantise them once
        for k, s_in in enumerate(b_grids[t.layer]):
            out = lq.outputs(x, float(s_in), w_new[t.layer][:, None], 0, lq.units, cache)[:, 0].astype(np.float64)
            ab_k, bb_k = float((out * ref).sum()), float((out * out).sum())
            sims_b[t.layer][k] += float(_cosines(np.array(ab_k), np.array(bb_k), np.array(a)))

    for i in range(n):
        if progress is not None:
            progress(n + i, 2 * n, f"eq bottom scales {i + 1}/{n}")
        run_layers(load(i), visit_bottom)
    for name in layers:
        b_new[name], _ = _best(sims_b[name], b_grids[name], b_new[name])
    if progress is not None:
        progress(2 * n, 2 * n, "eq done")
    return w_new, b_new
