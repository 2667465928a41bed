"""Real models on the Vulkan backend, every blob against the numpy engine (small inputs: lavapipe is slow)."""
from __future__ import annotations

import pytest

from tests.engine.vulkan.support import load
from tests.support.model_compare import random_input
from tests.support.oracle import assert_blob_close
from tests.support.zoo import MODELS, model_files

pytestmark = [pytest.mark.vulkan, pytest.mark.models]

# (model, odd input shape (c, h, w): W*H not a multiple of 4, layers that may run on the CPU)
CASES = [
    ("squeezenet_v1.1", (3, 67, 65), set()),
    ("realesr-animevideov3-x2", (3, 13, 11), set()),
    ("waifu2x-upconv7-photo-2x", (3, 19, 17), set()),
    ("waifu2x-cunet-noise0-2x", (3, 45, 43), set()),
    ("realcugan-se-up2x-conservative", (3, 42, 46), set()),  # its U-Net needs sizes that fit the skips
    ("realesrgan-x4plus-anime", (3, 5, 7), set()),
    ("pp-ocr-mobile-cls", (3, 48, 192), set()),
    ("pp-ocrv4-det", (3, 96, 128), set()),
    ("pp-ocrv4-rec", (3, 48, 160), set()),
]


def every_blob(net, x, input_name):
    ex = net.create_extractor()
    ex.input(input_name, x)
    names = [b.name for b in net.blobs if b.producer is not None and net.layers[b.producer].spec.type != "Input"]
    return {n: ex.extract(n) for n in names}, ex


@pytest.mark.parametrize("name,shape,cpu_ok", CASES, ids=[c[0] for c in CASES])
def test_real_model_blob_by_blob(vk_device, name, shape, cpu_ok):
    files = model_files(name)
    model = MODELS[name]
    x = random_input(shape, model.value_range)
    ref, _ = every_blob(load(files["param"], files["bin"], False, lightmode=False), x, model.input_name)
    net = load(files["param"], files["bin"], True, lightmode=False)
    ex = net.create_extractor()
    ex.input(model.input_name, x)
    ex.extract_many(net.output_names())
    timing = ex.vulkan_timing
    on_cpu = {r.type for r in timing.layers if r.backend != "vulkan"}
    assert on_cpu <= cpu_ok, f"layers without a shader in {name}: {on_cpu}"
    assert timing.other_host_ms <= 0.05 * timing.wall_ms, timing.parts()
    for blob, value in ref.items():
        assert_blob_close(ex.extract(blob), value, f"{name} blob {blob}")
