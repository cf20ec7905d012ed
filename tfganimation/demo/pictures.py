"""Pictures that show a person what a model does: every preset on held-out faces."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from tfganimation.aus import PRESETS, preset, to_model_scale
from tfganimation.media import to_signed, to_uint8
from tfganimation.synthetic import Identity, render_face


def preset_grid(
    generator,
    identities: Sequence[Identity],
    path: str | os.PathLike,
    presets: Sequence[str] = tuple(PRESETS),
    zoom: int = 2,
) -> Path:
    """Saves a PNG: for each face, a row of its edits to every preset and, under it, the truth.

    Each face starts neutral; the column heads name the presets. The second
    row of each pair is the renderer's answer for the same face and preset,
    so a reader sees at a glance what the edit should look like.
    """
    size = generator.image_size
    targets = to_model_scale(np.stack([preset(name) for name in presets])).astype(np.float32)
    rows = []
    for identity in identities:
        face = to_signed(render_face(identity, preset("neutral"), size))
        images = np.repeat(face[None], len(presets), axis=0)
        edited = to_uint8(np.asarray(generator((images, targets), training=False)[0]))
        truth = np.stack([render_face(identity, preset(name), size) for name in presets])
        rows += [np.hstack(list(edited)), np.hstack(list(truth))]
    grid = np.vstack(rows)
    grid = cv2.resize(grid, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
    header = np.full((20, grid.shape[1], 3), 255, np.uint8)
    for index, name in enumerate(presets):
        cv2.putText(header, name, (index * size * zoom + 4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 0), 1, cv2.LINE_AA)  # fmt: skip
    grid = np.vstack([header, grid])
    # A thin line under each truth row keeps the face pairs apart.
    for row in range(1, len(identities)):
        grid[20 + row * 2 * size * zoom - 1] = 255
    if not cv2.imwrite(os.fspath(path), grid[..., ::-1]):
        raise OSError(f"Could not write {path}.")
    return Path(path)
