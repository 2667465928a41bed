import numpy as np
import pytest

from engine import Net
from engine.errors import ModelFormatError
from tests.engine.layers.conv_support import (
    ACTIVATIONS,
    act_params,
    naive_deconv,
    run,
)
from tests.support.layer_check import check_layer, one_layer_model

pytestmark = pytest.mark.oracle

# (in channels, num_output, group): depthwise, depthwise with multiplier, plain grouped, group 1.
GROUPINGS = [(5, 5, 5), (4, 8, 4), (4, 4, 2), (4, 6, 2), (6, 3, 3), (3, 4, 1)]


@pytest.mark.parametrize("cin,cout,group", GROUPINGS)
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel", [(3, 3), (2, 4)])
def test_groupings(tmp_path, cin, cout, group, stride, kernel):
    kh, kw = kernel
    params = {0: cout, 1: kw, 11: kh, 3: stride, 7: group}
    y, x, w, b = run(tmp_path, "DeconvolutionDepthWise", params, (cin, 5, 6), cout * (cin // group) * kh * kw)
    w = w.reshape(cout, cin // group, kh, kw)
    out_g, in_g = cout // group, cin // group
    ref = np.concatenate([naive_deconv(x[g * in_g:(g + 1) * in_g], w[g * out_g:(g + 1) * out_g],
                                       b[g * out_g:(g + 1) * out_g], (stride, stride), (1, 1))
                          for g in range(group)])
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("cin,cout,group", GROUPINGS)
@pytest.mark.parametrize("crop", [{4: 1, 18: 1}, {4: -233, 20: 9, 21: 8}, {4: -234, 20: 10, 21: 11, 19: 1}])
def test_crop_dilation(tmp_path, cin, cout, group, crop):
    params = {0: cout, 1: 3, 2: 2, 3: 2, 7: group, **crop}
    run(tmp_path, "DeconvolutionDepthWise", params, (cin, 4, 5), cout * (cin // group) * 9)


@pytest.mark.parametrize("act,extra", ACTIVATIONS)
def test_fused_activation(tmp_path, act, extra):
    params = {0: 4, 1: 3, 3: 2, 7: 4, **act_params(act, extra)}
    run(tmp_path, "DeconvolutionDepthWise", params, (4, 5, 6), 36, bias=act % 2 == 0)


def test_fp16_weights(tmp_path):
    run(tmp_path, "DeconvolutionDepthWise", {0: 6, 1: 3, 3: 2, 7: 2}, (4, 5, 6), 6 * 2 * 9, storage="fp16")


@pytest.mark.parametrize("cin,cout,group", [(4, 4, 4), (4, 6, 2)])
def test_dynamic_weight(tmp_path, cin, cout, group):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((cin, 5, 6)).astype(np.float32)
    w = rng.standard_normal((cin, cout // group, 3, 3)).astype(np.float32)  # (in, out/group, kh, kw)
    b = rng.standard_normal(cout).astype(np.float32)
    check_layer(tmp_path, "DeconvolutionDepthWise", {0: cout, 1: 3, 3: 2, 5: 1, 7: group, 28: 1}, [x, w, b])


def test_refused_group(tmp_path):
    param, _ = one_layer_model(tmp_path, "DeconvolutionDepthWise", {0: 6, 1: 3, 6: 6 * 9, 7: 4}, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)
