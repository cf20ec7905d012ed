"""Animation files: formats, frame counts, no silent overwrite."""

import cv2
import numpy as np
import pytest
from PIL import Image

from tfganimation.video import write_frames


def frames(n=5, size=(33, 48)):
    return [np.full((*size, 3), 40 * i, np.uint8) for i in range(n)]


def test_gif_has_every_frame(tmp_path):
    path = write_frames(frames(), tmp_path / "a.gif", fps=10)
    with Image.open(path) as gif:
        assert gif.n_frames == 5 and gif.size == (48, 33)


def test_mp4_is_browser_playable_h264_with_every_frame(tmp_path):
    import av

    path = write_frames(frames(), tmp_path / "a.mp4", fps=10)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert float(stream.average_rate) == pytest.approx(10)
    capture = cv2.VideoCapture(str(path))
    count = 0
    while capture.read()[0]:
        count += 1
    assert count == 5


def test_png_is_the_last_frame(tmp_path):
    path = write_frames(frames(), tmp_path / "a.png")
    assert np.asarray(Image.open(path))[0, 0, 0] == 160


def test_never_overwrites_without_permission(tmp_path):
    target = tmp_path / "a.gif"
    target.write_bytes(b"user's file")
    with pytest.raises(FileExistsError, match="overwrite"):
        write_frames(frames(), target)
    assert target.read_bytes() == b"user's file"
    write_frames(frames(), target, overwrite=True)
    assert target.read_bytes() != b"user's file"


def test_unknown_format_and_empty_input(tmp_path):
    with pytest.raises(ValueError, match="Unsupported"):
        write_frames(frames(), tmp_path / "a.bmpx")
    with pytest.raises(ValueError, match="No frames"):
        write_frames([], tmp_path / "b.gif")
    assert not list(tmp_path.iterdir())
