"""PriorBox: SSD anchor boxes for a feature map (caffe style), or mxnet's MultiBoxPrior.

Caffe style (the usual): output (2, 4 * h * w * num_prior); row 0 holds [xmin, ymin, xmax, ymax] per
(y, x, prior), normalised by the image size; row 1 repeats the four variances. The priors at one
location are, for each min_size: the min box, the sqrt(min*max) box if max_sizes are given, then one
box per aspect ratio (and its transpose when flip). mxnet style (one bottom, image size -233 and no
max_sizes): output 1-D, boxes already in [0, 1] units, sizes first, then ratios 1.. with size[0].
Arithmetic follows ncnn's float32 order; the x centres accumulate `+= step` as ncnn does.
"""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, FLOATS, INT, Layer, Param
from ..option import Option

F32 = np.float32


def _spatial(x: np.ndarray) -> tuple[int, int]:
    return (x.shape[-2] if x.ndim >= 2 else 1), x.shape[-1]


def _x_centres(start: np.float32, step: np.float32, w: int) -> np.ndarray:
    seq = np.full(w, step, F32)
    seq[0] = start
    return np.cumsum(seq, dtype=F32)  # sequential float32 sums, like ncnn's `center_x += step_w`


class PriorBox(Layer):
    type_name = "PriorBox"
    one_blob_only = False
    min_sizes = Param(0, FLOATS)
    max_sizes = Param(1, FLOATS)
    aspect_ratios = Param(2, FLOATS)
    variances_0 = Param(3, FLOAT, 0.1)
    variances_1 = Param(4, FLOAT, 0.1)
    variances_2 = Param(5, FLOAT, 0.2)
    variances_3 = Param(6, FLOAT, 0.2)
    flip = Param(7, INT, 1)
    clip = Param(8, INT, 0)
    image_width = Param(9, INT, 0)
    image_height = Param(10, INT, 0)
    step_width = Param(11, FLOAT, -233.0)
    step_height = Param(12, FLOAT, -233.0)
    offset = Param(13, FLOAT, 0.0)
    step_mmdetection = Param(14, INT, 0)
    center_mmdetection = Param(15, INT, 0)

    def check_params(self) -> None:  # both refused by pip ncnn's load_param
        if not self.min_sizes:
            raise self.param_error("min_sizes (0) is empty")
        if self.max_sizes and len(self.max_sizes) != len(self.min_sizes):  # ncnn reads max_sizes[k] per min_size
            raise self.param_error(f"{len(self.max_sizes)} max_sizes (1) for {len(self.min_sizes)} min_sizes (0)")

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        if not bottoms or len(bottoms) > 2:
            raise self.runtime_error(f"expects a feature map and optionally an image, got {len(bottoms)} blobs",
                                     bottoms)
        if len(bottoms) == 1 and self.image_width == -233 and self.image_height == -233 and not self.max_sizes:
            boxes = self._mxnet(bottoms)
        else:
            boxes = self._caffe(bottoms)
        if self.clip:
            np.clip(boxes, F32(0), F32(1), out=boxes)
        if boxes.ndim == 1:
            return [boxes]
        variances = np.array([self.variances_0, self.variances_1, self.variances_2, self.variances_3], F32)
        return [np.stack([boxes.reshape(-1), np.tile(variances, boxes.size // 4)])]

    def _caffe(self, bottoms: list[np.ndarray]) -> np.ndarray:
        h, w = _spatial(bottoms[0])
        image_w, image_h = self.image_width, self.image_height
        if -233 in (image_w, image_h):
            if len(bottoms) < 2:
                raise self.runtime_error("image_width/image_height -233 need the image as a second input", bottoms)
            ih, iw = _spatial(bottoms[1])
            image_w, image_h = (iw if image_w == -233 else image_w), (ih if image_h == -233 else image_h)
        steps = []
        for step, size, n in ((self.step_width, image_w, w), (self.step_height, image_h, h)):
            s = F32(step) if step != -233 else F32(size) / F32(n)
            steps.append(np.ceil(s) if step == -233 and self.step_mmdetection else s)
        step_w, step_h = steps
        off = F32(self.offset)
        shift_w, shift_h = (step_w - F32(1), step_h - F32(1)) if self.center_mmdetection else (step_w, step_h)
        cx = _x_centres(off * shift_w, step_w, w)
        cy = off * shift_h + np.arange(h, dtype=F32) * step_h

        sizes = []  # (box_w, box_h) of each prior at one location, in ncnn's order
        for k, min_size in enumerate(np.array(self.min_sizes, F32)):
            sizes.append((min_size, min_size))
            if self.max_sizes:
                s = np.sqrt(min_size * F32(self.max_sizes[k]))
                sizes.append((s, s))
            for ar in np.array(self.aspect_ratios, F32):
                bw, bh = min_size * np.sqrt(ar), min_size / np.sqrt(ar)
                sizes.append((bw, bh))
                if self.flip:
                    sizes.append((bh, bw))
        if not sizes or w * h == 0:
            raise self.runtime_error("no priors to generate: the feature map is empty", bottoms)
        half = np.array(sizes, F32) * F32(0.5)  # (num_prior, 2)
        out = np.empty((h, w, len(sizes), 4), F32)
        iw, ih = F32(image_w), F32(image_h)
        with np.errstate(divide="ignore", invalid="ignore"):  # image size 0 (the default) gives inf/nan like ncnn
            out[..., 0] = (cx[None, :, None] - half[None, None, :, 0]) / iw
            out[..., 1] = (cy[:, None, None] - half[None, None, :, 1]) / ih
            out[..., 2] = (cx[None, :, None] + half[None, None, :, 0]) / iw
            out[..., 3] = (cy[:, None, None] + half[None, None, :, 1]) / ih
        return out.reshape(1, -1)

    def _mxnet(self, bottoms: list[np.ndarray]) -> np.ndarray:
        h, w = _spatial(bottoms[0])
        if not self.aspect_ratios or w * h == 0:  # ncnn would write past its output
            raise self.runtime_error("mxnet-style PriorBox needs aspect_ratios (2) and a non-empty feature map",
                                     bottoms)
        step_w = F32(self.step_width) if self.step_width != -233 else F32(1) / F32(w)
        step_h = F32(self.step_height) if self.step_height != -233 else F32(1) / F32(h)
        off = F32(self.offset)
        cx = _x_centres(off * step_w, step_w, w)
        cy = off * step_h + np.arange(h, dtype=F32) * step_h
        sizes = np.array(self.min_sizes, F32)
        half = [(s * F32(h) / F32(w) / F32(2), s / F32(2)) for s in sizes]
        for ar in np.array(self.aspect_ratios[1:], F32):
            r = np.sqrt(ar)
            half.append((sizes[0] * F32(h) / F32(w) * r / F32(2), sizes[0] / r / F32(2)))
        hw = np.array(half, F32)
        out = np.empty((h, w, len(half), 4), F32)
        out[..., 0] = cx[None, :, None] - hw[None, None, :, 0]
        out[..., 1] = cy[:, None, None] - hw[None, None, :, 1]
        out[..., 2] = cx[None, :, None] + hw[None, None, :, 0]
        out[..., 3] = cy[:, None, None] + hw[None, None, :, 1]
        return out.reshape(-1)
