import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError
from tests.engine.layers.detection_support import assert_param_refused
from tests.support.layer_check import check_layer, one_layer_model

pytestmark = pytest.mark.oracle

FEAT = np.zeros((3, 5, 7), np.float32)  # w=7, h=5: only the shapes are read
IMAGE = np.zeros((3, 300, 280), np.float32)

CAFFE = [
    {0: [30.0], 9: -233, 10: -233},  # one min size, defaults elsewhere
    {0: [30.0, 60.0], 1: [60.0, 111.0], 2: [2.0, 3.0], 9: -233, 10: -233},
    {0: [30.0], 1: [60.0], 2: [2.0], 7: 0, 9: -233, 10: -233, 13: 0.5},  # no flip, centre offset
    {0: [45.0], 2: [0.5, 2.0], 3: 0.15, 4: 0.25, 5: 0.3, 6: 0.35, 8: 1, 9: -233, 10: -233, 13: 0.5},  # clip
    {0: [30.0], 1: [90.0], 2: [2.0], 9: 320, 10: 240, 11: 16.0, 12: 32.0, 13: 0.5},  # explicit image + steps
    {0: [32.0], 2: [2.0], 9: -233, 10: -233, 11: 8.0, 13: 0.5},  # step_width only
    {0: [30.0], 2: [1.5], 9: -233, 10: -233, 13: 0.5, 14: 1},  # mmdetection: ceil steps
    {0: [30.0], 2: [1.5], 9: -233, 10: -233, 13: 0.5, 14: 1, 15: 1},  # mmdetection centres
    {0: [30.0], 9: 300, 10: -233},  # width given, height from the image
    {0: [30.0, 50.0], 1: [60.0, 70.0], 2: [2], 9: -233, 10: -233},  # int-written aspect ratio
]


@pytest.mark.parametrize("params", CAFFE)
@pytest.mark.parametrize("feat_shape", [(3, 5, 7), (2, 1, 1), (4, 19, 19)])
def test_priorbox_caffe_matches_ncnn(tmp_path, params, feat_shape):
    (y,) = check_layer(tmp_path, "PriorBox", params, [np.zeros(feat_shape, np.float32), IMAGE])
    n_prior = len(params[0]) * (1 + len(params.get(2, [])) * (1 + params.get(7, 1))) + len(params.get(1, []))
    assert y.shape == (2, 4 * feat_shape[1] * feat_shape[2] * n_prior)


def test_priorbox_by_hand(tmp_path):
    # 2x2 feature map on a 100x100 image: step 50, centres 25 and 75; one 20x20 box per location
    (y,) = check_layer(tmp_path, "PriorBox", {0: [20.0], 9: -233, 10: -233, 13: 0.5},
                       [np.zeros((1, 2, 2), np.float32), np.zeros((1, 100, 100), np.float32)])
    boxes = y[0].reshape(2, 2, 4)
    np.testing.assert_allclose(boxes[0, 1], [0.65, 0.15, 0.85, 0.35], rtol=1e-6)
    np.testing.assert_allclose(y[1].reshape(-1, 4), np.tile([0.1, 0.1, 0.2, 0.2], (4, 1)), rtol=1e-6)


def test_priorbox_one_bottom_with_image_size(tmp_path):
    check_layer(tmp_path, "PriorBox", {0: [30.0], 1: [60.0], 2: [2.0], 9: 300, 10: 300}, [FEAT])


def test_priorbox_default_image_size_zero(tmp_path):
    # image_width/height default to 0: ncnn divides by zero (inf/nan), clip maps the infs to 0/1
    check_layer(tmp_path, "PriorBox", {0: [30.0], 13: 0.5}, [FEAT, IMAGE])
    check_layer(tmp_path, "PriorBox", {0: [30.0], 8: 1, 13: 0.5}, [FEAT, IMAGE])


MXNET = [
    {0: [0.2], 2: [1.0], 9: -233, 10: -233},
    {0: [0.2, 0.272], 2: [1.0, 2.0, 0.5], 9: -233, 10: -233, 13: 0.5},
    {0: [0.5, 0.9], 2: [1.0, 3.0], 8: 1, 9: -233, 10: -233, 13: 0.5},  # clip
    {0: [0.3], 2: [1.0, 2.0], 9: -233, 10: -233, 11: 0.1, 12: 0.125, 13: 0.5},  # explicit steps
]


@pytest.mark.parametrize("params", MXNET)
@pytest.mark.parametrize("feat_shape", [(3, 5, 7), (2, 6, 4)])
def test_priorbox_mxnet_matches_ncnn(tmp_path, params, feat_shape):
    (y,) = check_layer(tmp_path, "PriorBox", params, [np.zeros(feat_shape, np.float32)])
    assert y.ndim == 1 and y.size == 4 * feat_shape[1] * feat_shape[2] * (len(params[0]) + len(params[2]) - 1)


@pytest.mark.parametrize("params", [{}, {1: [60.0]}, {0: [30.0, 60.0], 1: [90.0]}, {0: [30.0], 1: [60.0, 90.0]},
                                    {0: 30.0}])
def test_priorbox_refused_params(tmp_path, params):
    # no min_sizes, max_sizes not one per min_size, a scalar where an array belongs
    assert_param_refused(tmp_path, "PriorBox", params, 2)


def test_priorbox_image_size_from_missing_image(tmp_path):
    param, binf = one_layer_model(tmp_path, "PriorBox", {0: [30.0], 1: [60.0], 9: -233, 10: -233}, 1, 1)
    net = Net()
    net.load_param(param)
    net.load_model(binf)
    ex = net.create_extractor()
    ex.input("in0", FEAT)
    with pytest.raises(LayerRuntimeError):
        ex.extract("out0")
