"""Pictures that show a person what an editor does: labelled grids of faces.

Both grids are columns of faces under a header that names each column,
enlarged by whole-pixel repetition so that small faces show the model's own
pixels (`labelled_grid`): `save_grid` draws the evaluation's pairs (input ·
target truth · output · attention), `preset_grid` a model's edit to every
preset above the renderer's answer. PNGs are replaced whole or not at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from tfganimation.atomic import replacing
from tfganimation.aus import PRESETS, preset, to_model_scale
from tfganimation.pixels import attention_to_grey, enlarge, to_signed, to_uint8
from tfganimation.synthetic import Identity, render_face

HEADER_HEIGHT = 20
"""Pixels of the white header row that names the columns."""

MIN_FACE_SIZE = 96
"""`save_grid` enlarges smaller faces to at least this, so the grid stays readable."""


def labelled_grid(rows: Sequence[Sequence[np.ndarray]], labels: Sequence[str], zoom: int = 1) -> np.ndarray:
    """Rows of equal-size uint8 RGB cells, enlarged `zoom` times, under a header naming each column.

    Raises:
        ValueError: a row has not one cell per label.
    """
    if any(len(row) != len(labels) for row in rows):
        raise ValueError(f"Every row needs one cell per label ({len(labels)}: {', '.join(labels)}).")
    grid = enlarge(np.vstack([np.hstack(list(row)) for row in rows]), zoom)
    column_width = grid.shape[1] // len(labels)
    header = np.full((HEADER_HEIGHT, grid.shape[1], 3), 255, np.uint8)
    for index, label in enumerate(labels):
        cv2.putText(header, label, (index * column_width + 4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 0), 1, cv2.LINE_AA)  # fmt: skip
    return np.vstack([header, grid])


def save_png(path: str | os.PathLike, image: np.ndarray) -> Path:
    """Writes a uint8 RGB image as a PNG, replacing `path` whole."""
    with replacing(path) as temporary:
        if not cv2.imwrite(os.fspath(temporary), np.ascontiguousarray(image[..., ::-1])):
            raise OSError(f"Could not write {path}.")
    return Path(path)


def save_grid(
    path: str | os.PathLike,
    inputs: np.ndarray,
    targets: np.ndarray,
    outputs: np.ndarray,
    attention: np.ndarray | None = None,
) -> Path:
    """Saves a PNG with one row per pair: input · target truth · output · attention.

    Images are `[N, S, S, 3]` in [-1, 1]; `attention` is `[N, S, S, 1]` in
    0..1, drawn white where the editor keeps the input pixel and black where
    it paints a new one (GANimation's `A`). Faces smaller than
    `MIN_FACE_SIZE` are enlarged; a header row names the columns.
    """
    columns = [to_uint8(inputs), to_uint8(targets), to_uint8(outputs)]
    labels = ["input", "target", "output"]
    if attention is not None:
        columns.append(attention_to_grey(attention))
        labels.append("attention")
    zoom = -(-MIN_FACE_SIZE // columns[0].shape[1])
    return save_png(path, labelled_grid(list(zip(*columns)), labels, zoom))


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
        truth = [render_face(identity, preset(name), size) for name in presets]
        rows += [list(edited), truth]
    grid = labelled_grid(rows, presets, zoom)
    # A thin line under each truth row keeps the face pairs apart.
    for row in range(1, len(identities)):
        grid[HEADER_HEIGHT + row * 2 * size * zoom - 1] = 255
    return save_png(path, grid)
