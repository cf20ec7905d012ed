"""The labelled face grids: one layout for the evaluation's pairs and the demo's presets."""

import cv2
import numpy as np
import pytest

from tfganimation.evaluation.pictures import HEADER_HEIGHT, labelled_grid, preset_grid, save_png
from tfganimation.synthetic import sample_identity


def cell(value, size=8):
    return np.full((size, size, 3), value, np.uint8)


def test_labelled_grid_enlarges_the_cells_under_a_white_header():
    grid = labelled_grid([[cell(10), cell(20)], [cell(30), cell(40)]], ["a", "b"], zoom=3)
    assert grid.shape == (HEADER_HEIGHT + 2 * 24, 2 * 24, 3)
    body = grid[HEADER_HEIGHT:]
    assert [body[0, 0, 0], body[0, 24, 0], body[24, 0, 0], body[-1, -1, 0]] == [10, 20, 30, 40]
    header = grid[:HEADER_HEIGHT]
    assert header.max() == 255 and header.min() < 255  # white, with the labels written on it


def test_labelled_grid_refuses_a_row_without_a_cell_per_label():
    with pytest.raises(ValueError, match="one cell per label"):
        labelled_grid([[cell(0)]], ["a", "b"])


def test_save_png_writes_rgb_and_leaves_no_temporary_file(tmp_path):
    image = np.zeros((4, 4, 3), np.uint8)
    image[..., 0] = 200  # red
    path = save_png(tmp_path / "grid.png", image)
    assert cv2.imread(str(path))[0, 0].tolist() == [0, 0, 200]  # OpenCV reads BGR
    assert [p.name for p in tmp_path.iterdir()] == ["grid.png"]


class GreyGenerator:
    """A stand-in generator: every edit is mid-grey."""

    image_size = 32

    def __call__(self, inputs, training=False):
        images, _ = inputs
        return np.zeros_like(images), None, None


def test_preset_grid_pairs_each_faces_edits_with_the_truth(tmp_path):
    identities = [sample_identity(np.random.default_rng(seed)) for seed in range(2)]
    path = preset_grid(GreyGenerator(), identities, tmp_path / "presets.png", ["neutral", "happy"], zoom=2)
    grid = cv2.imread(str(path))[..., ::-1]
    face = 32 * 2
    assert grid.shape == (HEADER_HEIGHT + 2 * 2 * face, 2 * face, 3)
    edits = grid[HEADER_HEIGHT:HEADER_HEIGHT + face]
    assert np.all(edits == 128)  # the editor's grey, enlarged
    assert np.all(grid[HEADER_HEIGHT + 2 * face - 1] == 255)  # the line between the two faces
