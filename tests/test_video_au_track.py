"""`AUTrack` and the OpenFace CSV track reader: timing, held rows, smoothing, scaling, bad CSVs."""

import numpy as np
import pytest
from video_fixtures import write_openface_csv

from tfganimation.aus import N_AUS, preset
from tfganimation.video import AUTrack, read_openface_track


def ramp(n: int) -> np.ndarray:
    """AUs rising from neutral to happy over `n` rows."""
    return np.linspace(0, 1, n)[:, None] * preset("happy")[None]


@pytest.mark.parametrize("separator", [", ", ","])
def test_reads_every_row_with_its_timestamp_and_both_separators(tmp_path, separator):
    times = np.arange(12) / 30
    path = write_openface_csv(tmp_path / "p.csv", times, ramp(12), separator=separator)

    track = read_openface_track(path)

    assert len(track) == 12 and track.n_invalid == 0
    np.testing.assert_allclose(track.times, np.round(times, 3))
    np.testing.assert_allclose(track.aus, np.round(ramp(12), 2), atol=1e-6)
    assert track.frame_rate == pytest.approx(30, rel=0.01)  # Millisecond timestamps still give 30.


def test_failed_and_unconfident_rows_hold_the_last_good_aus(tmp_path):
    aus = ramp(8)
    aus[[2, 3, 5]] = 4.9  # Garbage where tracking failed.
    success = np.array([1, 1, 0, 0, 1, 1, 1, 1])
    confidence = np.array([0.9, 0.9, 0.9, 0.9, 0.9, 0.3, 0.9, 0.9])
    path = write_openface_csv(tmp_path / "p.csv", np.arange(8) / 25, aus, success, confidence)

    track = read_openface_track(path)

    assert track.n_invalid == 3
    assert list(track.valid) == [True, True, False, False, True, False, True, True]
    np.testing.assert_allclose(track.aus[2], track.aus[1])
    np.testing.assert_allclose(track.aus[3], track.aus[1])
    np.testing.assert_allclose(track.aus[5], track.aus[4])


def test_rows_before_the_first_good_one_take_its_aus():
    aus = np.full((4, N_AUS), 4.0, np.float32)
    aus[2:] = 1.0
    track = AUTrack(np.arange(4) / 10, aus, [False, False, True, True])
    np.testing.assert_allclose(track.aus, 1.0)


def test_several_faces_follow_the_chosen_one_or_the_best_tracked(tmp_path):
    times = np.repeat(np.arange(6) / 30, 2)
    face_ids = np.tile([0, 1], 6)
    aus = np.where(face_ids[:, None] == 1, 2.0, 1.0) * np.ones((12, N_AUS))
    success = np.where(face_ids == 0, [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0][:12], 1)
    path = write_openface_csv(tmp_path / "p.csv", times, aus, success=success, face_ids=face_ids)

    assert np.all(read_openface_track(path, face_id=0).aus == 1.0)
    best = read_openface_track(path)
    assert np.all(best.aus == 2.0) and len(best) == 6 and "face 1 of 2" in best.source
    with pytest.raises(ValueError, match="has no face 7; its faces are 0, 1"):
        read_openface_track(path, face_id=7)


def test_smoothing_reduces_frame_to_frame_change_and_keeps_the_timing():
    rng = np.random.default_rng(0)
    times = np.arange(60) / 30
    aus = np.clip(ramp(60) + rng.normal(0, 0.4, (60, N_AUS)), 0, 5)
    track = AUTrack(times, aus, np.ones(60, bool))

    smoothed = track.smoothed(0.1)

    def jitter(values):
        return np.abs(np.diff(values, axis=0)).mean()

    assert jitter(smoothed.aus) < 0.3 * jitter(track.aus)
    np.testing.assert_array_equal(smoothed.times, track.times)
    np.testing.assert_allclose(track.smoothed(0).aus, track.aus)


def test_scaling_exaggerates_within_the_intensity_scale():
    track = AUTrack([0, 0.1], [preset("happy"), preset("happy")], [True, True])
    assert track.scaled(2).aus.max() == 5.0  # 3 x 2 is clipped to OpenFace's maximum.
    np.testing.assert_allclose(track.scaled(0.5).aus, track.aus * 0.5)


def test_sampling_at_other_times_interpolates_and_holds_the_ends():
    track = AUTrack([0, 1], [np.zeros(N_AUS), np.full(N_AUS, 2.0)], [True, True])
    np.testing.assert_allclose(track.at([0.5, 3.0])[:, 0], [1.0, 2.0])


def test_irregular_timestamps_are_kept_and_the_rate_ignores_dropped_frames():
    times = np.array([0, 1, 2, 3, 6, 7, 8, 9]) / 30  # Two frames dropped.
    track = AUTrack(times, np.zeros((8, N_AUS)), np.ones(8, bool))
    np.testing.assert_allclose(track.times, times)
    assert track.frame_rate == pytest.approx(30)


@pytest.mark.parametrize(
    "change, message",
    [
        ("no_aus", "has no OpenFace AU columns"),
        (
            "backwards",
            "timestamps must increase from row to row; data row 4 is at 0.033 s, after 0.067 s",
        ),
        ("no_success", "no row has a successfully tracked face"),
        ("no_timestamp", "has no timestamp column"),
    ],
)
def test_bad_csvs_are_refused_in_one_line(tmp_path, change, message):
    times, aus, success = np.arange(5) / 30, ramp(5), np.ones(5, int)
    if change == "backwards":
        times[3] = times[1]
    if change == "no_success":
        success[:] = 0
    path = write_openface_csv(tmp_path / "p.csv", times, aus, success)
    if change in ("no_aus", "no_timestamp"):
        lines = path.read_text().splitlines()
        keep = [
            i
            for i, name in enumerate(lines[0].split(", "))
            if (name.endswith("_r") if change == "no_aus" else name == "timestamp")
        ]
        path.write_text(
            "\n".join(
                ", ".join(v for i, v in enumerate(line.split(", ")) if i not in keep)
                for line in lines
            )
        )

    with pytest.raises(ValueError, match=message) as error:
        read_openface_track(path)
    assert "\n" not in str(error.value)
