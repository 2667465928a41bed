"""DeconvolutionDepthWise: grouped transposed convolution, weights [group][out/g][in/g][kh][kw]."""
from __future__ import annotations

from ..layer import INT, Param
from .deconvolution import Deconvolution


class DeconvolutionDepthWise(Deconvolution):
    type_name = "DeconvolutionDepthWise"
    group = Param(7, INT, 1)
