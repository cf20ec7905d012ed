"""`tfganimation animate`: what it writes, and how it fails."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image
from test_animator import FACE_SQUARE, portrait, save_tiny_model

from tfganimation import cli
from tfganimation.inference.animator import Animator
from tfganimation.faces import load_photo


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The TINY model and photos: an EXIF-rotated JPEG portrait and a face-free picture."""
    root = tmp_path_factory.mktemp("animate_cli")
    exif = Image.Exif()
    exif[0x0112] = 6  # Stored on its side; shown upright.
    Image.fromarray(np.ascontiguousarray(np.rot90(portrait()))).save(
        root / "portrait.jpg", quality=95, exif=exif.tobytes()
    )
    Image.fromarray(np.full((240, 320, 3), 128, np.uint8)).save(root / "wall.png")
    (root / "notes.jpg").write_text("not a picture")
    (root / "huge.png").write_bytes(png_header(8000, 6000))
    return {"model": save_tiny_model(root), "root": root}


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a size but holds no pixels: enough for the size check."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def animate(files, args: str, photo: str = "portrait.jpg") -> int:
    """Runs `tfganimation animate PHOTO --model TINY ARGS` in this process; its exit status."""
    return cli.main(
        ["animate", str(files["root"] / photo), "--model", files["model"], *args.split()]
    )


def error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("tfganimation animate: error: ")
    return lines[0]


def test_png_is_the_edited_photo_upright(files, tmp_path):
    out = tmp_path / "smile.png"

    assert animate(files, f"--preset happy --out {out}") == 0

    written = load_photo(out)
    expected = Animator(files["model"]).edit(files["root"] / "portrait.jpg", "happy")
    assert written.shape == portrait().shape  # The EXIF turn was applied.
    np.testing.assert_array_equal(written, expected.photo)
    x, y, side = FACE_SQUARE
    center_x, center_y = expected.faces[0].face.center
    assert x < center_x < x + side and y < center_y < y + side


def test_gif_and_mp4_have_the_asked_frames(files, tmp_path):
    gif, mp4 = tmp_path / "smile.gif", tmp_path / "smile.mp4"

    for out in (gif, mp4):
        args = f"--aus AU12=3,AU06=2 --frames 5 --fps 10 --out {out} --center-crop"
        assert animate(files, args) == 0

    with Image.open(gif) as image:
        # Pillow merges identical consecutive frames and adds up their durations.
        durations = []
        for index in range(image.n_frames):
            image.seek(index)
            durations.append(image.info["duration"])
    assert sum(durations) == 5 * 100 and image.size == (520, 400)
    video = cv2.VideoCapture(str(mp4))
    count = 0
    while video.read()[0]:
        count += 1
    assert count == 5


def test_show_attention_writes_a_strip_per_face(files, tmp_path, capsys):
    out = tmp_path / "surprise.gif"

    args = f"--preset surprise --frames 2 --show-attention --out {out} --center-crop"
    assert animate(files, args) == 0

    strip = load_photo(tmp_path / "surprise_attention.png")
    assert strip.shape == (32, 4 * 32, 3)  # crop | edited | attention | colour, at 32 px.
    attention = strip[:, 64:96]
    assert np.ptp(attention, axis=-1).max() == 0  # Grey levels.
    assert "surprise_attention.png" in capsys.readouterr().out


def test_never_overwrites_without_overwrite(files, tmp_path, capsys):
    out, strip = tmp_path / "smile.png", tmp_path / "frown_attention.png"
    smile = f"--preset happy --out {out} --center-crop"
    assert animate(files, smile) == 0
    before = out.read_bytes()
    strip.write_bytes(b"mine")
    capsys.readouterr()

    assert animate(files, smile) == 2
    assert "smile.png already exists; pass --overwrite" in error_line(capsys)
    frown = f"--preset sad --out {tmp_path / 'frown.png'} --center-crop --show-attention"
    assert animate(files, frown) == 2
    assert "frown_attention.png already exists" in error_line(capsys)
    assert out.read_bytes() == before and strip.read_bytes() == b"mine"
    assert not (tmp_path / "frown.png").exists()
    assert animate(files, smile + " --overwrite") == 0
    assert animate(files, frown + " --overwrite") == 0
    assert strip.read_bytes() != b"mine"


@pytest.mark.parametrize(
    "photo, args, message",
    [
        ("portrait.jpg", "--aus AU12=three", "Not a number in 'AU12=three'"),
        ("portrait.jpg", "--aus AU99=2", "Unknown action unit 'AU99'"),
        ("portrait.jpg", "--preset grin", "Unknown preset 'grin'"),
        ("missing.jpg", "--preset happy", "Photo not found"),
        ("notes.jpg", "--preset happy", "not an image"),
        ("huge.png", "--preset happy", "48.0 megapixels, over the limit of 40 MP"),
        ("wall.png", "--preset happy", "no face found in the photo; pass center_crop=True / --"),
    ],
)
def test_errors_are_one_line(files, tmp_path, capsys, photo, args, message):
    out = tmp_path / "out.png"

    code = animate(files, f"{args} --out {out}", photo=photo)

    assert code == 2 and message in error_line(capsys)
    assert not out.exists()


def test_missing_model_is_one_line(files, tmp_path, capsys):
    photo, model = files["root"] / "portrait.jpg", tmp_path / "nowhere"
    code = cli.main(
        f"animate {photo} --model {model} --preset happy --out {tmp_path}/o.png".split()
    )

    assert code == 2 and "Model not found" in error_line(capsys)


def test_without_model_the_demo_edits_the_photo_and_says_so(files, tmp_path, capsys):
    out = tmp_path / "smile.png"
    photo = files["root"] / "portrait.jpg"

    assert cli.main(["animate", str(photo), "--preset", "happy", "--out", str(out)]) == 0

    printed = capsys.readouterr().out
    assert printed.startswith("No --model given. Using the demo model: it was trained on ")
    assert "synthetic faces" in printed and "not real-face quality" in printed
    written = load_photo(out)
    np.testing.assert_array_equal(written, Animator("demo").edit(photo, "happy").photo)
    assert not np.array_equal(written, load_photo(photo))


def test_mask_strip_is_the_deprecated_name_of_attention_strip(files):
    result = Animator(files["model"]).edit(files["root"] / "portrait.jpg", "happy")

    with pytest.warns(DeprecationWarning, match="use attention_strip"):
        strip = result.mask_strip()

    np.testing.assert_array_equal(strip, result.attention_strip())
