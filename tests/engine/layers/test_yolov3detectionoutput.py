import numpy as np
import pytest

from engine.errors import LayerRuntimeError
from tests.engine.layers.detection_support import assert_param_refused, run_ncnn_raw, run_ours
from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

BIASES = [10.0, 13.0, 16.0, 30.0, 33.0, 23.0, 30.0, 61.0, 62.0, 45.0, 59.0, 119.0, 116.0, 90.0, 156.0, 198.0,
          373.0, 326.0]


def head(rng, num_box, num_class, h, w, ties=False):
    """One YOLO head: mostly weak cells, some strong ones, neighbouring boxes overlapping."""
    x = rng.standard_normal((num_box, 5 + num_class, h, w)).astype(np.float32)
    x[:, 4] = rng.choice([-6.0, -1.0, 0.5, 2.0, 4.0], (num_box, h, w)) + rng.standard_normal((num_box, h, w)) * 0.3
    x[:, 5:] *= 3
    if ties:  # exact duplicate scores at different cells
        x[:, 4] = np.round(x[:, 4])
        x[:, 5:] = np.round(x[:, 5:])
    return x.reshape(num_box * (5 + num_class), h, w).astype(np.float32)


CASES = [
    # (num_class, num_box, head shapes, params)
    (4, 3, [(5, 7)], {2: 0.3, 3: 0.45, 5: [6.0, 7.0, 8.0], 6: [32.0]}),
    (4, 3, [(5, 7), (10, 14)], {2: 0.25, 3: 0.45, 5: [6.0, 7.0, 8.0, 3.0, 4.0, 5.0], 6: [32.0, 16.0]}),
    (3, 3, [(4, 4), (8, 8), (16, 16)],
     {2: 0.5, 3: 0.3, 5: [6.0, 7.0, 8.0, 3.0, 4.0, 5.0, 0.0, 1.0, 2.0], 6: [32.0, 16.0, 8.0]}),
    (2, 2, [(9, 11)], {2: 0.05, 3: 0.6, 5: [1.0, 4.0], 6: [10.5]}),  # fractional anchors_scale
]


@pytest.mark.parametrize("num_class,num_box,shapes,params", CASES)
@pytest.mark.parametrize("ties", [False, True])
def test_yolov3_matches_ncnn(tmp_path, num_class, num_box, shapes, params, ties):
    rng = np.random.default_rng(num_class * 10 + len(shapes))
    inputs = [head(rng, num_box, num_class, h, w, ties) for h, w in shapes]
    params = {0: num_class, 1: num_box, 4: BIASES, **params}
    (y,) = check_layer(tmp_path, "Yolov3DetectionOutput", params, inputs)
    assert y.shape[1] == 6 and len(y) > 3  # several detections, rows in ncnn's order
    assert len(set(y[:, 0].tolist())) > 1  # several classes
    assert np.all(np.diff(y[:, 1]) <= 0)


def test_yolov3_default_params(tmp_path):
    rng = np.random.default_rng(1)  # num_class 20, num_box 5, thresholds 0.01 / 0.45
    check_layer(tmp_path, "Yolov3DetectionOutput", {4: BIASES[:10], 5: [0.0, 1.0, 2.0, 3.0, 4.0], 6: [32.0]},
                [head(rng, 5, 20, 3, 4)])


def test_yolov3_int_written_biases_and_scales(tmp_path):
    # int arrays for biases / anchors_scale are read by value; a mask of all-zero ints is accepted
    rng = np.random.default_rng(4)
    params = {0: 4, 1: 3, 2: 0.2, 4: [int(b) for b in BIASES], 5: [0, 0, 0], 6: [32]}
    check_layer(tmp_path, "Yolov3DetectionOutput", params, [head(rng, 3, 4, 5, 7)])


GOOD = {0: 4, 1: 3, 4: BIASES[:6], 5: [0.0, 1.0, 2.0], 6: [32.0]}
REFUSED = [  # what pip ncnn's load_param refuses (its newer source validates these)
    {4: None}, {5: None}, {6: None}, {0: 0}, {1: 0},
    {4: BIASES[:5]}, {4: [-10.0] + BIASES[1:6]}, {4: [0.0] + BIASES[1:6]},  # odd count, <= 0
    {5: [0.0, 1.0]}, {5: [0.0, 1.0, 2.0, 1.0]}, {5: [0.0, 1.0, 2.0] * 2},  # not num_box per anchors_scale
    {5: [0.0, 1.0, 3.0]}, {5: [0.0, 1.0, 2.5]}, {5: [0.0, 1.0, -1.0]},  # not an anchor index
    {5: [0, 1, 2]},  # ints: ncnn checks their bits as floats
    {6: [0.0]}, {6: [-32.0]},
]


@pytest.mark.parametrize("change", REFUSED)
def test_yolov3_refused_params(tmp_path, change):
    params = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    assert_param_refused(tmp_path, "Yolov3DetectionOutput", params, 1)


def test_yolov3_accepted_params(tmp_path):
    # more anchors_scale values than mask groups, duplicate mask entries: accepted by both
    rng = np.random.default_rng(6)
    params = {**GOOD, 2: 0.2, 5: [1.0, 1.0, 2.0], 6: [32.0, 16.0]}
    check_layer(tmp_path, "Yolov3DetectionOutput", params, [head(rng, 3, 4, 5, 7)])


def test_yolov3_by_hand(tmp_path):
    # one cell, one box, two classes: x = y = w = h = 0, objectness 1, class logits (2, -1)
    x = np.array([0, 0, 0, 0, 1.0, 2.0, -1.0], np.float32).reshape(7, 1, 1)
    params = {0: 2, 1: 1, 2: 0.0, 4: [10.0, 14.0], 5: [0.0], 6: [32.0]}
    (y,) = check_layer(tmp_path, "Yolov3DetectionOutput", params, [x])
    score = 1 / (1 + np.exp(-1.0) * (1 + np.exp(-2.0)))  # ncnn's formula, not sigmoid * sigmoid
    bw, bh = 10.0 / 32, 14.0 / 32
    np.testing.assert_allclose(y, [[1, score, 0.5 - bw / 2, 0.5 - bh / 2, 0.5 + bw / 2, 0.5 + bh / 2]], rtol=1e-6)


def test_yolov3_no_detection(tmp_path):
    rng = np.random.default_rng(2)
    x = head(rng, 3, 4, 5, 7)
    x[4::9] = -20.0  # objectness off everywhere
    params = {0: 4, 1: 3, 2: 0.5, 4: BIASES, 5: [6.0, 7.0, 8.0], 6: [32.0]}
    ret, dims, _ = run_ncnn_raw(tmp_path, "Yolov3DetectionOutput", params, [x])
    assert (ret, dims) == (0, 0)
    y = run_ours(tmp_path, "Yolov3DetectionOutput", params, [x])
    assert y.shape == (0, 6) and y.dtype == np.float32


def test_yolov3_wrong_channel_count(tmp_path):
    x = np.zeros((3 * 8, 4, 4), np.float32)  # 3 boxes x (5 + 3), but num_class is 4
    params = {0: 4, 1: 3, 4: BIASES, 5: [6.0, 7.0, 8.0], 6: [32.0]}
    ret, _, _ = run_ncnn_raw(tmp_path, "Yolov3DetectionOutput", params, [x])
    assert ret != 0
    with pytest.raises(LayerRuntimeError):
        run_ours(tmp_path, "Yolov3DetectionOutput", params, [x])


def test_yolov3_more_inputs_than_mask_groups(tmp_path):
    # ncnn reads past mask/anchors_scale (garbage boxes); we refuse at run time
    rng = np.random.default_rng(9)
    with pytest.raises(LayerRuntimeError):
        run_ours(tmp_path, "Yolov3DetectionOutput", GOOD, [head(rng, 3, 4, 5, 7), head(rng, 3, 4, 10, 14)])
