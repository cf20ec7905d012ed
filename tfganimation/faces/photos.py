"""Loads any photo a person might hand us as upright 8-bit sRGB pixels."""

from __future__ import annotations

import contextlib
import io
import os
import warnings

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 40_000_000
"""40 megapixels: above any phone camera, and ~120 MB once decoded to RGB."""

PhotoSource = str | os.PathLike | bytes | bytearray | memoryview | Image.Image | np.ndarray

_SRGB = ImageCms.createProfile("sRGB")


class PhotoError(ValueError):
    """Raised when a source is not a readable image or is too large to decode."""


def load_photo(source: PhotoSource, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Reads a photo as the upright uint8 RGB array the face pipeline expects.

    - EXIF orientation is applied, so phone photos come out the way they are
      shown, not the way the sensor stored them.
    - Transparent images (RGBA, LA, palette with transparency) are composited
      on white rather than having their alpha dropped: the colour stored under
      fully transparent pixels is arbitrary (often black), and white is how
      viewers and documents show a cut-out portrait.
    - Grayscale, palette and CMYK become RGB; 16-bit images are scaled to
      8 bits; an embedded ICC profile (Display P3, CMYK press profiles) is
      converted to sRGB, the colour space the models were trained in.
    - Multi-frame files (GIF, TIFF) give their first frame.

    Args:
        source: a file path, the file's bytes, a `PIL.Image.Image`, or a
            numpy array `[H, W]`, `[H, W, 1]`, `[H, W, 3]` or `[H, W, 4]`
            (uint8, or uint16 for 16-bit) in RGB(A) order. OpenCV's
            `cv2.imread` gives BGR: convert it first.
        max_pixels: int. Images with more pixels (width x height) are refused
            from the file header alone, before their pixels are decoded, so a
            small file claiming a huge size (a decompression bomb) costs
            nothing. Pillow's own guard (`Image.MAX_IMAGE_PIXELS`, ~179 MP
            hard limit) still applies above ours. Defaults to
            `DEFAULT_MAX_PIXELS` (40 MP).

    Returns:
        A uint8 array `[H, W, 3]`, RGB, upright.

    Raises:
        PhotoError: the source is not an image, is corrupt or truncated, or
            has more than `max_pixels` pixels.
        FileNotFoundError: the path does not exist.

    Example:
    ```python
    photo = load_photo("portrait.jpg")
    photo = load_photo(uploaded_file.getvalue(), max_pixels=12_000_000)
    ```
    """
    if not isinstance(max_pixels, int) or max_pixels <= 0:
        raise ValueError(
            f"`max_pixels` must be a positive int. Received: max_pixels={max_pixels!r}"
        )
    if isinstance(source, np.ndarray):
        return _from_array(source, max_pixels)
    if isinstance(source, Image.Image):
        return _decode(source, max_pixels, "the image")
    if isinstance(source, (bytes, bytearray, memoryview)):
        name, source = f"the {len(source)}-byte upload", io.BytesIO(source)
    elif isinstance(source, (str, os.PathLike)):
        name = f"'{os.fspath(source)}'"
    else:
        raise TypeError(
            "`source` must be a path, bytes, a PIL image or a numpy array. "
            f"Received: {type(source).__name__}"
        )
    with warnings.catch_warnings():
        # Our limit is the one that applies; Pillow's warning below its own
        # hard limit would only repeat it.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(source)  # Lazy: reads the header only.
        except UnidentifiedImageError as error:
            raise PhotoError(f"{name} is not an image in a format Pillow can read.") from error
        except FileNotFoundError:
            raise
        except OSError as error:  # e.g. a JPEG truncated inside its header
            raise PhotoError(f"{name} could not be read (corrupt or truncated?): {error}") from error
        except Image.DecompressionBombError as error:
            # Pillow checks the header size in open() already; past its hard
            # limit we never get to see the size ourselves.
            raise PhotoError(
                f"{name} is over Pillow's decompression-bomb limit of "
                f"{2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels, so also over the limit of "
                f"{max_pixels / 1e6:g} MP (max_pixels); refused before decoding."
            ) from error
        with image:
            return _decode(image, max_pixels, name)


def _decode(image: Image.Image, max_pixels: int, name: str) -> np.ndarray:
    _check_size(image.size, max_pixels, name)
    try:
        image.load()
        return _to_rgb(ImageOps.exif_transpose(image))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise PhotoError(f"{name} could not be decoded (corrupt or truncated?): {error}") from error


def _check_size(size: tuple[int, int], max_pixels: int, name: str) -> None:
    width, height = size
    if width * height > max_pixels:
        raise PhotoError(
            f"{name} is {width}x{height} = {width * height / 1e6:.1f} megapixels, over the "
            f"limit of {max_pixels / 1e6:g} MP; refused before decoding. Shrink the photo "
            "or pass a larger max_pixels."
        )


def _to_rgb(image: Image.Image) -> np.ndarray:
    profile = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grayscale: Pillow's convert("L") would clip at 255, not scale.
        gray = np.clip(np.rint(np.asarray(image) / 257.0), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA")).convert("RGB")
    if profile and image.mode in ("RGB", "CMYK"):
        # An unreadable profile is ignored: such pixels are most likely near sRGB anyway.
        with contextlib.suppress(ImageCms.PyCMSError, OSError):
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), _SRGB, outputMode="RGB"
            )
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


def _from_array(array: np.ndarray, max_pixels: int) -> np.ndarray:
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise PhotoError(
            "An image array must be [H, W], [H, W, 1], [H, W, 3] or [H, W, 4]. "
            f"Received: shape={array.shape}"
        )
    if array.dtype not in (np.uint8, np.uint16):
        raise PhotoError(f"An image array must be uint8 or uint16. Received: dtype={array.dtype}")
    _check_size((array.shape[1], array.shape[0]), max_pixels, "the array")
    if array.dtype == np.uint16:
        array = np.clip(np.rint(array / 257.0), 0, 255).astype(np.uint8)
    return _to_rgb(Image.fromarray(np.ascontiguousarray(array)))
