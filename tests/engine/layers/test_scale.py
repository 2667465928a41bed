import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

SHAPES = [(7,), (5, 7), (3, 5, 7), (3, 2, 5, 7), (16, 3, 5)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("bias_term", [0, 1])
def test_scale_matches_ncnn(tmp_path, shape, bias_term):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    n = shape[0]
    s = rng.standard_normal(n).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    bw = BinWriter().raw(s)
    if bias_term:
        bw.raw(b)
    (y,) = check_layer(tmp_path, "Scale", {0: n, 1: bias_term}, [x], weights=bw)
    bshape = (n,) + (1,) * (len(shape) - 1)
    expected = x * s.reshape(bshape) + (b.reshape(bshape) if bias_term else 0)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


# ncnn indexes the second blob linearly: a (c, 1, 1) blob is only read right when ncnn packs it (c % 4 == 0);
# otherwise it reads channel padding, which nobody can match.
@pytest.mark.parametrize("shape,scale_rank", [(s, 1) for s in SHAPES] + [((16, 3, 5), 3), ((8, 2, 5, 7), 3)])
def test_scale_from_second_blob(tmp_path, shape, scale_rank):
    # scale_data_size=-233: the scales come from a second input
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(np.float32)
    s = rng.standard_normal(shape[0]).astype(np.float32)
    blob = s if scale_rank == 1 else s.reshape(-1, 1, 1)
    (y,) = check_layer(tmp_path, "Scale", {0: -233}, [x, blob])
    np.testing.assert_allclose(y, x * s.reshape((-1,) + (1,) * (len(shape) - 1)), rtol=1e-6)
