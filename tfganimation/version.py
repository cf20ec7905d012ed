"""The package version, kept apart so that `--version` needs no TensorFlow."""

__version__ = "0.1.0"
