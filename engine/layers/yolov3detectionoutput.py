"""Yolov3DetectionOutput: decode YOLOv3 heads (one or more scales) and run class-agnostic NMS.

Each input is (num_box * (5 + num_class), h, w): per box x, y, w, h, objectness, class scores.
Output (N, 6) rows [class + 1, score, xmin, ymin, xmax, ymax] in [0, 1] units; (0, 6) with no detection
(ncnn returns an empty Mat). As in ncnn (pip 1.0.20261020 and its source), the score is
`1 / (1 + exp(-obj) * (1 + exp(-cls)))` — not sigmoid(obj) * sigmoid(cls), despite ncnn's comment —
and NMS ignores the class, dropping a box when `inter > nms_threshold * union` with areas w * h.
ncnn is built with -ffast-math, so its scores/boxes may differ from ours in the last bit or two.
"""
from __future__ import annotations

import numpy as np

from ..kernels.detection import expf, nms_sorted, qsort_descent_order, sigmoid
from ..layer import FLOAT, FLOATS, INT, INTS, Layer, Param
from ..option import Option

F32 = np.float32


class Yolov3DetectionOutput(Layer):
    type_name = "Yolov3DetectionOutput"
    one_blob_only = False
    num_class = Param(0, INT, 20)
    num_box = Param(1, INT, 5)
    confidence_threshold = Param(2, FLOAT, 0.01)
    nms_threshold = Param(3, FLOAT, 0.45)
    biases = Param(4, FLOATS)
    mask = Param(5, FLOATS)
    anchors_scale = Param(6, FLOATS)

    def check_params(self) -> None:
        """The checks pip ncnn 1.0.20261020 makes in load_param (newer than the source we read)."""
        if self.num_box < 1 or self.num_class < 1:
            raise self.param_error(f"num_box (1) {self.num_box} and num_class (0) {self.num_class} must be >= 1")
        if not self.biases or len(self.biases) % 2 or not all(b > 0 for b in self.biases):
            raise self.param_error(f"biases (4) must be (w, h) pairs > 0, got {list(self.biases)}")
        if not self.anchors_scale or not all(a > 0 for a in self.anchors_scale):
            raise self.param_error(f"anchors_scale (6) must be values > 0, got {list(self.anchors_scale)}")
        groups, rest = divmod(len(self.mask), self.num_box)
        if not self.mask or rest or groups > len(self.anchors_scale):
            raise self.param_error(f"mask (5) needs num_box ({self.num_box}) entries per anchors_scale (6) value, "
                                   f"got {len(self.mask)} for {len(self.anchors_scale)}")
        written = self.spec.params.get(5)
        if written is not None and written.kind == INTS and any(written.as_ints()):
            raise self.param_error("mask (5) is written as ints; ncnn reads their bits as floats and refuses them")
        if not all(float(m).is_integer() and 0 <= m < len(self.biases) // 2 for m in self.mask):
            raise self.param_error(f"mask (5) must hold anchor indices below {len(self.biases) // 2}, "
                                   f"got {list(self.mask)}")

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        found = [self._decode(b, x, bottoms) for b, x in enumerate(bottoms)]
        rows = np.concatenate([r for per_scale in found for r in per_scale] or [np.zeros((0, 7), F32)])
        # rows: score, xmin, ymin, xmax, ymax, area, label
        rows = rows[qsort_descent_order(rows[:, 0])]
        with np.errstate(over="ignore", invalid="ignore"):
            rows = rows[nms_sorted(rows[:, 1:5], rows[:, 5], self.nms_threshold, product_form=True)]
        out = np.empty((len(rows), 6), F32)
        out[:, 0] = rows[:, 6] + F32(1)  # +1 for the virtual background class
        out[:, 1:] = rows[:, :5]
        return [out]

    def _decode(self, b: int, x: np.ndarray, bottoms: list[np.ndarray]) -> list[np.ndarray]:
        """Candidate rows of input `b`, box by box, each in (y, x) order."""
        if x.ndim != 3 or x.dtype != F32:
            raise self.runtime_error(f"input {b} must be a float32 (c, h, w) blob", bottoms)
        c, h, w = x.shape
        per_box = c // self.num_box
        if per_box != 5 + self.num_class:
            raise self.runtime_error(f"input {b} has {c} channels; {self.num_box} boxes x (5 + {self.num_class} "
                                     f"classes) expected", bottoms)
        if b >= len(self.anchors_scale) or len(self.mask) < (b + 1) * self.num_box:
            raise self.runtime_error(f"anchors_scale (6) and mask (5) do not cover input {b} (ncnn reads past "
                                     "their end)", bottoms)
        net_w, net_h = int(F32(self.anchors_scale[b]) * F32(w)), int(F32(self.anchors_scale[b]) * F32(h))
        found = []
        for pp in range(self.num_box):
            anchor = int(self.mask[b * self.num_box + pp])  # validated in check_params
            ch = x[pp * per_box:(pp + 1) * per_box]
            cls = np.argmax(ch[5:], axis=0)  # first maximum, like ncnn
            cls_score = np.take_along_axis(ch[5:], cls[None], axis=0)[0]
            with np.errstate(over="ignore", invalid="ignore"):  # ncnn's build fuses `1 + a * b` into an FMA
                fma = expf(-ch[4]).astype(np.float64) * (F32(1) + expf(-cls_score)) + 1.0
                conf = F32(1) / fma.astype(F32)
            ys, xs = np.nonzero(conf >= F32(self.confidence_threshold))
            if not len(ys):
                continue
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                cx = (xs.astype(F32) + sigmoid(ch[0, ys, xs])) / F32(w)
                cy = (ys.astype(F32) + sigmoid(ch[1, ys, xs])) / F32(h)
                bw = expf(ch[2, ys, xs]) * F32(self.biases[2 * anchor]) / F32(net_w)
                bh = expf(ch[3, ys, xs]) * F32(self.biases[2 * anchor + 1]) / F32(net_h)
            rows = np.stack([conf[ys, xs], cx - bw * F32(0.5), cy - bh * F32(0.5), cx + bw * F32(0.5),
                             cy + bh * F32(0.5), bw * bh, cls[ys, xs].astype(F32)], axis=1)
            found.append(rows)
        return found
