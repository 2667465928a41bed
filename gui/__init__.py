"""Layerscope's desktop GUI: Qt views over the Qt-free session state (gui/state) and graph layout."""
