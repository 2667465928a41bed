"""DetectionOutput: SSD box decoding, per-class NMS and top-k (caffe-ssd, or mxnet-ssd with num_class -233).

Inputs: location (4 per prior), confidence (caffe: [prior][class]; mxnet: [class][prior]) and the
priorbox blob (caffe: row 0 boxes, row 1 variances; mxnet: (num_prior, 4) boxes, variances from the
params). Output (N, 6) rows [label, score, xmin, ymin, xmax, ymax], label counting the background as 0.
With no detection ncnn returns an empty Mat; we return a (0, 6) array.

ncnn skips decoding priors whose background score is >= 1 - confidence_threshold and leaves their boxes
uninitialised (such a prior can only be picked with non-softmax scores); we decode every prior.
"""
from __future__ import annotations

import numpy as np

from ..kernels.detection import expf, nms_sorted, qsort_descent_order
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option

F32 = np.float32


def decode(loc: np.ndarray, priors: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Center-size decoding of (n, 4) offsets against (n, 4) prior corners, in ncnn's float32 order."""
    pb_w = priors[:, 2] - priors[:, 0]
    pb_h = priors[:, 3] - priors[:, 1]
    pb_cx = (priors[:, 0] + priors[:, 2]) * F32(0.5)
    pb_cy = (priors[:, 1] + priors[:, 3]) * F32(0.5)
    cx = var[:, 0] * loc[:, 0] * pb_w + pb_cx
    cy = var[:, 1] * loc[:, 1] * pb_h + pb_cy
    half_w = expf(var[:, 2] * loc[:, 2]) * pb_w * F32(0.5)
    half_h = expf(var[:, 3] * loc[:, 3]) * pb_h * F32(0.5)
    return np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)


class DetectionOutput(Layer):
    type_name = "DetectionOutput"
    one_blob_only = False
    num_class = Param(0, INT, 0)
    nms_threshold = Param(1, FLOAT, 0.05)
    nms_top_k = Param(2, INT, 300)
    keep_top_k = Param(3, INT, 100)
    confidence_threshold = Param(4, FLOAT, 0.5)
    variances_0 = Param(5, FLOAT, 0.1)
    variances_1 = Param(6, FLOAT, 0.1)
    variances_2 = Param(7, FLOAT, 0.2)
    variances_3 = Param(8, FLOAT, 0.2)

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        if len(bottoms) != 3:
            raise self.runtime_error(f"expects location, confidence and priorbox, got {len(bottoms)} blobs", bottoms)
        location, confidence, priorbox = (np.asarray(b, F32) for b in bottoms)
        mxnet = self.num_class == -233
        if mxnet:
            num_prior = priorbox.shape[-2] if priorbox.ndim >= 2 else 1
            num_class = confidence.shape[-2] if confidence.ndim >= 2 else 1
        else:
            num_prior, num_class = priorbox.shape[-1] // 4, self.num_class
        pb = priorbox.reshape(-1)
        pb_needed = 4 * num_prior + (0 if mxnet else priorbox.shape[-1])  # caffe: row 1 holds the variances
        if location.size < 4 * num_prior or confidence.size < num_prior * num_class or pb.size < pb_needed:
            raise self.runtime_error(f"{num_prior} priors and {num_class} classes do not fit the inputs", bottoms)
        priors = pb[:4 * num_prior].reshape(num_prior, 4)
        if mxnet:
            var = np.broadcast_to(np.array([self.variances_0, self.variances_1, self.variances_2,
                                            self.variances_3], F32), (num_prior, 4))
            scores = confidence.reshape(-1)[:num_class * num_prior].reshape(num_class, num_prior)
        else:
            var = pb[priorbox.shape[-1]:priorbox.shape[-1] + 4 * num_prior].reshape(num_prior, 4)
            scores = confidence.reshape(-1)[:num_prior * num_class].reshape(num_prior, num_class).T
        with np.errstate(over="ignore", invalid="ignore"):
            boxes = decode(location.reshape(-1)[:4 * num_prior].reshape(num_prior, 4), priors, var)
            picked = [self._class_nms(scores[c], boxes, bottoms) for c in range(1, num_class)]
        labels = np.concatenate([np.full(len(k), c, F32) for c, (k, _) in enumerate(picked, 1)] or [np.zeros(0, F32)])
        kept = np.concatenate([k for k, _ in picked] or [np.zeros(0, np.intp)]).astype(np.intp)
        kept_scores = np.concatenate([s for _, s in picked] or [np.zeros(0, F32)])
        order = qsort_descent_order(kept_scores, max(self.keep_top_k, 0))
        order = self._top(order, self.keep_top_k, "keep_top_k (3)", bottoms)
        out = np.empty((len(order), 6), F32)
        out[:, 0] = labels[order]
        out[:, 1] = kept_scores[order]
        out[:, 2:] = boxes[kept[order]]
        return [out]

    def _class_nms(self, scores: np.ndarray, boxes: np.ndarray,
                   bottoms: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Prior indices and scores one class keeps: threshold, sort, nms_top_k, NMS."""
        cand = np.flatnonzero(scores > F32(self.confidence_threshold))
        cand = cand[qsort_descent_order(scores[cand], max(self.nms_top_k, 0))]
        cand = self._top(cand, self.nms_top_k, "nms_top_k (2)", bottoms)
        b = boxes[cand]
        areas = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        keep = cand[nms_sorted(b, areas, self.nms_threshold)]
        return keep, scores[keep]

    def _top(self, order: np.ndarray, k: int, what: str, bottoms: list[np.ndarray]) -> np.ndarray:
        """The first k entries, like ncnn's `if (k < size) resize(k)`."""
        if k < len(order):
            if k < 0:  # ncnn would resize a std::vector to a negative size
                raise self.runtime_error(f"{what} is {k}", bottoms)
            return order[:k]
        return order
