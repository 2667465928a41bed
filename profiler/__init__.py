"""Profiling, calibration, comparison and reports. Turns engine hooks into records; never imports Qt."""
