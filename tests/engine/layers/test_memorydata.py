import numpy as np
import pytest

from engine.errors import ModelFormatError
from engine.formats.ncnn_writer import BinWriter, LayerLine, write_model
from tests.support.layer_check import run_layerscope
from tests.support.oracle import OracleError, assert_blob_close, run_ncnn

pytestmark = pytest.mark.oracle


def _params(shape):
    """numpy shape -> MemoryData params (0=w 1=h 11=d 2=c)."""
    names = {1: (0,), 2: (1, 0), 3: (2, 1, 0), 4: (2, 11, 1, 0)}[len(shape)]
    return dict(zip(names, shape, strict=False))


def _run(tmp_path, params, weights, extra=()):
    lines = [LayerLine("MemoryData", "md", [], ["out0"], params), *extra]
    param, binf = tmp_path / "m.param", tmp_path / "m.bin"
    write_model(param, binf, lines, weights)
    names = ["out0"] + [t for line in extra for t in line.tops]
    ref = run_ncnn(param, binf, {}, names)
    ours = run_layerscope(param, binf, {}, names)
    for n in names:
        assert_blob_close(ours[n], ref[n], f"MemoryData {params} {n}")
    return ours


@pytest.mark.parametrize("shape", [(7,), (5, 7), (3, 5, 7), (4, 5, 7), (3, 2, 5, 7), (1,), (1, 1, 1)])
def test_memorydata_raw(tmp_path, shape):
    data = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ours = _run(tmp_path, _params(shape), BinWriter().raw(data))
    np.testing.assert_array_equal(ours["out0"], data)


@pytest.mark.parametrize("storage", ["fp32", "fp16"])
@pytest.mark.parametrize("shape", [(7,), (3, 5, 7), (3, 2, 5, 7)])
def test_memorydata_tagged(tmp_path, shape, storage):
    data = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    params = {**_params(shape), 21: 0}
    ours = _run(tmp_path, params, BinWriter().tagged(data, storage))
    expected = data.astype(np.float16).astype(np.float32) if storage == "fp16" else data
    np.testing.assert_array_equal(ours["out0"], expected)


def test_memorydata_feeds_other_layers(tmp_path):
    data = np.random.default_rng(2).standard_normal((3, 5, 7)).astype(np.float32)
    extra = [LayerLine("Permute", "p", ["out0"], ["t"], {0: 5}), LayerLine("Flatten", "f", ["t"], ["flat"])]
    ours = _run(tmp_path, _params(data.shape), BinWriter().raw(data), extra)
    np.testing.assert_array_equal(ours["flat"], data.transpose(2, 1, 0).reshape(-1))


def test_memorydata_without_shape_is_one_element(tmp_path):
    # ncnn creates a 1-element blob and reads nothing (its value is uninitialised: compare the shape)
    lines = [LayerLine("MemoryData", "md", [], ["out0"], {}), LayerLine("MemoryData", "md2", [], ["b"], {0: 3})]
    param, binf = tmp_path / "m.param", tmp_path / "m.bin"
    data = np.array([1.0, 2.0, 3.0], np.float32)
    write_model(param, binf, lines, BinWriter().raw(data))
    ref = run_ncnn(param, binf, {}, ["out0", "b"])
    ours = run_layerscope(param, binf, {}, ["out0", "b"])
    assert ref["out0"].shape == ours["out0"].shape == (1,)
    np.testing.assert_array_equal(ours["b"], ref["b"])
    np.testing.assert_array_equal(ours["b"], data)


@pytest.mark.parametrize("params", [{0: 3, 21: 2}, {0: 3, 2: 2}])
def test_memorydata_refused(tmp_path, params):
    param, binf = tmp_path / "m.param", tmp_path / "m.bin"
    write_model(param, binf, [LayerLine("MemoryData", "md", [], ["out0"], params)], BinWriter().raw(np.zeros(6)))
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {}, ["out0"])
    with pytest.raises(ModelFormatError):
        run_layerscope(param, binf, {}, ["out0"])
