"""Pixels between the networks' scale and the screen's: the one place the conversions live.

The networks see images in [-1, 1] (the generator's output is a tanh) and
attention maps in 0..1; files and screens hold uint8. Every NumPy conversion
in the package goes through these functions so that rounding (half to even,
as `tfganimation.export.signatures` does in the exported graph) and clipping
are the same everywhere. Only NumPy: this module is imported by the LiteRT
path and the web page's helpers, which run without TensorFlow.

Example:
```python
edited, _, attention = generator((to_signed(faces), target_aus))
row = np.hstack([to_uint8(edited[0]), enlarge(attention_to_grey(attention[0]), 2)])
```
"""

from __future__ import annotations

import numpy as np


def to_uint8(images) -> np.ndarray:
    """Images in [-1, 1] (the networks' scale) to uint8 pixels, rounded and clipped."""
    images = np.clip(np.asarray(images, np.float32), -1.0, 1.0)
    return np.rint((images + 1.0) * 127.5).astype(np.uint8)


def to_signed(images) -> np.ndarray:
    """uint8 pixels to float32 in [-1, 1] (the networks' scale); the inverse of `to_uint8`."""
    return np.asarray(images).astype(np.float32) / 127.5 - 1.0


def attention_to_grey(attention) -> np.ndarray:
    """GANimation's attention `[..., S, S, 1]` (or `[S, S]`) in 0..1 as grey uint8 RGB `[..., S, S, 3]`.

    White where the editor kept the input pixel, black where it painted the
    colour map's: the paper's `A`, drawn as the paper draws it.
    """
    attention = np.asarray(attention, np.float32)
    if attention.shape[-1] != 1:
        attention = attention[..., None]
    grey = np.rint(np.clip(attention, 0.0, 1.0) * 255.0).astype(np.uint8)
    return np.repeat(grey, 3, axis=-1)


def enlarge(image: np.ndarray, factor: int) -> np.ndarray:
    """Repeats each pixel `factor` times across and down: the model's pixels, unsmoothed.

    Works on `[H, W]` and `[H, W, C]` images; a factor of 1 returns `image` itself.
    """
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"`factor` must be an integer >= 1. Received: factor={factor!r}")
    if factor == 1:
        return image
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)
