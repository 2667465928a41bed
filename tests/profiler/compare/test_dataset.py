"""Per-layer error over a set of inputs: mean and worst of each metric (worst image named) against
separate one-image comparisons, progress and cancel, images read through the model's preprocessing."""
from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from engine.int8.simulate import int8_net
from engine.preprocess import Preprocess
from profiler.compare import (METRICS, Bound, CompareCancelled, CompareError, compare_image, compare_set,
                              list_inputs)
from tests.profiler.compare.support import maxabs_table, small_inputs, small_net


@pytest.fixture(scope="module")
def setup():
    net = small_net()
    xs = small_inputs(3)
    table = maxabs_table(net, xs[0])  # calibrated on the first input: the others clip more
    return net, int8_net(net, table), xs


def test_mean_and_worst_match_separate_runs(setup) -> None:
    net, twin, xs = setup
    result = compare_set(net, twin, xs)
    assert result.images == ("#0", "#1", "#2")
    singles = [compare_image(net, twin, x) for x in xs]
    assert [(r.layer, r.blob) for r in result.rows] == [(r.layer, r.blob) for r in singles[0].rows]
    for k, row in enumerate(result.rows):
        for mode in ("accumulated", "isolated"):
            per = [s.rows[k].metrics(mode) for s in singles]
            summary = row.summary(mode)
            if per[0] is None:
                assert summary is None
                continue
            for metric, higher_better in METRICS.items():
                values = [m.get(metric) for m in per]
                s = summary[metric]
                assert s.values == tuple(values)
                assert s.mean == pytest.approx(sum(values) / 3, rel=1e-12)
                worst = min(values) if higher_better else max(values)
                assert s.worst == worst and s.worst_image == f"#{values.index(worst)}"


def test_worst_image_is_the_one_with_the_most_clipping(setup) -> None:
    net, twin, xs = setup
    result = compare_set(net, twin, xs)
    fc = next(r for r in result.rows if r.layer == "fc")
    # input #2 has 3x the spread of #0, which the table was made from: the most clipped, the worst
    assert fc.accumulated["cosine"].worst_image == "#2"
    assert fc.accumulated["cosine"].worst < fc.accumulated["cosine"].values[0]


def test_first_crossing_over_the_set_names_the_image(setup) -> None:
    net, twin, xs = setup
    result = compare_set(net, twin, xs)
    conv1 = result.rows[0].accumulated["cosine"]
    at_worst = result.first_crossing(Bound("cosine", conv1.worst))  # equal to the bound is not crossing it
    assert at_worst is None or at_worst[0].layer != "conv1"
    row, image = result.first_crossing(Bound("cosine", np.nextafter(conv1.worst, 2)))
    assert row.layer == "conv1" and image == conv1.worst_image
    assert result.first_crossing(Bound("cosine", -1.0)) is None


def test_progress_and_cancel(setup) -> None:
    net, twin, xs = setup
    calls = []
    compare_set(net, twin, xs, progress=lambda d, t, m: calls.append((d, t)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    cancel = threading.Event()
    seen = []

    def progress(done: int, total: int, message: str) -> None:
        seen.append(done)
        if done == 1:
            cancel.set()  # as a GUI's cancel button would, between two images

    with pytest.raises(CompareCancelled):
        compare_set(net, twin, xs, progress=progress, cancel=cancel)
    assert seen == [0, 1]


def test_image_files_go_through_the_preprocessing(setup, tmp_path) -> None:
    net, twin, xs = setup
    rng = np.random.default_rng(1)
    for i in range(2):
        cv2.imwrite(str(tmp_path / f"img{i}.png"), rng.integers(0, 256, (8, 10, 3), dtype=np.uint8))
    np.save(tmp_path / "z.npy", xs[1])
    (tmp_path / "notes.txt").write_text("not an image")
    files = list_inputs(tmp_path)
    assert [f.name for f in files] == ["img0.png", "img1.png", "z.npy"]
    spec = Preprocess(width=10, height=8, mean=(127.5, 127.5, 127.5), norm=(1 / 64, 1 / 64, 1 / 64))
    result = compare_set(net, twin, files, spec, isolated=False)
    assert result.images == tuple(str(f) for f in files)
    img0 = cv2.imread(str(files[0])).astype(np.float32).transpose(2, 0, 1)
    one = compare_image(net, twin, (img0 - np.float32(127.5)) * np.float32(1 / 64), isolated=False)
    assert result.rows[-1].accumulated["cosine"].values[0] == pytest.approx(one.rows[-1].accumulated.cosine, rel=1e-9)
    npy = compare_image(net, twin, xs[1]).rows[-1].accumulated.cosine
    assert result.rows[-1].accumulated["cosine"].values[2] == npy


def test_bad_inputs_are_named(setup, tmp_path) -> None:
    net, twin, _ = setup
    with pytest.raises(CompareError, match="no inputs"):
        compare_set(net, twin, [])
    with pytest.raises(CompareError, match="not a folder"):
        list_inputs(tmp_path / "missing")
    with pytest.raises(CompareError, match="no images"):
        list_inputs(tmp_path)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a png")
    with pytest.raises(CompareError, match="broken.png"):
        compare_set(net, twin, [bad], Preprocess(width=10, height=8))
