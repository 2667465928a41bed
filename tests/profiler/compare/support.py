"""Test helpers for the FP32-vs-int8 comparison: a small model with a requantising convolution feeding a
Split (so int8 blobs flow), SqueezeNet, and a max-abs table built here from one fp32 run (independent of
profiler.calibration)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from engine import Net
from engine.int8.table import Int8Table
from engine.preprocess import load_image, preprocess
from engine.model_files import read_preprocess

ROOT = Path(__file__).resolve().parents[3]
SQUEEZENET = ROOT / "resources" / "models" / "squeezenet_v1.1.param"
CAT = ROOT / "resources" / "images" / "chelsea.png"
COFFEE = ROOT / "resources" / "images" / "coffee.png"
QUANTISABLE = ("Convolution", "ConvolutionDepthWise", "InnerProduct")

# conv1 (ReLU fused) -> Split -> conv2 (1x1) and dw: conv1 requantises (int8_scale_term 102), the Split
# hands int8 to both; Eltwise and pooling run fp32; fc is an int8 InnerProduct.
SMALL = """7767517
8 10
Input                data   0 1 data 0=10 1=8 2=3
Convolution          conv1  1 1 data c1 0=8 1=3 4=1 5=1 6=216 9=1
Split                sp     1 2 c1 c1a c1b
Convolution          conv2  1 1 c1a c2 0=8 1=1 5=1 6=64
ConvolutionDepthWise dw     1 1 c1b d1 0=8 1=3 4=1 5=1 6=72 7=8
Eltwise              add    2 1 c2 d1 e 0=1
Pooling              gap    1 1 e p 0=1 4=1
InnerProduct         fc     1 1 p out 0=5 1=1 2=40
"""


def small_net(seed: int = 3) -> Net:
    net = Net()
    net.load_param_text(SMALL, "small.param")
    net.load_synthetic_weights("random", seed=seed)
    return net


def small_inputs(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1 + i, (3, 8, 10)).astype(np.float32) for i in range(n)]


def squeezenet() -> Net:
    net = Net()
    net.load_param(SQUEEZENET)
    net.load_model(SQUEEZENET.with_suffix(".bin"))
    return net


def squeezenet_input(image: Path = CAT) -> np.ndarray:
    return preprocess(load_image(image), read_preprocess(SQUEEZENET.with_suffix(".preprocess.json")))


def fp32_blobs(net: Net, x: np.ndarray) -> dict[str, np.ndarray]:
    """Every blob of a plain fp32 run (extracted one by one, no hooks)."""
    ex = net.create_extractor()
    ex.input(net.input_names()[0], x)
    return {b.name: np.asarray(ex.extract(b.name)) for b in net.blobs}


def maxabs_table(net: Net, x: np.ndarray, skip: tuple[str, ...] = ()) -> Int8Table:
    """Bottom scale 127/absmax of each quantisable layer's first bottom (one fp32 run on x); weight scales
    127/absmax per output channel (per group for ConvolutionDepthWise)."""
    blobs = fp32_blobs(net, x)
    table = Int8Table()
    for layer in net.layers:
        if layer.spec.type not in QUANTISABLE or layer.name in skip:
            continue
        rows = layer.group if layer.spec.type == "ConvolutionDepthWise" else layer.num_output
        w = np.abs(np.asarray(layer.weights["weight_data"], np.float32).reshape(rows, -1)).max(axis=1)
        table.weight_scales[layer.name] = {0: (np.float32(127) / w).astype(np.float32)}
        table.blob_scales[layer.name] = np.array([127 / np.abs(blobs[layer.spec.bottoms[0]]).max()], np.float32)
    return table


def round_half_away(v: np.ndarray) -> np.ndarray:
    """ncnn's float2int8 in float64 terms: round half away from zero, clamp to [-127, 127]."""
    return np.clip(np.sign(v) * np.floor(np.abs(v) + 0.5), -127, 127)


def hand_int8_pointwise(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None, s_in: float,
                        w_scales: np.ndarray) -> np.ndarray:
    """An int8 1x1 convolution (or InnerProduct on a (c,) / (c,1,1) input) by hand, in exact integers:
    quantise x and w, integer matmul, dequantise with 1 / (s_in * s_w) and add the bias."""
    c = w.shape[1]
    # the products are float32 as in ncnn (float2int8(x * scale)); rounding and sums are exact here
    xq = round_half_away((x.astype(np.float32) * np.float32(s_in)).astype(np.float64)).reshape(c, -1)
    wq = round_half_away((w.astype(np.float32) * w_scales.astype(np.float32)[:, None]).astype(np.float64))
    acc = wq.astype(np.int64) @ xq.astype(np.int64)
    y = acc / (np.float64(s_in) * w_scales.astype(np.float64))[:, None]
    if bias is not None:
        y = y + bias.astype(np.float64)[:, None]
    return y


def write_small(folder: Path, seed: int = 3) -> tuple[Path, Net]:
    """SMALL as small.param + small.bin (fp32, ncnn's order: tagged weights, raw bias); returns the
    param path and the same model loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    chunks = []
    for n_weights, n_bias in ((216, 8), (64, 8), (72, 8), (40, 5)):  # conv1, conv2, dw, fc
        chunks += [np.zeros(1, np.uint32).tobytes(), rng.uniform(-1, 1, n_weights).astype(np.float32).tobytes(),
                   rng.uniform(-0.5, 0.5, n_bias).astype(np.float32).tobytes()]
    param = folder / "small.param"
    param.write_text(SMALL)
    param.with_suffix(".bin").write_bytes(b"".join(chunks))
    net = Net()
    net.load_param(param)
    net.load_model(param.with_suffix(".bin"))
    return param, net
