"""int8 test helpers: the real ncnn run with its int8 paths, int8 one-layer models, simple max-abs tables."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from engine import Net
from engine.int8.table import Int8Table
from engine.formats.ncnn_writer import BinWriter, LayerLine, write_model
from tests.support.oracle import run_ncnn


def run_ncnn_int8(param: str | Path, bin_path: str | Path, inputs: Mapping[str, np.ndarray],
                  outputs: Sequence[str], *, packing: bool = True, winograd: bool = True,
                  sgemm: bool = True) -> dict[str, np.ndarray]:
    """ncnn's CPU run with int8 inference on (fp16/bf16 off), its fast paths on unless asked otherwise."""
    return run_ncnn(param, bin_path, inputs, outputs, int8=True, packing=packing, winograd=winograd, sgemm=sgemm)


def run_ours(param: Path | None, bin_path: Path | None, inputs: Mapping[str, np.ndarray], outputs: Sequence[str],
             net: Net | None = None) -> dict[str, np.ndarray]:
    """Layerscope's run; int8 blobs stay int8 (raw extraction)."""
    if net is None:
        net = Net()
        net.load_param(param)
        net.load_model(bin_path)
    net.opt.num_threads = 1
    ex = net.create_extractor()
    for k, v in inputs.items():
        ex.input(k, v)
    return {name: np.asarray(ex.extract(name, raw=True)) for name in outputs}


def compare(ours: np.ndarray, ref: np.ndarray, what: str, rel: float = 1e-5) -> None:
    """int8 blobs bit-exact; float blobs within rel * max(1, max |ref|)."""
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} vs ncnn {ref.shape}"
    if ours.dtype == np.int8:  # ncnn hands int8 blobs out cast to float32: every value must be equal
        bad = int(np.count_nonzero(ours.astype(np.float32) != ref))
        assert bad == 0, f"{what}: {bad} of {ref.size} int8 values differ (max |d| " \
                         f"{np.abs(ours.astype(np.float64) - ref).max()})"
        return
    err = float(np.max(np.abs(ours.astype(np.float64) - ref))) if ref.size else 0.0
    tol = rel * max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)
    assert err <= tol, f"{what}: max |diff| {err:.3g} > {tol:.3g}"


def weight_scales(w: np.ndarray, bound: float = 127.0) -> np.ndarray:
    """Per output row `bound / absmax` (rows of w reshaped (out, -1))."""
    absmax = np.abs(w.reshape(w.shape[0], -1)).max(axis=1).astype(np.float32)
    return (np.float32(bound) / absmax).astype(np.float32)


def quantize_weights(w: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """ncnn2int8's rounding: round half away from zero, clamp to +-127."""
    v = w.reshape(w.shape[0], -1).astype(np.float32) * scales[:, None]
    return np.clip(np.trunc(v + np.copysign(np.float32(0.5), v)), -127, 127).astype(np.int8).reshape(-1)


def int8_layer_model(tmp_path: Path, layer_type: str, params: Mapping[int, Any], wq: np.ndarray,
                     bias: np.ndarray | None, w_scales: np.ndarray, s_in: float, s_out: float | None = None,
                     consumer: bool = False) -> tuple[Path, Path]:
    """Input -> the int8 layer -> (optionally a second, fp32 1x1 layer is NOT added: int8 tops are
    extracted directly). Scales written as ncnn2int8 writes them."""
    bw = BinWriter().tagged(wq, "int8")
    if bias is not None:
        bw.raw(bias)
    bw.raw(w_scales).raw(np.array([s_in], np.float32))
    if s_out is not None:
        bw.raw(np.array([s_out], np.float32))
    lines = [LayerLine("Input", "input", [], ["in0"]), LayerLine(layer_type, "op", ["in0"], ["out0"], params)]
    tmp_path.mkdir(parents=True, exist_ok=True)
    param, binf = tmp_path / "m.param", tmp_path / "m.bin"
    write_model(param, binf, lines, bw)
    return param, binf


ACT_PARAMS = {0: None, 1: None, 2: [0.1], 3: [-0.5, 0.7], 4: None, 5: None, 6: [0.2, 0.5]}


def with_activation(params: Mapping[int, Any], act: int) -> dict[int, Any]:
    extra = ACT_PARAMS[act]
    return {**params, 9: act, **({10: extra} if extra else {})}


def check_int8_layer(tmp_path: Path, layer_type: str, params: Mapping[int, Any], wq: np.ndarray,
                     bias: np.ndarray | None, w_scales: np.ndarray, s_in: float, s_out: float | None,
                     x: np.ndarray, packings: Sequence[bool] = (True, False)) -> np.ndarray:
    """One int8 layer against ncnn (with and without the packed layout); returns our output."""
    param, binf = int8_layer_model(tmp_path, layer_type, params, wq, bias, w_scales, s_in, s_out)
    ours = run_ours(param, binf, {"in0": x}, ["out0"])["out0"]
    assert ours.dtype == (np.int8 if s_out is not None else np.float32)
    for packing in packings:
        ref = run_ncnn_int8(param, binf, {"in0": x}, ["out0"], packing=packing)["out0"]
        compare(ours, ref, f"{layer_type} {dict(params)} packing={packing}")
    return ours


def int_reference_conv(xq: np.ndarray, wq: np.ndarray, stride: tuple[int, int] = (1, 1),
                       dilation: tuple[int, int] = (1, 1), group: int = 1) -> np.ndarray:
    """Direct int64 convolution of a padded integer (c, h, w) input: the exact sums."""
    out_c, in_g, kh, kw = wq.shape
    _, hp, wp = xq.shape
    oh = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    y = np.zeros((out_c, oh, ow), np.int64)
    out_g = out_c // group
    for g in range(group):
        xs = xq[g * in_g:(g + 1) * in_g].astype(np.int64)
        ws = wq[g * out_g:(g + 1) * out_g].astype(np.int64)
        for ky in range(kh):
            for kx in range(kw):
                y0, x0 = ky * dilation[0], kx * dilation[1]
                patch = xs[:, y0:y0 + (oh - 1) * stride[0] + 1:stride[0], x0:x0 + (ow - 1) * stride[1] + 1:stride[1]]
                y[g * out_g:(g + 1) * out_g] += np.tensordot(ws[:, :, ky, kx], patch, axes=1)
    return y


def maxabs_table(net: Net, inputs: Mapping[str, np.ndarray], skip: Sequence[str] = ()) -> Int8Table:
    """A simple calibration from one fp32 run: bottom scale 127/absmax of each quantisable layer's first
    bottom blob, weight scales per output channel (per group for depthwise) bound/absmax, with ncnn2table's
    bound 31 for 3x3 stride-1 dilation-1 Convolution (ncnn's int8 Winograd needs it), else 127."""
    table = Int8Table()
    ex = net.create_extractor()
    for k, v in inputs.items():
        ex.input(k, v)
    for layer in net.layers:
        if layer.spec.type not in ("Convolution", "ConvolutionDepthWise", "InnerProduct") or layer.name in skip:
            continue
        x = ex.extract(layer.spec.bottoms[0])
        rows = layer.group if layer.spec.type == "ConvolutionDepthWise" else layer.num_output
        w = np.abs(layer.weights["weight_data"].reshape(rows, -1)).max(axis=1)
        bound = 127.0
        if layer.spec.type == "Convolution" and layer.kernel() == (3, 3) and layer.stride() == (1, 1) \
                and layer.dilation() == (1, 1):
            bound = 31.0
        table.weight_scales[layer.name] = {0: (np.float32(bound) / w).astype(np.float32)}
        table.blob_scales[layer.name] = np.array([127 / np.abs(x).max()], np.float32)
    return table


def compare_all_blobs(param: Path, bin_path: Path, inputs: Mapping[str, np.ndarray], net: Net | None = None,
                      packing: bool = False) -> dict[str, int]:
    """Every blob of the model (but the inputs), ours vs ncnn; returns how many of each kind compared."""
    if net is None:
        net = Net()
        net.load_param(param)
        net.load_model(bin_path)
    names = [b.name for b in net.blobs if b.name not in inputs]
    ours = run_ours(param, bin_path, inputs, names, net=net)
    ref = run_ncnn_int8(param, bin_path, inputs, names, packing=packing)
    kinds = {"int8": 0, "float": 0}
    for name in names:
        compare(ours[name], ref[name], f"blob '{name}'")
        kinds["int8" if ours[name].dtype == np.int8 else "float"] += 1
    return kinds


# -- small models shared by the export and simulate tests ---------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
SQUEEZENET = (ROOT / "resources" / "models" / "squeezenet_v1.1.param",
              ROOT / "resources" / "models" / "squeezenet_v1.1.bin")


def load_net(param: Path, binf: Path) -> Net:
    net = Net()
    net.load_param(param)
    net.load_model(binf)
    return net


def squeezenet_input() -> np.ndarray:
    import cv2
    img = cv2.resize(cv2.imread(str(ROOT / "resources" / "images" / "chelsea.png")), (227, 227))
    return (img.astype(np.float32) - np.array([104, 117, 123], np.float32)).transpose(2, 0, 1).copy()


def fire_model(tmp_path: Path, tail: str = "Convolution") -> tuple[Net, np.ndarray, np.ndarray]:
    """conv0 (ReLU fused) -> Split -> conv1 and (conv2 or a Pooling); conv1 -> deconv (fp32)."""
    rng = np.random.default_rng(1)
    w0, b0 = rng.standard_normal(6 * 3 * 9).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    w1, w2 = rng.standard_normal(4 * 6).astype(np.float32), rng.standard_normal(5 * 6 * 9).astype(np.float32)
    wd = rng.standard_normal(4 * 2 * 4).astype(np.float32)
    bw = BinWriter().tagged(w0).raw(b0).tagged(w1)
    lines = [LayerLine("Input", "input", [], ["in0"]),
             LayerLine("Convolution", "conv0", ["in0"], ["c0"], {0: 6, 1: 3, 4: 1, 5: 1, 6: w0.size, 9: 1}),
             LayerLine("Split", "split", ["c0"], ["s0", "s1"]),
             LayerLine("Convolution", "conv1", ["s0"], ["c1"], {0: 4, 1: 1, 6: w1.size}),
             LayerLine("Deconvolution", "deconv", ["c1"], ["d"], {0: 2, 1: 2, 3: 2, 6: wd.size})]
    if tail == "Convolution":
        lines.insert(4, LayerLine("Convolution", "conv2", ["s1"], ["c2"], {0: 5, 1: 3, 3: 2, 6: w2.size}))
        bw.tagged(w2)
    else:
        lines.insert(4, LayerLine("Pooling", "pool", ["s1"], ["c2"], {0: 0, 1: 2, 2: 2}))
    bw.tagged(wd)
    write_model(tmp_path / "f.param", tmp_path / "f.bin", lines, bw)
    return load_net(tmp_path / "f.param", tmp_path / "f.bin"), w0, wd


def fire_scales(net: Net) -> Int8Table:
    """A max-abs table for fire_model from one random input."""
    return maxabs_table(net, {"in0": np.random.default_rng(2).standard_normal((3, 9, 10)).astype(np.float32)})
