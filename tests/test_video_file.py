"""Video decoding and encoding with PyAV: timing, audio, budgets and unreadable files."""

import numpy as np
import pytest
from video_fixtures import audio_seconds, empty_frame, write_tone, write_video

from tfganimation.video import VideoError, VideoLimits, VideoWriter, probe_video, read_frames


def gradient(shade: int) -> np.ndarray:
    frame = empty_frame()
    frame[:, :, 0] = shade
    return frame


def test_frames_come_back_with_their_times_even_when_irregular(tmp_path):
    times = [0.0, 0.04, 0.08, 0.2, 0.24]  # A gap, as a variable-frame-rate source has.
    with VideoWriter(tmp_path / "v.mp4", 128, 96, 25.0, crf=0) as writer:
        for index, time in enumerate(times):
            writer.write(gradient(40 * index), time)

    frames = list(read_frames(tmp_path / "v.mp4"))

    assert [round(frame.time, 3) for frame in frames] == times
    assert abs(int(frames[3].image[50, 50, 0]) - 120) <= 2
    info = probe_video(tmp_path / "v.mp4")
    assert (info.width, info.height, info.n_frames, info.has_audio) == (128, 96, 5, False)


@pytest.mark.parametrize("codec, suffix", [("aac", ".m4a"), ("pcm_s16le", ".wav")])
def test_audio_is_copied_or_reencoded_and_cut_at_the_video_end(tmp_path, codec, suffix):
    tone = write_tone(tmp_path / f"tone{suffix}", seconds=3.0, codec=codec)
    video = write_video(
        tmp_path / "v.mp4", [gradient(i * 20) for i in range(10)], fps=10, audio=tone
    )

    assert probe_video(video).has_audio
    assert audio_seconds(video) == pytest.approx(1.0, abs=0.15)  # 10 frames at 10 fps.


def test_budgets_refuse_long_or_large_videos_before_decoding(tmp_path):
    video = write_video(tmp_path / "v.mp4", [gradient(i) for i in range(6)])

    with pytest.raises(VideoError, match="has 6 frames, over the limit of 5; pass --allow-large"):
        probe_video(video, VideoLimits(max_frames=5))
    with pytest.raises(VideoError, match="megapixels a frame, over the limit"):
        probe_video(video, VideoLimits(max_frame_pixels=100 * 100))
    assert probe_video(video, VideoLimits.unlimited()).n_frames == 6


def test_files_that_are_not_videos_are_refused_in_one_line(tmp_path):
    (tmp_path / "notes.mp4").write_text("not a video")
    truncated = write_video(tmp_path / "t.mp4", [gradient(i) for i in range(4)])
    truncated.write_bytes(truncated.read_bytes()[:300])

    for path in (tmp_path / "notes.mp4", truncated):
        with pytest.raises(VideoError) as error:
            probe_video(path)
        assert "\n" not in str(error.value)
    with pytest.raises(FileNotFoundError):
        probe_video(tmp_path / "missing.mp4")
