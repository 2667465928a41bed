"""Real trained models from PyPI packages: every intermediate blob equals ncnn's (CPU, fp32)."""
from __future__ import annotations

import numpy as np
import pytest

from engine import Net
from tests.support.model_compare import compare_every_blob, random_input
from tests.support.zoo import MODELS, model_files

pytestmark = [pytest.mark.oracle, pytest.mark.models]

ISSUE_MODELS = [
    "squeezenet_v1.1", "realesr-animevideov3-x2", "realesrgan-x4plus-anime", "waifu2x-cunet-noise0-2x",
    "waifu2x-upconv7-photo-2x", "realcugan-se-up2x-conservative", "pp-ocrv4-det", "pp-ocrv4-rec",
    "pp-ocr-mobile-cls",
]


@pytest.mark.parametrize("name", ISSUE_MODELS)
def test_every_blob_matches_ncnn(name):
    files = model_files(name)
    model = MODELS[name]
    x = random_input(model.input_shape, model.value_range)
    diffs = compare_every_blob(files["param"], files["bin"], {model.input_name: x})
    bad = [d for d in diffs if not d.ok]
    report = "\n".join(f"  {d.name}: shape {d.shape} vs {d.ref_shape}, max|diff| {d.error:.3g} > {d.bound:.3g}"
                       for d in bad[:20])
    assert not bad, f"{len(bad)} of {len(diffs)} blobs differ from ncnn:\n{report}"
    # every layer's output was compared (Input excluded): nothing skipped silently
    net = Net()
    net.load_param(files["param"])
    produced = {top for layer in net.layers if layer.spec.type != "Input" for top in layer.spec.tops}
    assert {d.name for d in diffs} == produced and len(diffs) >= 5


def test_binary_param_runs_like_the_text_param():
    files = model_files("squeezenet_v1.1")
    x = random_input((3, 227, 227), (-100, 100))
    outs = []
    for param, out_name in ((files["param"], "prob"), (files["param_bin"], None)):
        net = Net()
        net.load_param(param)
        net.load_model(files["bin"])
        ex = net.create_extractor()
        ex.input(0 if out_name is None else "data", x)
        outs.append(ex.extract(out_name if out_name else net.output_names()[0]))
    np.testing.assert_array_equal(outs[0], outs[1])
    assert outs[0].shape == (1000,) and abs(float(outs[0].sum()) - 1.0) < 1e-4
