"""The app's state without Qt: the session (model, runs, selection), the display graph, settings."""
