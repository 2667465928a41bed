import numpy as np
import pytest

from engine.kernels.detection import qsort_descent_order
from tests.engine.layers.detection_support import run_ncnn_raw, run_ours, softmax_rows, ssd_inputs
from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

CONFIGS = [
    {0: 4},  # defaults: nms 0.05, nms_top_k 300, keep_top_k 100, confidence 0.5
    {0: 4, 1: 0.45, 4: 0.05},
    {0: 5, 1: 0.3, 2: 6, 3: 9, 4: 0.02},  # both top-k cuts bite
    {0: 3, 1: 0.6, 2: 400, 3: 1000, 4: 0.01},
    {0: 6, 1: 0.45, 3: 20, 4: 0.1},
]


@pytest.mark.parametrize("params", CONFIGS)
@pytest.mark.parametrize("num_prior", [37, 200])
@pytest.mark.parametrize("ties", [False, True])
def test_detectionoutput_matches_ncnn(tmp_path, params, num_prior, ties):
    rng = np.random.default_rng(num_prior + params[0])
    inputs = ssd_inputs(rng, num_prior, params[0], ties)
    (y,) = check_layer(tmp_path, "DetectionOutput", params, list(inputs))
    assert y.ndim == 2 and y.shape[1] == 6 and len(y) > 1  # non-trivial: rows in ncnn's order
    assert np.all(np.diff(y[:, 1]) <= 0)


def test_detectionoutput_mxnet_style(tmp_path):
    rng = np.random.default_rng(3)
    location, confidence, priorbox = ssd_inputs(rng, 90, 4)
    priors = priorbox[0].reshape(90, 4)  # mxnet: (num_prior, 4) boxes, [class][prior] scores
    params = {0: -233, 1: 0.45, 4: 0.05, 5: 0.15, 6: 0.12, 7: 0.25, 8: 0.3}
    (y,) = check_layer(tmp_path, "DetectionOutput", params, [location, confidence.T.copy(), priors])
    assert len(y) > 1


def test_detectionoutput_by_hand(tmp_path):
    # one prior [0.2, 0.2, 0.6, 0.6], offsets (1, 0, log 2 / 0.2, 0) with variances 0.1 / 0.2:
    # centre (0.44, 0.4), size (0.8, 0.4)
    loc = np.array([1.0, 0.0, np.log(2) / 0.2, 0.0], np.float32)
    conf = np.array([[0.1, 0.2, 0.7]], np.float32)
    pb = np.array([[0.2, 0.2, 0.6, 0.6], [0.1, 0.1, 0.2, 0.2]], np.float32)
    (y,) = check_layer(tmp_path, "DetectionOutput", {0: 3}, [loc, conf, pb])
    np.testing.assert_allclose(y, [[2, 0.7, 0.04, 0.2, 0.84, 0.6]], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("params,background", [({0: 3}, 4.0), ({0: 1}, 0.0), ({0: 3, 2: 0}, 0.0),
                                               ({0: 3, 3: 0}, 0.0)])
def test_detectionoutput_no_detection(tmp_path, params, background):
    # background wins / only a background class / nms_top_k 0 / keep_top_k 0:
    # ncnn returns 0 with an empty Mat (dims 0); we give a (0, 6) array
    rng = np.random.default_rng(5)
    location, _, priorbox = ssd_inputs(rng, 20, 3)
    confidence = softmax_rows(np.tile([background, 0.0, 0.0], (20, 1)))
    inputs = [location, confidence, priorbox]
    ret, dims, _ = run_ncnn_raw(tmp_path, "DetectionOutput", params, inputs)
    assert (ret, dims) == (0, 0)
    y = run_ours(tmp_path, "DetectionOutput", params, inputs)
    assert y.shape == (0, 6) and y.dtype == np.float32


def test_qsort_order_replays_ncnn_ties():
    # hand-traced Hoare partition, middle pivot 2: swap (0,2) gives [2,2,1,1]; the tail [1,1] swaps too
    assert qsort_descent_order(np.array([1, 2, 2, 1], np.float32)).tolist() == [2, 1, 3, 0]
    assert qsort_descent_order(np.array([3, 1, 2], np.float32)).tolist() == [0, 2, 1]
