"""`Face`, `select_faces`, `NoFaceError` and the `center_crop_face` fallback."""

import numpy as np
import pytest

from tfganimation.faces import Face, NoFaceError, center_crop_face, crop_face, select_faces

LEFT = Face(box=(10, 10, 20, 20), score=0.99)
MIDDLE = Face(box=(100, 10, 60, 60), score=0.95)
RIGHT = Face(box=(300, 10, 30, 30), score=0.97)


def test_select_all_orders_left_to_right():
    assert select_faces([RIGHT, LEFT, MIDDLE]) == [LEFT, MIDDLE, RIGHT]


def test_select_largest_and_by_index():
    faces = [RIGHT, LEFT, MIDDLE]

    assert select_faces(faces, "largest") == [MIDDLE]
    assert select_faces(faces, 0) == [LEFT]
    assert select_faces(faces, -1) == [RIGHT]


def test_select_rejects_bad_choices():
    with pytest.raises(ValueError, match="has 3 face"):
        select_faces([LEFT, MIDDLE, RIGHT], 3)
    with pytest.raises(ValueError, match="largest"):
        select_faces([LEFT], "biggest")
    with pytest.raises(ValueError, match="largest"):
        select_faces([LEFT], True)


def test_no_face_error_tells_how_to_fall_back():
    with pytest.raises(NoFaceError, match=r"no face found.*center_crop=True / --center-crop"):
        select_faces([])
    assert issubclass(NoFaceError, ValueError)  # The CLI prints ValueErrors as one line.


def test_center_crop_face_is_a_centred_square_without_landmarks():
    photo = np.zeros((400, 600, 3), np.uint8)

    face = center_crop_face(photo)

    assert face.box == pytest.approx((180, 80, 240, 240))
    assert face.center == pytest.approx((300, 200))
    assert face.score == 0 and face.eyes is None
    assert crop_face(photo, face, size=32).image.shape == (32, 32, 3)


def test_face_validates_its_box_and_exposes_eyes():
    with pytest.raises(ValueError, match="positive w and h"):
        Face(box=(0, 0, 0, 10), score=1.0)
    face = Face(box=(0, 0, 10, 10), score=1.0, landmarks={"left_eye": (2, 3), "right_eye": (7, 3)})
    assert face.eyes == ((2, 3), (7, 3))
    assert Face(box=(0, 0, 10, 10), score=1.0, landmarks={"left_eye": (2, 3)}).eyes is None


def test_overlap_is_intersection_over_union():
    a = Face(box=(0, 0, 10, 10), score=1.0)
    assert a.overlap(a) == 1.0
    assert a.overlap(Face(box=(5, 0, 10, 10), score=1.0)) == pytest.approx(50 / 150)
    assert a.overlap(Face(box=(20, 20, 5, 5), score=1.0)) == 0.0
