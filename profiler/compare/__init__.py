"""FP32 vs int8, blob by blob: metrics, accumulated and isolated comparisons, the first layer over a
bound, per-layer error over a set of images. No Qt; results are frozen dataclasses a GUI can show."""
from __future__ import annotations

from .compare import (MODES, CompareCancelled, CompareRunError, Fp32Reference, ImageComparison, LayerError,
                      check_same_topology, compare_image, float_blobs, fp32_reference)
from .dataset import LayerSetError, MetricSummary, SetComparison, compare_set, list_inputs, load_input
from .metrics import LABELS, METRICS, BlobMetrics, Bound, CompareError, blob_metrics, metric_name, parse_bound

__all__ = ["LABELS", "METRICS", "MODES", "BlobMetrics", "Bound", "CompareCancelled", "CompareError",
           "CompareRunError", "Fp32Reference", "ImageComparison", "LayerError", "LayerSetError", "MetricSummary",
           "SetComparison", "blob_metrics", "check_same_topology", "compare_image", "compare_set", "float_blobs",
           "fp32_reference", "list_inputs", "load_input", "metric_name", "parse_bound"]
