"""Driving a photo and editing a video end to end, on a TINY model and MTCNN, and the CLI's errors."""

import dataclasses

import numpy as np
import pytest
from test_animator import save_tiny_model
from video_fixtures import (
    audio_seconds,
    empty_frame,
    face_frame,
    write_openface_csv,
    write_tone,
    write_video,
)

import tfganimation.video
from tfganimation import cli
from tfganimation.inference.animator import Animator
from tfganimation.aus import N_AUS, preset
from tfganimation.faces import detect_faces
from tfganimation.video import (
    AUTrack,
    drive_photo,
    edit_video,
    estimate_video_track,
    probe_video,
    read_frames,
    read_openface_track,
    track_faces,
)
from tfganimation.video.frame_editor import edit_frames
from tfganimation.video.stage_timer import StageTimer

N_FACE_FRAMES, N_EMPTY = 8, 3


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The TINY model, a clip (a face smiling, then no face, with sound), a still clip and a CSV."""
    root = tmp_path_factory.mktemp("video")
    smiles = [face_frame(preset("happy") * k / N_FACE_FRAMES) for k in range(N_FACE_FRAMES)]
    tone = write_tone(root / "tone.m4a", seconds=2.0)
    times = np.array([0, 1, 2, 3, 4, 6, 7, 8, 9, 10]) / 25  # Frame 5 dropped by the tracker.
    success = np.array([1, 1, 1, 0, 0, 1, 1, 1, 1, 1])
    return {
        "root": root,
        "model": save_tiny_model(root),
        "clip": write_video(root / "clip.mp4", smiles + [empty_frame()] * N_EMPTY, audio=tone),
        "still": write_video(root / "still.mp4", [face_frame(np.zeros(N_AUS))] * 12),
        "empty": write_video(root / "empty.mp4", [empty_frame()] * 4),
        "csv": write_openface_csv(
            root / "p.csv", times, np.tile(preset("happy"), (10, 1)), success
        ),
        "photo": face_frame(np.zeros(N_AUS)),
    }


@pytest.fixture(scope="module")
def animator(files):
    return Animator(files["model"])


def test_driving_a_photo_gives_one_frame_per_csv_row_at_its_time(files, animator, tmp_path):
    track = read_openface_track(files["csv"])

    report = drive_photo(animator, files["photo"], track, tmp_path / "out.mp4", progress=False)

    frames = list(read_frames(report.path))
    assert len(frames) == report.frames == 10
    np.testing.assert_allclose([frame.time for frame in frames], track.times, atol=1e-3)
    assert report.frame_rate == pytest.approx(25) and report.held_rows == 2
    assert (report.backend, report.precision) == ("keras", "float32")  # The suite pins float32.
    assert not list(tmp_path.glob(".partial-*"))


def test_editing_a_video_keeps_frames_timing_and_audio_and_passes_face_free_frames(
    files, animator, tmp_path
):
    report = edit_video(animator, files["clip"], tmp_path / "happy.mp4", "happy", progress=False)

    source, edited = list(read_frames(files["clip"])), list(read_frames(report.path))
    assert len(edited) == len(source) == N_FACE_FRAMES + N_EMPTY
    np.testing.assert_allclose([f.time for f in edited], [f.time for f in source], atol=1e-3)
    assert (report.frames_edited, report.frames_without_face) == (N_FACE_FRAMES, N_EMPTY)
    assert report.audio and audio_seconds(report.path) == pytest.approx(
        audio_seconds(files["clip"]), abs=0.1
    )
    assert probe_video(report.path).frame_rate == pytest.approx(10)
    face = (slice(20, 76), slice(40, 88))  # Where the face is while there is one.
    change = [
        np.abs(a.image[face].astype(int) - b.image[face]).mean() for a, b in zip(source, edited)
    ]
    assert max(change[N_FACE_FRAMES:]) < 1.5  # Re-encoding's rounding only.
    assert min(change[:N_FACE_FRAMES]) > 4.5  # The (random) model's edit.
    assert set(report.seconds) >= {"decode", "detect", "edit", "paste", "encode"}
    assert "edited by the keras backend in float32." in report.summary()


def test_frames_without_faces_are_returned_untouched(animator):
    frames = [face_frame(np.zeros(N_AUS)), empty_frame()]
    faces = [detect_faces(frames[0]), []]

    edited = edit_frames(animator, frames, faces, np.zeros((2, N_AUS)), StageTimer())

    assert edited[1] is frames[1]
    assert edited[0] is not frames[0]


def test_the_crop_track_is_stable_on_a_still_face(files):
    frames = list(read_frames(files["still"]))
    detections = [detect_faces(frame.image) for frame in frames]
    times = [frame.time for frame in frames]

    raw = track_faces(detections, times, smoothing=0)[0]
    smoothed = track_faces(detections, times)[0]

    def wobble(track):
        centers = np.array([face.center + (face.box[2],) for face in track.faces.values()])
        return centers.std(axis=0).max()

    assert len(smoothed.faces) == len(frames)
    assert wobble(smoothed) <= wobble(raw) and wobble(smoothed) < 0.5


def test_a_face_missed_briefly_is_bridged_and_faces_are_linked_by_overlap(files):
    face = detect_faces(files["photo"])[0]
    moved = dataclasses.replace(face, box=(face.box[0] + 2, *face.box[1:]))
    other = dataclasses.replace(face, box=(1.0, 1.0, 10.0, 10.0))
    detections = [[face, other], [], [moved], [face]]

    tracks = track_faces(detections, [0, 0.1, 0.2, 0.3], smoothing=0)

    assert sorted(tracks[0].faces) == [0, 1, 2, 3]  # The miss at frame 1 is bridged.
    assert tracks[0].faces[1].box[0] == pytest.approx(face.box[0] + 1)
    assert len(tracks) == 2 and list(tracks[1].faces) == [0]


def test_a_driving_video_is_read_by_the_critic_frame_by_frame(files, animator):
    track = estimate_video_track(animator, files["clip"], progress=False)

    assert len(track) == N_FACE_FRAMES + N_EMPTY
    assert list(track.valid) == [True] * N_FACE_FRAMES + [False] * N_EMPTY
    np.testing.assert_allclose(track.aus[N_FACE_FRAMES:], track.aus[[N_FACE_FRAMES - 1] * N_EMPTY])


def animate(files, *args) -> int:
    return cli.main(["animate", *map(str, args), "--model", files["model"], "--quiet"])


def error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("tfganimation animate: error: ")
    return lines[0]


def test_the_cli_drives_a_photo_from_a_csv_or_a_driving_video_and_edits_a_video(files, tmp_path, capsys):
    photo = tmp_path / "photo.png"
    from PIL import Image

    Image.fromarray(files["photo"]).save(photo)
    out = tmp_path / "performance.mp4"
    assert (
        animate(
            files,
            photo,
            "--aus-from",
            files["csv"],
            "--smooth",
            "0.04",
            "--aus-scale",
            "1.5",
            "--out",
            out,
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "p.csv: 10 frames at 25 fps; 2 held the last good AUs" in printed
    assert f"Wrote {out}: 10 frames" in printed
    edited = tmp_path / "e.mp4"
    arguments = ("--preset", "happy", "--out", edited, "--precision", "bfloat16")
    assert animate(files, files["clip"], *arguments) == 0
    printed = capsys.readouterr().out
    assert "3 frames without a face were left unchanged" in printed
    assert "edited by the keras backend in bfloat16." in printed  # The flag reaches videos too.
    driven = tmp_path / "driven.mp4"
    assert animate(files, photo, "--aus-from", files["clip"], "--out", driven) == 0
    assert "read by the model's critic" in capsys.readouterr().out
    assert audio_seconds(driven) == pytest.approx(audio_seconds(files["clip"]), abs=0.1)


@pytest.mark.parametrize(
    "case, message",
    [
        ("exists", "already exists; pass --overwrite"),
        ("no_face", "no face found in any of the 4 frames"),
        ("not_video", "is not a video FFmpeg can read"),
        ("too_long", "has 11 frames, over the limit of 5; pass --allow-large"),
        ("no_aus", "has no OpenFace AU columns"),
        ("litert_driver", "has no critic"),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_output(
    files, tmp_path, capsys, monkeypatch, case, message
):
    out = tmp_path / "out.mp4"
    args = [files["clip"], "--preset", "happy", "--out", out]
    if case == "exists":
        out.write_bytes(b"keep me")
    elif case == "no_face":
        args[0] = files["empty"]
    elif case == "not_video":
        args[0] = tmp_path / "notes.mp4"
        args[0].write_text("not a video")
    elif case == "too_long":

        @dataclasses.dataclass(frozen=True)
        class Small(tfganimation.video.VideoLimits):
            max_frames: int = 5

        monkeypatch.setattr(tfganimation.video, "VideoLimits", Small)
    elif case == "no_aus":
        bad = tmp_path / "bad.csv"
        bad.write_text("frame, timestamp, success\n1, 0.0, 1\n2, 0.04, 1\n")
        args[1:3] = ["--aus-from", bad]
    elif case == "litert_driver":
        monkeypatch.setattr(Animator, "__init__", _without_critic(Animator.__init__))
        args[1:3] = ["--aus-from", files["clip"]]

    assert animate(files, *args) == 2
    assert message in error_line(capsys)
    assert out.read_bytes() == b"keep me" if case == "exists" else not out.exists()
    assert not list(tmp_path.glob(".partial-*"))


def _without_critic(init):
    """An `Animator.__init__` whose model has no critic, as a LiteRT file's has not."""

    def patched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.has_critic = False

    return patched


def test_held_rows_hold_through_the_whole_pipeline(files, animator, tmp_path):
    aus = np.tile(preset("happy"), (4, 1))
    aus[2] = 5.0
    track = AUTrack([0, 0.1, 0.2, 0.3], aus, [True, True, False, True])
    np.testing.assert_allclose(track.aus[2], track.aus[1])
    report = drive_photo(animator, files["photo"], track, tmp_path / "o.mp4", progress=False)
    assert report.held_rows == 1


def test_detect_every_reaches_the_video_edit_and_defaults_to_the_library_s(
    files, tmp_path, monkeypatch
):
    from tfganimation.cli import build_parser
    from tfganimation.video.face_follower import DEFAULT_DETECT_EVERY

    parsed = build_parser().parse_args(["animate", "x.mp4", "--preset", "happy"])
    assert parsed.detect_every == DEFAULT_DETECT_EVERY
    seen = {}
    original = tfganimation.video.edit_video

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(tfganimation.video, "edit_video", spy)
    out = tmp_path / "every.mp4"
    args = ["--preset", "happy", "--detect-every", "1", "--out", out]
    assert animate(files, files["clip"], *args) == 0
    assert seen["detect_every"] == 1 and out.is_file()


def test_a_detect_every_under_one_is_one_line(files, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        args = ["--preset", "happy", "--detect-every", "0", "--out", tmp_path / "o.mp4"]
        animate(files, files["clip"], *args)
    assert exit_.value.code == 2
    assert "--detect-every" in capsys.readouterr().err
