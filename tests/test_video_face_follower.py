"""Faces detected on key frames and followed by optical flow between, against per-frame detection."""

import numpy as np
import pytest
from video_fixtures import FACE, face_frame, placed_face_frame, write_video

from tfganimation.aus import N_AUS
from tfganimation.faces import Face, detect_faces
from tfganimation.video import read_frames
from tfganimation.video.face_follower import FaceFollower
from tfganimation.video.face_scan import scan_faces

WIDE = (96, 192)
"""Height and width of the clips a face crosses: room to move three face widths."""


class CountingDetector:
    """MTCNN, counting the frames it runs on."""

    def __init__(self):
        self.calls = 0

    def __call__(self, image):
        self.calls += 1
        return detect_faces(image)


def shifted(face: Face, dx: float) -> Face:
    """The face moved `dx` pixels to the right: where a face that moved so must be found."""
    x, y, w, h = face.box
    return Face(box=(x + dx, y, w, h), score=face.score)


def box_error(a: Face, b: Face) -> float:
    """The largest difference of box centre and size between two faces, in pixels."""
    return float(
        np.abs(np.array([*a.center, *a.box[2:]]) - np.array([*b.center, *b.box[2:]])).max()
    )


def test_a_still_face_s_crop_track_is_within_a_pixel_of_per_frame_detection(tmp_path):
    clip = write_video(tmp_path / "still.mp4", [face_frame(np.zeros(N_AUS))] * 12)

    _, every_frame = scan_faces(clip, 12, detect_every=1, progress=False)
    _, followed = scan_faces(clip, 12, detect_every=5, progress=False)

    assert len(every_frame) == len(followed) == 1
    assert sorted(followed[0].faces) == sorted(every_frame[0].faces) == list(range(12))
    for index, face in followed[0].faces.items():
        reference = every_frame[0].faces[index]
        assert np.abs(np.subtract(face.box, reference.box)).max() <= 1.0
        for name, point in face.landmarks.items():
            assert np.abs(np.subtract(point, reference.landmarks[name])).max() <= 1.0


def test_a_fast_face_is_followed_by_the_flow_alone():
    # A quarter of the face's width per frame: 160 px a frame in a 640-px-wide video.
    frames = [placed_face_frame(left, canvas=WIDE) for left in range(8, 129, 16)]
    detector = CountingDetector()
    follower = FaceFollower(detect_every=100, detector=detector)

    followed = [follower(frame) for frame in frames]

    assert detector.calls == 1 and follower.losses == 0  # Only the first frame was detected.
    first = followed[0][0]
    for index, (frame, faces) in enumerate(zip(frames, followed)):
        assert len(faces) == 1
        assert box_error(faces[0], shifted(first, 16 * index)) <= 0.5  # It moved just so.
        (detected,) = detect_faces(frame)
        assert box_error(faces[0], detected) <= 3.0  # The detector's own wobble.


def test_a_face_that_jumps_beyond_the_flow_is_lost_and_detected_again():
    frames = [placed_face_frame(8, canvas=WIDE)] * 3 + [placed_face_frame(120, canvas=WIDE)] * 3
    follower = FaceFollower(detect_every=100)

    followed = [follower(frame) for frame in frames]

    assert follower.detections == 2 and follower.losses == 1  # The first frame and the jump.
    first = followed[0][0]
    for index, faces in enumerate(followed):
        assert len(faces) == 1
        assert box_error(faces[0], shifted(first, 112 * (index >= 3))) <= 3.0


def test_a_face_that_enters_and_leaves_is_found_where_per_frame_detection_finds_it(tmp_path):
    lefts = list(range(-FACE - 8, WIDE[1] + 8, 8))  # From out of view on the left to the right.
    frames = [placed_face_frame(left, canvas=WIDE) for left in lefts]
    clip = write_video(tmp_path / "crossing.mp4", frames)

    _, every_frame = scan_faces(clip, len(lefts), detect_every=1, smoothing=0, progress=False)
    _, followed = scan_faces(clip, len(lefts), detect_every=6, smoothing=0, progress=False)

    detected = set(every_frame[0].faces)
    assert len(followed) == 1
    assert detected <= set(followed[0].faces)  # Followed back to where it came into view.
    in_view = {index for index, x in enumerate(lefts) if -FACE < x < WIDE[1]}
    assert set(followed[0].faces) <= in_view  # And dropped once it has left.
    for index in detected:  # Within the detector's wobble on a face the edge cuts.
        assert box_error(followed[0].faces[index], every_frame[0].faces[index]) <= 5.0


def test_a_face_that_appears_beside_a_followed_one_is_followed_back_and_nothing_doubles():
    one = placed_face_frame(8, canvas=WIDE)
    two = one.copy()
    two[:, 112:] = placed_face_frame(120, canvas=WIDE, seed=5)[:, 112:]
    frames = [one] * 3 + [two] * 4  # Key frames 0 and 5; the second face appears at 3.
    follower = FaceFollower(detect_every=5)

    found, late = [], {}
    for index, frame in enumerate(frames):
        found.append(follower(frame))
        for back, face in follower.found_late:
            late.setdefault(index - back, []).append(face)

    assert [len(faces) for faces in found] == [1, 1, 1, 1, 1, 2, 2]
    assert sorted(late) == [3, 4]  # Back to where it appeared, not before; the first not again.
    (new,) = [face for face in found[5] if face.center[0] > WIDE[1] / 2]
    for index in (3, 4):
        assert len(late[index]) == 1 and box_error(late[index][0], new) <= 0.5


def test_detecting_every_frame_is_detection_alone():
    frames = [placed_face_frame(left, canvas=WIDE) for left in (40, 44, 48)] + [
        np.full((*WIDE, 3), 120, np.uint8)
    ]
    detector = CountingDetector()
    follower = FaceFollower(detect_every=1, detector=detector)

    followed = [follower(frame) for frame in frames]

    assert detector.calls == len(frames) and follower.losses == 0
    assert followed == [detect_faces(frame) for frame in frames]


def test_a_face_the_detector_misses_on_a_key_frame_is_kept_while_the_flow_holds():
    frames = [placed_face_frame(40 + 2 * index, canvas=WIDE) for index in range(12)]
    calls = []

    def flaky(image):  # Finds the face on the first frame only.
        calls.append(len(calls))
        return detect_faces(image) if len(calls) == 1 else []

    follower = FaceFollower(detect_every=3, detector=flaky)
    followed = [follower(frame) for frame in frames]

    # Key frames 0, 3, 6, 9: missed on 3 and 6 (kept), dropped at the third miss, frame 9.
    assert len(calls) == 4
    assert [len(faces) for faces in followed] == [1] * 9 + [0] * 3
    for index, faces in enumerate(followed[:9]):
        assert box_error(faces[0], shifted(followed[0][0], 2 * index)) <= 0.5


@pytest.mark.parametrize(
    "kwargs, frame, message",
    [
        ({"detect_every": 0}, None, "`detect_every` must be an int >= 1"),
        ({"detect_every": 2.5}, None, "`detect_every` must be an int >= 1"),
        ({}, np.zeros((8, 8), np.uint8), "uint8 RGB arrays"),
        ({}, np.zeros((8, 8, 3), np.float32), "uint8 RGB arrays"),
    ],
)
def test_bad_arguments_and_frames_are_refused_clearly(kwargs, frame, message):
    with pytest.raises(ValueError, match=message):
        FaceFollower(**kwargs, detector=lambda image: [])(frame)


def test_scanning_a_video_reads_it_once_in_order(tmp_path):
    frames = [placed_face_frame(40 + index, canvas=WIDE) for index in range(5)]
    clip = write_video(tmp_path / "v.mp4", frames)

    times, tracks = scan_faces(clip, 5, detect_every=3, progress=False)

    np.testing.assert_allclose(times, [frame.time for frame in read_frames(clip)])
    assert sorted(tracks[0].faces) == list(range(5))
