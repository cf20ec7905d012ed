"""`load_photo`: orientation, colour modes, size limits and bad input."""

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFile

from tfganimation.faces import PhotoError, load_photo

RED, BLUE = (230, 20, 20), (20, 20, 230)


def _encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def _upright_marker() -> np.ndarray:
    """48 wide, 32 tall, blue with a red top-left corner: every flip or turn moves the corner."""
    image = np.empty((32, 48, 3), np.uint8)
    image[:] = BLUE
    image[:12, :12] = RED
    return image


@pytest.mark.parametrize(
    "orientation, turns",
    # The EXIF tag says how to turn the stored pixels for display; store the
    # upright picture turned the other way (np.rot90 turns counter-clockwise).
    [(3, 2), (6, 1), (8, -1)],
)
def test_exif_orientation_lands_upright(orientation, turns):
    stored = np.ascontiguousarray(np.rot90(_upright_marker(), k=turns))
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(Image.fromarray(stored), "JPEG", quality=95, exif=exif.tobytes())

    photo = load_photo(data)

    assert photo.shape == (32, 48, 3)
    np.testing.assert_allclose(photo[2:10, 2:10].mean(axis=(0, 1)), RED, atol=12)
    for corner in (photo[2:10, -10:-2], photo[-10:-2, 2:10], photo[-10:-2, -10:-2]):
        np.testing.assert_allclose(corner.mean(axis=(0, 1)), BLUE, atol=12)


def test_rgba_is_composited_on_white():
    rgba = np.zeros((8, 12, 4), np.uint8)  # Transparent black on the left.
    rgba[:, 4:8] = (0, 0, 0, 128)  # Half-transparent black in the middle.
    rgba[:, 8:] = (200, 10, 10, 255)  # Opaque red on the right.

    photo = load_photo(_encode(Image.fromarray(rgba), "PNG"))

    assert photo.dtype == np.uint8 and photo.shape == (8, 12, 3)
    np.testing.assert_array_equal(photo[:, :4], 255)
    np.testing.assert_allclose(photo[:, 4:8], 127, atol=1)
    np.testing.assert_array_equal(photo[:, 8:], np.broadcast_to((200, 10, 10), (8, 4, 3)))


def _palette_with_transparency() -> bytes:
    image = Image.fromarray(np.array([[0, 1], [1, 0]], np.uint8), mode="P")
    image.putpalette([10, 200, 30, 0, 0, 0])
    return _encode(image, "PNG", transparency=1)


def _cv2_png(array: np.ndarray) -> bytes:
    return cv2.imencode(".png", array)[1].tobytes()


@pytest.mark.parametrize(
    "data, expected, atol",
    [
        (_encode(Image.new("L", (6, 4), 200), "PNG"), (200, 200, 200), 0),
        (_encode(Image.new("1", (6, 4), 1), "PNG"), (255, 255, 255), 0),
        (_encode(Image.new("RGB", (6, 4), (10, 200, 30)).quantize(4), "PNG"), (10, 200, 30), 0),
        (_palette_with_transparency(), None, 0),
        # CMYK: full magenta and yellow make red.
        (_encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95), (255, 0, 0), 6),
        (_encode(Image.new("LA", (6, 4), (90, 255)), "PNG"), (90, 90, 90), 0),
        # 16-bit grayscale: 200 * 257 is 8-bit 200, not clipped to 255.
        (_cv2_png(np.full((4, 6), 200 * 257, np.uint16)), (200, 200, 200), 0),
        # 16-bit colour (OpenCV writes BGR).
        (_cv2_png(np.full((4, 6, 3), (255 * 257, 0, 128 * 257), np.uint16)), (128, 0, 255), 0),
    ],
    ids=["gray", "bilevel", "palette", "palette-transparent", "cmyk", "gray-alpha", "gray16", "rgb16"],
)
def test_colour_modes_load_as_uint8_rgb(data, expected, atol):
    photo = load_photo(data)

    assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3
    if expected is None:  # The palette image: transparent pixels on white.
        np.testing.assert_array_equal(photo[0, 0], (10, 200, 30))
        np.testing.assert_array_equal(photo[0, 1], (255, 255, 255))
    else:
        np.testing.assert_allclose(photo, np.broadcast_to(expected, photo.shape), atol=atol)


@pytest.mark.parametrize(
    "array, expected",
    [
        (np.full((4, 6), 7, np.uint8), (7, 7, 7)),
        (np.full((4, 6, 1), 7, np.uint8), (7, 7, 7)),
        (np.full((4, 6), 100 * 257, np.uint16), (100, 100, 100)),
        (np.full((4, 6, 4), (1, 2, 3, 255), np.uint8), (1, 2, 3)),
    ],
)
def test_arrays_load_as_uint8_rgb(array, expected):
    photo = load_photo(array)

    assert photo.shape == (4, 6, 3) and photo.dtype == np.uint8
    np.testing.assert_array_equal(photo, np.broadcast_to(expected, (4, 6, 3)))


def test_embedded_colour_profile_is_applied(monkeypatch):
    calls = []
    convert = ImageCms.profileToProfile

    def spy(*args, **kwargs):
        calls.append(1)
        return convert(*args, **kwargs)

    monkeypatch.setattr(ImageCms, "profileToProfile", spy)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _encode(Image.new("RGB", (16, 16), (200, 120, 40)), "PNG", icc_profile=srgb)

    photo = load_photo(data)

    assert calls == [1]
    np.testing.assert_allclose(photo[0, 0], (200, 120, 40), atol=2)  # sRGB to sRGB: unchanged.


def test_paths_and_pil_images_load(tmp_path):
    path = tmp_path / "grey.png"
    Image.new("RGB", (5, 3), (1, 2, 3)).save(path)

    assert load_photo(path).shape == (3, 5, 3)
    assert load_photo(str(path)).shape == (3, 5, 3)
    np.testing.assert_array_equal(load_photo(Image.open(path))[0, 0], (1, 2, 3))


def _png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header (IHDR) is patched to claim `width` x `height`, CRC fixed up."""
    data = bytearray(_encode(Image.new("RGB", (1, 1)), "PNG"))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize(
    "width, height, message",
    [
        # Over our 40 MP default but under Pillow's own limits: our check.
        (10000, 5000, r"10000x5000 = 50.0 megapixels, over the limit of 40 MP; refused before"),
        # Past Pillow's hard limit, which open() enforces before we see the size.
        (20000, 20000, r"decompression-bomb limit .* limit of 40 MP \(max_pixels\); refused before"),
    ],
)
def test_oversized_image_refused_before_decoding(monkeypatch, width, height, message):
    def fail_load(self):
        raise AssertionError("pixels were decoded before the size check")

    monkeypatch.setattr(ImageFile.ImageFile, "load", fail_load)

    with pytest.raises(PhotoError, match=message):
        load_photo(_png_claiming(width, height))


def test_pixel_limit_is_configurable():
    data = _encode(Image.new("RGB", (100, 50)), "PNG")

    with pytest.raises(PhotoError, match="100x50"):
        load_photo(data, max_pixels=4999)
    with pytest.raises(PhotoError, match="limit"):
        load_photo(np.zeros((50, 100, 3), np.uint8), max_pixels=4999)
    assert load_photo(data, max_pixels=5000).shape == (50, 100, 3)


def test_non_image_bytes_give_a_clear_error():
    with pytest.raises(PhotoError, match="not an image"):
        load_photo(b"GIF? no, just some text pretending to be a picture")


def test_truncated_file_gives_a_clear_error():
    data = _encode(Image.effect_noise((64, 64), 60).convert("RGB"), "JPEG")

    with pytest.raises(PhotoError, match="could not be decoded"):
        load_photo(data[: len(data) // 2])


def test_missing_file_and_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_photo(tmp_path / "nope.jpg")
    with pytest.raises(TypeError, match="path, bytes"):
        load_photo(42)
    with pytest.raises(PhotoError, match="uint8 or uint16"):
        load_photo(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(ValueError, match="max_pixels"):
        load_photo(np.zeros((4, 4, 3), np.uint8), max_pixels=0)


def test_jpeg_truncated_inside_its_header_is_a_photo_error(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[:30])  # SOI and part of the first segment
    with pytest.raises(PhotoError):
        load_photo(path)
