"""int8 support: ncnn2table's calibration table format, int8 execution helpers, int8 model export."""
