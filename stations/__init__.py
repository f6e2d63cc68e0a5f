"""Waystation: coordination of volunteer holiday rest stations."""

__version__ = "0.1.0"
