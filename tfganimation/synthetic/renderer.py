"""Draws a synthetic face from an `Identity` and 17 AU intensities.

Every AU moves the anatomy that FACS says it moves, by amounts that are smooth
(piecewise linear or polynomial) functions of its intensity, so interpolating
the AU vector interpolates the face. The face is drawn with anti-aliased,
sub-pixel OpenCV polygons on a canvas at least 256 px wide and area-averaged
down to the requested size: small faces stay smooth, and sub-pixel feature
motion shows as gradual intensity change instead of jumping a whole pixel.
Nothing is random, so the same identity, AUs and size give identical pixels.

All geometry is in the face frame of `anatomy.py`; `W` and `H` below are the
face's half-width and half-height, and `a[code]` an AU on the 0..1 scale.
The canvas and shape primitives are `painter.py`'s, the lips' AU-driven
curves `mouth.py`'s; this module decides what each feature looks like.
"""

from __future__ import annotations

import cv2
import numpy as np

from tfganimation.aus import AU_CODES, N_AUS, OPENFACE_MAX_INTENSITY
from tfganimation.synthetic.anatomy import Anchors, anchors
from tfganimation.synthetic.identity import Identity
from tfganimation.synthetic.mouth import Mouth
from tfganimation.synthetic.painter import Painter, band, ellipse, grid, mix, shade, xy

MIN_IMAGE_SIZE = 32
"""Below this the eyes are a couple of pixels wide and AUs stop being legible."""

_MIN_CANVAS = 256
_BLACK = (12.0, 10.0, 10.0)
_WHITE = (255.0, 255.0, 255.0)
_SCLERA = (238.0, 234.0, 228.0)
_TEETH = (236.0, 232.0, 220.0)
_GLASSES = (38.0, 34.0, 34.0)


def render_face(identity: Identity, aus, image_size: int) -> np.ndarray:
    """Renders `identity` making the expression `aus`.

    Args:
        identity: Identity. Who is drawn.
        aus: array-like of 17 floats. AU intensities on the OpenFace scale
            0..5, in `tfganimation.aus.AU_CODES` order; all zeros is the
            neutral face.
        image_size: int. Side of the square output, at least 32.

    Returns:
        A `uint8` RGB array of shape `[image_size, image_size, 3]`.

    Example:
    ```python
    identity = sample_identity(np.random.default_rng(0))
    smile = render_face(identity, aus.preset("happy"), 128)
    ```
    """
    aus = _check_aus(aus)
    image_size = check_image_size(image_size)
    factor = 2
    while image_size * factor < _MIN_CANVAS:
        factor *= 2
    painter = Painter(identity, image_size * factor)
    intensities = dict(zip(AU_CODES, aus / OPENFACE_MAX_INTENSITY))
    _draw_face(painter, identity, anchors(identity), intensities)
    image = painter.image
    while factor > 1:  # Repeated halving is a box filter too, and 3x faster than one 4x step.
        factor //= 2
        image = cv2.resize(image, (image_size * factor,) * 2, interpolation=cv2.INTER_AREA)
    return image


def check_image_size(image_size: int) -> int:
    """Returns `image_size` as an int, or raises `ValueError` if it is not one >= 32."""
    if (isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer))
            or image_size < MIN_IMAGE_SIZE):
        raise ValueError(
            f"image_size must be an integer >= {MIN_IMAGE_SIZE}. "
            f"Received: image_size={image_size!r}"
        )
    return int(image_size)


def _check_aus(aus) -> np.ndarray:
    """Returns `aus` as float64[17] or raises `ValueError` if it is not 17 values in 0..5."""
    vector = np.asarray(aus, dtype=np.float64)
    if vector.shape != (N_AUS,) or not np.all(np.isfinite(vector)):
        raise ValueError(
            f"aus must be {N_AUS} finite numbers. Received: shape {vector.shape}, {vector!r}"
        )
    if vector.min() < 0.0 or vector.max() > OPENFACE_MAX_INTENSITY:
        raise ValueError(
            f"AU intensities must lie in 0..{OPENFACE_MAX_INTENSITY:g} (OpenFace scale). "
            f"Received: min={vector.min():g}, max={vector.max():g}"
        )
    return vector


def _draw_face(
    painter: Painter, identity: Identity, anchor: Anchors, a: dict[str, float]
) -> None:
    skin = identity.skin
    chin_drop = 0.14 * anchor.height * a["AU26"]
    _draw_body(painter, identity, anchor)
    _draw_head(painter, identity, anchor, chin_drop)
    _draw_cheeks(painter, identity, anchor, a)
    _draw_forehead(painter, skin, anchor, a)
    for side in (-1.0, 1.0):
        _draw_eye(painter, identity, anchor, a, side)
    _draw_nose(painter, skin, anchor, a)
    mouth = Mouth(anchor, a)
    _draw_folds(painter, skin, anchor, a, mouth)
    _draw_mouth(painter, identity, anchor, a, mouth)
    for side in (-1.0, 1.0):
        _draw_brow(painter, identity, anchor, a, side)
    _draw_hair(painter, identity, anchor)
    if identity.glasses:
        _draw_glasses(painter, anchor)


def _draw_body(painter: Painter, identity: Identity, anchor: Anchors) -> None:
    """What lies behind the face: shoulders, long hair's back, the neck."""
    width, height = anchor.width, anchor.height
    painter.fill(identity.clothes, ellipse(0.0, height + 0.3, 2.4 * width, 0.26))
    if identity.hair_style == "long":
        top = ellipse(0.0, -0.05 * height, 1.22 * width, 1.08 * height,
                       start=np.pi, stop=2 * np.pi)
        sides = np.array([[1.22 * width, 1.25 * height], [-1.22 * width, 1.25 * height]])
        painter.fill(shade(identity.hair, 0.8), np.concatenate([top, sides]))
    neck = np.array([[-0.45, 0.5], [0.45, 0.5], [0.5, 2.0], [-0.5, 2.0]]) * [width, height]
    painter.fill(shade(identity.skin, 0.8), neck)


def _draw_head(painter: Painter, identity: Identity, anchor: Anchors, chin_drop: float) -> None:
    width, height, skin = anchor.width, anchor.height, identity.skin
    for side in (-1.0, 1.0):
        ear = (side * 0.97 * width, 0.06 * height)
        painter.fill(shade(skin, 0.9), ellipse(*ear, 0.11 * width, 0.19 * height))
        fold = ellipse(ear[0] + side * 0.02 * width, ear[1], 0.05 * width, 0.11 * height,
                        start=-1.2, stop=1.2, flip=side)
        painter.line(shade(skin, 0.72), fold, 0.005)
    outline = _face_outline(anchor, identity.jaw)
    painter.fill(shade(skin, 0.92), _stretch_jaw(outline, anchor, chin_drop))
    inset = outline * 0.93 + [0.0, -0.04 * height]
    painter.fill(skin, _stretch_jaw(inset, anchor, chin_drop))


def _face_outline(anchor: Anchors, jaw: float) -> np.ndarray:
    """Egg-shaped outline: an ellipse on top, a superellipse jaw tapering to the chin."""
    angle = grid(0.0, 2 * np.pi, 96, closed=False)
    cos, sin = np.cos(angle), np.sin(angle)
    exponent = 2.0 / (2.0 + 1.6 * jaw)
    lower = sin > 0
    taper = 1 - (0.3 - 0.12 * jaw) * sin**2
    x = np.where(lower, np.sign(cos) * np.abs(cos) ** exponent * taper, cos * (1 - 0.06 * sin**2))
    y = np.where(lower, np.abs(sin) ** exponent, sin)
    return xy(anchor.width * x, anchor.height * y)


def _stretch_jaw(points: np.ndarray, anchor: Anchors, chin_drop: float) -> np.ndarray:
    """AU26 lowers the jaw: everything below the mouth stretches down, the chin by `chin_drop`."""
    below = np.clip((points[:, 1] - anchor.mouth_y) / (anchor.height - anchor.mouth_y), 0.0, None)
    return points + xy(np.zeros_like(below), chin_drop * below)


def _draw_cheeks(
    painter: Painter, identity: Identity, anchor: Anchors, a: dict[str, float]
) -> None:
    """AU06 lifts and rounds the cheeks: the rosy apple rises and gains contrast.

    Three nested ellipses of growing strength give the blush a soft edge.
    """
    width, height = anchor.width, anchor.height
    blush = mix(identity.skin, identity.lips, 0.55)
    strength = 0.14 + 0.4 * a["AU06"] + 0.08 * a["AU12"]
    y = anchor.eye_y + 0.36 * height - 0.1 * height * a["AU06"] - 0.02 * height * a["AU12"]
    for side in (-1.0, 1.0):
        for step in (1, 2, 3):
            radius = 1.1 - 0.3 * step
            apple = ellipse(side * 0.56 * width, y, 0.17 * width * radius, 0.1 * height * radius)
            painter.fill(mix(identity.skin, blush, strength * step / 3), apple)


def _draw_forehead(painter: Painter, skin, anchor: Anchors, a: dict[str, float]) -> None:
    """AU01 wrinkles the forehead's centre, AU02 its sides; AU04 creases the glabella."""
    width, height = anchor.width, anchor.height
    centre = 0.5 * a["AU01"] + 0.15 * a["AU02"]
    lateral = 0.45 * a["AU02"] + 0.12 * a["AU01"]
    for row in range(3):
        y = anchor.brow_y - (0.12 + 0.065 * row) * height
        for start, stop, strength in (
            (-0.22, 0.22, centre), (0.18, 0.5, lateral), (-0.5, -0.18, lateral)
        ):
            x = grid(start, stop, 8) * width
            painter.crease(skin, strength, xy(x, y + 0.05 * height * (x / width) ** 2))
    for side in (-1.0, 1.0):
        x = side * 0.055 * width
        top = anchor.brow_y - 0.03 * height
        bottom = anchor.brow_y + (0.07 + 0.06 * a["AU04"]) * height
        glabella = np.array([[x, top], [x + side * 0.01 * width, bottom]])
        painter.crease(skin, 0.6 * a["AU04"], glabella)


def _draw_eye(
    painter: Painter, identity: Identity, anchor: Anchors, a: dict[str, float], side: float
) -> None:
    """AU05 raises the upper lid, AU07 tightens both lids, AU06 pushes the lower
    lid up and bunches the skin below and beside the eye, AU45 closes it."""
    skin, half = identity.skin, anchor.eye_half_width
    centre_x, centre_y = side * anchor.eye_x, anchor.eye_y
    opening = 1.0 - a["AU45"]
    upper = anchor.eye_upper * opening * max(
        0.0, 1 + 0.6 * a["AU05"] - 0.35 * a["AU07"] - 0.15 * a["AU06"])
    lower = anchor.eye_lower * opening * max(
        0.0, 1 - 0.5 * a["AU07"] - 0.45 * a["AU06"] + 0.1 * a["AU05"])
    sag = 0.3 * anchor.eye_lower * a["AU45"]  # Closed lids meet on a downward curve.

    def lids(u):  # u runs from the inner (-1) to the outer (+1) corner.
        u = np.clip(u, -1.0, 1.0)
        base = centre_y - 0.08 * half * u + sag * (1 - u**2)
        return base - upper * (1 - u**2) ** 0.8 * (1 - 0.15 * u), base + lower * (1 - u**2) ** 0.9

    def at(u, y):
        return xy(centre_x + side * half * u, y)

    socket = ellipse(centre_x, centre_y - 0.1 * half, 1.4 * half, 0.95 * half)
    painter.fill(mix(skin, shade(skin, 0.7), 0.14), socket)
    u = grid(-0.85, 0.95, 12)
    lid_crease = centre_y - 0.08 * half * u - 1.5 * anchor.eye_upper * (1 - u**2) ** 0.7
    painter.crease(skin, 0.3, at(u, lid_crease))
    u = grid(-0.6, 0.9, 10)
    bulge = lids(u)[1] + 0.45 * anchor.eye_lower * (1 - u**2) ** 0.8 + 0.1 * half
    painter.crease(skin, 0.45 * a["AU06"] + 0.2 * a["AU07"], at(u, bulge))
    for spread in (-0.3, 0.05, 0.4):
        start = (centre_x + side * 1.12 * half, centre_y + spread * half)
        end = (centre_x + side * 1.55 * half, centre_y + spread * 2.1 * half)
        painter.crease(skin, 0.55 * a["AU06"], np.array([start, end]), width=0.005)

    u = grid(-1.0, 1.0, 21)
    top, bottom = lids(u)
    if upper + lower > 1e-4:
        painter.fill(_SCLERA, band(centre_x + side * half * u, top, bottom))
        iris_radius, iris_y = 0.5 * half, centre_y + 0.04 * half
        for colour, radius, dx, dy in (
            (shade(identity.iris, 0.7), iris_radius, 0.0, 0.0),
            (identity.iris, 0.82 * iris_radius, 0.0, 0.0),
            (_BLACK, 0.42 * iris_radius, 0.0, 0.0),
            (_WHITE, 0.16 * iris_radius, 0.3 * iris_radius, -0.35 * iris_radius),
        ):
            x = centre_x + dx + radius * grid(-1.0, 1.0, 15)
            depth = np.sqrt(np.clip(radius**2 - (x - centre_x - dx) ** 2, 0.0, None))
            lid_top, lid_bottom = lids((x - centre_x) / (side * half))
            clipped_top = np.maximum(iris_y + dy - depth, lid_top)
            clipped_bottom = np.maximum(np.minimum(iris_y + dy + depth, lid_bottom), clipped_top)
            painter.fill(colour, band(x, clipped_top, clipped_bottom))
        lower_lid = slice(2, 20)
        lower_lid_colour = mix(skin, shade(skin, 0.55), 0.45)
        painter.line(lower_lid_colour, at(u[lower_lid], bottom[lower_lid]), 0.004)
    painter.line(mix(identity.hair, _BLACK, 0.7), at(u, top), 0.011)


def _draw_brow(
    painter: Painter, identity: Identity, anchor: Anchors, a: dict[str, float], side: float
) -> None:
    """AU01 raises the brow's inner end, AU02 its outer end; AU04 pulls the
    brows down and together."""
    width, height = anchor.width, anchor.height
    t = grid(0.0, 1.0, 16)  # inner end .. outer end
    inner = anchor.eye_x - 1.0 * anchor.eye_half_width
    outer = anchor.eye_x + 1.3 * anchor.eye_half_width
    x = side * (inner + (outer - inner) * t - 0.07 * width * a["AU04"] * (1 - t))
    y = (anchor.brow_y - 0.035 * height * np.sin(np.pi * t**0.85)
         - 0.085 * height * a["AU01"] * (1 - t) ** 1.3
         - 0.095 * height * a["AU02"] * t**1.1
         + 0.075 * height * a["AU04"] * (1 - 0.45 * t))
    half_thickness = 0.5 * identity.brow_thickness * height * (1 - 0.55 * t**1.5)
    colour = mix(identity.hair, (35.0, 25.0, 20.0), 0.55)
    painter.fill(colour, band(x, y - half_thickness, y + half_thickness))


def _draw_nose(painter: Painter, skin, anchor: Anchors, a: dict[str, float]) -> None:
    """AU09 wrinkles the nose root and lifts and flares the nostril wings; AU10 lifts them a bit."""
    height = anchor.height
    bottom = anchor.nose_y - 0.035 * height * a["AU09"] - 0.015 * height * a["AU10"]
    half = anchor.nose_half_width * (1 + 0.14 * a["AU09"] + 0.06 * a["AU10"])
    shadow = shade(skin, 0.55)
    t = grid(0.0, 1.0, 8)
    top, foot = anchor.eye_y + 0.12 * height, bottom - 0.12 * height
    for side in (-1.0, 1.0):
        bridge = xy(side * half * (0.32 + 0.2 * t**2), top + (foot - top) * t)
        painter.line(mix(skin, shadow, 0.2), bridge, 0.005)
    tip = ellipse(0.0, bottom - 0.075 * height, 0.3 * half, 0.045 * height)
    painter.fill(mix(skin, _WHITE, 0.12), tip)
    for side in (-1.0, 1.0):
        nostril = ellipse(side * 0.42 * half, bottom - 0.012 * height, 0.17 * half, 0.022 * height)
        painter.fill(mix(skin, _BLACK, 0.55), nostril)
        wing = ellipse(side * 0.78 * half, bottom - 0.04 * height, 0.25 * half, 0.045 * height,
                        start=-1.7, stop=1.5, flip=side)
        painter.line(mix(skin, shadow, 0.55), wing, 0.006)
    x = grid(-0.22, 0.22, 6) * half
    painter.line(mix(skin, shadow, 0.35), xy(x, bottom + 0.004 * height), 0.004)
    for row in range(3):
        x = grid(-0.3, 0.3, 6) * half
        y = anchor.eye_y + (0.05 + 0.045 * row) * height - 0.02 * height * (x / half) ** 2
        painter.crease(skin, 0.65 * a["AU09"], xy(x, y), width=0.005)


def _draw_folds(
    painter: Painter, skin, anchor: Anchors, a: dict[str, float], mouth: Mouth
) -> None:
    """Nasolabial folds deepen with AU12, AU10, AU09 (and AU06, AU20); AU14 dimples the corners.

    Each fold runs from the nostril wing to just outside the lip corner, so
    whatever moves the corner moves the fold's lower end.
    """
    width, height = anchor.width, anchor.height
    nose_bottom = anchor.nose_y - 0.035 * height * a["AU09"] - 0.015 * height * a["AU10"]
    depth = (0.05 + 0.45 * a["AU12"] + 0.35 * a["AU10"] + 0.3 * a["AU09"]
             + 0.15 * a["AU06"] + 0.15 * a["AU20"])
    t = grid(0.0, 1.0, 10)[:, None]
    for side in (-1.0, 1.0):
        corner_x, corner_y = mouth.corner(side)
        start = np.array([side * 1.1 * anchor.nose_half_width, nose_bottom - 0.04 * height])
        end = np.array([corner_x + side * 0.08 * width, corner_y + 0.03 * height])
        bend = np.array([side * (abs(end[0]) + 0.08 * width), 0.5 * (start[1] + end[1])])
        painter.crease(skin, depth, (1 - t) ** 2 * start + 2 * t * (1 - t) * bend + t**2 * end)
        dimple = ellipse(corner_x + side * 0.05 * width, corner_y, 0.03 * width, 0.055 * height,
                          start=-1.3, stop=1.3, flip=side)
        painter.crease(skin, 0.85 * a["AU14"], dimple, width=0.008)
        tuck = np.array([[corner_x, corner_y],
                         [corner_x + side * 0.05 * width, corner_y - 0.01 * height]])
        painter.crease(skin, 0.6 * a["AU14"], tuck)


def _draw_mouth(
    painter: Painter, identity: Identity, anchor: Anchors, a: dict[str, float], mouth: Mouth
) -> None:
    """Lips, the opening with teeth, and the chin that AU17 bunches up."""
    skin, lips, height = identity.skin, identity.lips, anchor.height
    u = grid(-1.0, 1.0, 25)
    x = mouth.x(u)
    painter.fill(mix(lips, _BLACK, 0.75), band(x, mouth.upper_inner(u), mouth.lower_inner(u)))
    teeth_u = grid(-0.62, 0.62, 13)
    teeth_x = mouth.x(teeth_u)
    upper_inner, lower_inner = mouth.upper_inner(teeth_u), mouth.lower_inner(teeth_u)
    teeth_shape = (1 - teeth_u**2) ** 0.3
    # Teeth are clipped to the opening, so they vanish smoothly as the lips close.
    lower_teeth_top = np.maximum(lower_inner - 0.025 * height * teeth_shape, upper_inner)
    painter.fill(shade(_TEETH, 0.92), band(teeth_x, lower_teeth_top, lower_inner))
    upper_teeth_bottom = np.minimum(upper_inner + 0.04 * height * teeth_shape, lower_inner)
    painter.fill(_TEETH, band(teeth_x, upper_inner, upper_teeth_bottom))
    painter.fill(shade(lips, 0.92), band(x, mouth.upper_outer(u), mouth.upper_inner(u)))
    painter.fill(mix(lips, _WHITE, 0.06), band(x, mouth.lower_inner(u), mouth.lower_outer(u)))
    middle = 0.5 * (mouth.upper_inner(u) + mouth.lower_inner(u))
    painter.line(mix(lips, _BLACK, 0.55), xy(x, middle), 0.005)

    sulcus_y = mouth.lower_outer(0.0) + (0.055 - 0.015 * a["AU17"]) * height
    chin_x = grid(-0.17, 0.17, 8) * anchor.width
    sulcus = xy(chin_x, sulcus_y - 0.5 * chin_x**2 / anchor.width)
    painter.crease(skin, 0.1 + 0.4 * a["AU17"], sulcus)
    for row in (1, 2):
        x = grid(-0.08, 0.08, 5) * anchor.width * row
        wrinkle = xy(x, sulcus_y + 0.045 * height * row)
        painter.crease(skin, 0.45 * a["AU17"], wrinkle, width=0.004)


def _draw_hair(painter: Painter, identity: Identity, anchor: Anchors) -> None:
    """The hair in front of the head: a cap down to the hairline, and the side locks."""
    width, height, style = anchor.width, anchor.height, identity.hair_style
    colour = mix(identity.skin, identity.hair, 0.55) if style == "buzz" else identity.hair
    volume = {"short": 1.1, "long": 1.12, "bangs": 1.1, "buzz": 1.02}[style]
    hairline = {"short": -0.62, "long": -0.6, "bangs": -0.36, "buzz": -0.68}[style] * height
    side_bottom = {"short": -0.05, "long": 1.2, "bangs": 0.3, "buzz": -0.12}[style] * height
    centre_y = -0.1 * height
    cap = ellipse(0.0, centre_y, volume * width, height * (volume - 0.08),
                   start=np.pi, stop=2 * np.pi)
    x = grid(0.92, -0.92, 25) * width
    edge = hairline + 0.16 * height * (x / (0.92 * width)) ** 4
    if style == "bangs":
        edge = edge + 0.035 * height * np.abs(np.sin(6.5 * np.pi * x / width))
    outer_x, lock_bottom = 1.02 * volume * width, max(side_bottom, centre_y)
    polygon = np.concatenate([
        cap,
        [[outer_x, lock_bottom], [0.95 * width, lock_bottom]],
        xy(x, edge),
        [[-0.95 * width, lock_bottom], [-outer_x, lock_bottom]],
    ])
    painter.fill(colour, polygon)


def _draw_glasses(painter: Painter, anchor: Anchors) -> None:
    """Rounded-rectangle frames, a bridge and the temples running to the ears."""
    half = anchor.eye_half_width
    angle = grid(0.0, 2 * np.pi, 40, closed=False)
    cos, sin = np.cos(angle), np.sin(angle)  # A superellipse: a rounded rectangle.
    frame = xy(np.sign(cos) * np.abs(cos) ** 0.5 * 1.5 * half,
                np.sign(sin) * np.abs(sin) ** 0.5 * half)
    y = anchor.eye_y + 0.1 * half
    for side in (-1.0, 1.0):
        painter.line(_GLASSES, frame + [side * anchor.eye_x, y], 0.009, closed=True)
        temple = np.array([[side * (anchor.eye_x + 1.5 * half), y - 0.3 * half],
                           [side * 0.99 * anchor.width, y - 0.15 * half]])
        painter.line(_GLASSES, temple, 0.008)
    bridge_x = anchor.eye_x - 1.5 * half
    painter.line(_GLASSES, np.array([[-bridge_x, y - 0.25 * half], [0.0, y - 0.4 * half],
                                     [bridge_x, y - 0.25 * half]]), 0.008)
