"""int8 calibration (ncnn2table's statistics and methods, plus EasyQuant that works): no Qt here."""
from __future__ import annotations

from .calibrate import METHODS, BlobCalibration, CalibrationResult, blob_thresholds, calibrate, table_with
from .collect import (
                      NUM_BINS,
                      BlobStats,
                      CalibrationCancelled,
                      CalibrationError,
                      CollectedStats,
                      QuantTarget,
                      collect,
                      find_targets,
                      list_samples,
                      load_sample,
)
from .kl import kl_curve, kl_threshold
from .methods import aciq_threshold, clipped_fraction, percentile_threshold
from .weights import weight_scales

__all__ = ["METHODS", "NUM_BINS", "BlobCalibration", "BlobStats", "CalibrationCancelled", "CalibrationError",
           "CalibrationResult", "CollectedStats", "QuantTarget", "aciq_threshold", "blob_thresholds", "calibrate",
           "clipped_fraction", "collect", "find_targets", "kl_curve", "kl_threshold", "list_samples",
           "load_sample", "percentile_threshold", "table_with", "weight_scales"]
