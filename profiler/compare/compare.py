"""FP32 vs int8 on one input, layer by layer.

* accumulated: the whole int8 graph against the whole fp32 graph; every blob a layer produces is
  compared with the same blob of the fp32 run, so errors pile up along the graph as they would in use.
* isolated: each quantised layer alone, fed the fp32 run's inputs of that layer; its output against the
  fp32 layer's output. It tells which layer *adds* error, whatever came before it.

The fp32 run keeps every blob (an `Fp32Reference`, reusable across tables on the same input); the int8
run is compared in a hook as each layer finishes. int8 blobs (the outputs of requantising convolutions,
and Splits of them) are compared after dequantisation: value / the producer's top scale, the real number
the int8 code stands for.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from engine import LayerEvent, Net
from engine.errors import EngineError
from engine.int8.simulate import quantised_layer_names

from .metrics import BlobMetrics, Bound, CompareError, blob_metrics

MODES = ("accumulated", "isolated")


class CompareCancelled(CompareError):
    """The cancel event was set."""


class CompareRunError(CompareError):
    """The fp32 or the int8 run failed (the engine's message names the layer)."""


@dataclass(frozen=True)
class LayerError:
    """One row: a layer's output blob (one row per top) and how far int8 is from fp32 there."""

    index: int  # the layer's index in the model
    layer: str
    type: str
    blob: str
    quantised: bool  # the layer runs int8
    accumulated: BlobMetrics | None  # None when not computed
    isolated: BlobMetrics | None  # quantised layers only

    def metrics(self, mode: str) -> BlobMetrics | None:
        return self.accumulated if mode == "accumulated" else self.isolated if mode == "isolated" else _bad_mode(mode)


def _bad_mode(mode: str) -> None:
    raise CompareError(f"unknown comparison mode {mode!r}: choose {' or '.join(MODES)}")


@dataclass(frozen=True)
class ImageComparison:
    """Every row in fp32 execution order (the order the layers ran)."""

    image: str
    rows: tuple[LayerError, ...]
    quantised: tuple[str, ...]  # names of the layers running int8

    def first_crossing(self, bound: Bound, mode: str = "accumulated") -> LayerError | None:
        """The first row in execution order whose `mode` metrics cross `bound`."""
        for row in self.rows:
            m = row.metrics(mode)
            if m is not None and bound.crossed(m):
                return row
        return None

    def row(self, layer: str) -> LayerError:
        for r in self.rows:
            if r.layer == layer:
                return r
        raise KeyError(layer)


@dataclass(frozen=True)
class Fp32Reference:
    """One input's fp32 run, kept: every blob and the execution order. Comparing several tables (or
    keep-fp32 choices) on the same input reuses it instead of re-running fp32 each time."""

    image: str
    order: tuple[tuple[int, str, str, str], ...]  # (layer index, layer, type, top blob) as they ran
    blobs: dict[str, np.ndarray]  # every blob, the input included


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CompareCancelled("comparison cancelled")


def check_same_topology(fp32: Net, int8: Net) -> None:
    """The int8 net must be the fp32 net's twin (same layers and blobs, by name, in order)."""
    a = [(layer.name, tuple(layer.spec.bottoms), tuple(layer.spec.tops)) for layer in fp32.layers]
    b = [(layer.name, tuple(layer.spec.bottoms), tuple(layer.spec.tops)) for layer in int8.layers]
    if a != b:
        diff = next((f"layer {i}: fp32 {x[0]!r} vs int8 {y[0]!r}" for i, (x, y) in enumerate(zip(a, b)) if x != y),
                    f"{len(a)} vs {len(b)} layers")
        raise CompareError(f"the int8 net is not the fp32 net's int8 twin ({diff})")


def _top_scale(layer) -> float | None:
    """The scale an int8 output of `layer` carries, if the layer requantises (int8_scale_term > 100)."""
    if getattr(layer, "int8_scale_term", 0) > 100 and "top_blob_int8_scales" in layer.weights:
        return float(np.asarray(layer.weights["top_blob_int8_scales"], np.float32).reshape(-1)[0])
    return None


def _dequantise(x: np.ndarray, scale: float | None, where: str) -> np.ndarray:
    if x.dtype != np.int8:
        return x
    if scale is None or scale == 0:
        raise CompareError(f"{where}: an int8 blob with no known scale")
    return x.astype(np.float32) / np.float32(scale)


class _FloatView:
    """int8 blobs of a run in float units: a requantising layer's output / its top scale; a layer passing
    int8 through (Split) hands its input's scale on."""

    def __init__(self, net: Net) -> None:
        self.layers = net.layers
        self.scales: dict[str, float | None] = {}

    def outputs(self, ev: LayerEvent) -> list[tuple[str, np.ndarray]]:
        layer = self.layers[ev.index]
        inherited = next((self.scales.get(b) for b, a in zip(layer.spec.bottoms, ev.inputs) if a.dtype == np.int8),
                         None)
        own = _top_scale(layer)
        out = []
        for name, array in zip(ev.top_names, ev.outputs):
            scale = own if own is not None else inherited
            self.scales[name] = scale
            out.append((name, _dequantise(array, scale, f"layer '{ev.name}' blob '{name}'")))
        return out


def float_blobs(net: Net, x: np.ndarray, blobs: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Every blob (or those named) of one run of `net` (e.g. an int8 twin) in float units: int8 blobs are
    dequantised with the scale they carry, so they can be shown beside the fp32 ones."""
    if len(net.input_names()) != 1:
        raise CompareError(f"single-input models only; this one has inputs {net.input_names()}")
    floats, out = _FloatView(net), {}
    want = set(blobs) if blobs is not None else None

    def hook(ev: LayerEvent) -> None:
        for name, array in floats.outputs(ev):
            if want is None or name in want:
                out[name] = array

    ex = _Pair.extractor(net)
    ex.add_hook(hook)
    name = net.input_names()[0]
    ex.input(name, x)
    if want is None or name in want:
        out[name] = ex.computed(name)
    ex.extract_many(net.output_names())
    return out


class _Pair:
    """One fp32 net and its int8 twin, with what the comparison needs precomputed."""

    def __init__(self, fp32: Net, int8: Net) -> None:
        check_same_topology(fp32, int8)
        if len(fp32.input_names()) != 1:
            raise CompareError(f"the comparison runs single-input models; this one has inputs {fp32.input_names()}")
        self.fp32, self.int8 = fp32, int8
        self.quantised = tuple(quantised_layer_names(int8))
        self.qset = set(self.quantised)
        self.input = fp32.input_names()[0]
        self.outputs = fp32.output_names()

    @staticmethod
    def extractor(net: Net):
        ex = net.create_extractor()
        ex.opt.use_vulkan_compute = False  # int8 runs on the CPU; both sides the same engine path
        ex.opt.lightmode = True  # the hooks keep what they need
        return ex

    def reference(self, x: np.ndarray, image: str, cancel: threading.Event | None) -> Fp32Reference:
        blobs: dict[str, np.ndarray] = {self.input: np.asarray(x, np.float32)}
        order: list[tuple[int, str, str, str]] = []

        def hook(ev: LayerEvent) -> None:
            _check(cancel)
            for name, out in zip(ev.top_names, ev.outputs):
                order.append((ev.index, ev.name, ev.type, name))
                blobs[name] = out

        self._go(self.fp32, blobs[self.input], hook, "fp32")
        return Fp32Reference(image, tuple(order), blobs)

    def run(self, x: np.ndarray | Fp32Reference, image: str | None, accumulated: bool, isolated: bool,
            cancel: threading.Event | None) -> ImageComparison:
        ref = x if isinstance(x, Fp32Reference) else self.reference(x, image or "input", cancel)
        int8_layers = self.int8.layers
        iso: dict[str, BlobMetrics] = {}
        if isolated:
            for index in dict.fromkeys(i for i, name, _t, _b in ref.order if name in self.qset):
                _check(cancel)
                iso.update(self._isolated(int8_layers[index], ref.blobs))
        acc: dict[str, BlobMetrics] = {}
        if accumulated:
            floats = _FloatView(self.int8)

            def int8_hook(ev: LayerEvent) -> None:
                _check(cancel)
                for name, got in floats.outputs(ev):
                    want = ref.blobs.get(name)
                    if want is not None:
                        acc[name] = blob_metrics(want, got, f"layer '{ev.name}' blob '{name}'")

            self._go(self.int8, ref.blobs[self.input], int8_hook, "int8")
        rows = tuple(LayerError(i, layer, typ, blob, layer in self.qset, acc.get(blob) if accumulated else None,
                                iso.get(blob)) for i, layer, typ, blob in ref.order)
        return ImageComparison(image or ref.image, rows, self.quantised)

    def _isolated(self, layer, blobs: dict[str, np.ndarray]) -> dict[str, BlobMetrics]:
        """The int8 layer alone on the fp32 inputs, against the fp32 outputs."""
        inputs = [blobs[b] for b in layer.spec.bottoms]
        try:
            outs = layer.forward(inputs, self.int8.opt)
        except Exception as e:  # noqa: BLE001 - any failure of the lone layer names it
            shapes = ", ".join(str(a.shape) for a in inputs)
            raise CompareRunError(f"the int8 layer '{layer.name}' ({layer.spec.type}) failed alone on the fp32 "
                                  f"inputs {shapes}: {e}") from e
        out = {}
        for name, got in zip(layer.spec.tops, outs):
            got = _dequantise(got, _top_scale(layer), f"layer '{layer.name}'")
            out[name] = blob_metrics(blobs[name], got, f"layer '{layer.name}' blob '{name}' (isolated)")
        return out

    def _go(self, net: Net, x: np.ndarray, hook, which: str) -> None:
        ex = self.extractor(net)
        ex.add_hook(hook)
        try:
            ex.input(self.input, x)
            ex.extract_many(self.outputs)
        except CompareError:
            raise
        except EngineError as e:
            raise CompareRunError(f"the {which} run failed: {e}") from e


def fp32_reference(fp32: Net, x: np.ndarray, image: str = "input", *,
                   cancel: threading.Event | None = None) -> Fp32Reference:
    """Run `fp32` on `x` once and keep every blob, for compare_image(..., x=reference)."""
    return _Pair(fp32, fp32).reference(np.asarray(x, np.float32), image, cancel)


def compare_image(fp32: Net, int8: Net, x: np.ndarray | Fp32Reference, image: str | None = None, *,
                  accumulated: bool = True, isolated: bool = True,
                  cancel: threading.Event | None = None) -> ImageComparison:
    """Compare `int8` (e.g. engine.int8.simulate.int8_net(fp32, table)) with `fp32` on input `x`, or on
    the input of an Fp32Reference made by fp32_reference() (then fp32 is not run again)."""
    if not isinstance(x, Fp32Reference):
        x = np.asarray(x, np.float32)
    return _Pair(fp32, int8).run(x, image, accumulated, isolated, cancel)


def modes_wanted(modes: Sequence[str]) -> tuple[bool, bool]:
    for m in modes:
        if m not in MODES:
            _bad_mode(m)
    return "accumulated" in modes, "isolated" in modes
