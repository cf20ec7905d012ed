"""Framings: where the face sits in the crops a checkpoint was trained on.

A GANimation generator only edits well faces framed as its training faces
were, and the published PyTorch checkpoints were trained on two framings:

- `"face_recognition"`: albertpumarola/GANimation (the paper's code) and
  donydchen/ganimation_replicate trained on face_recognition's box crops.
  `crop_face` reproduces them from the MTCNN box (see `faces/crop.py`).
- `"openface_simalign"`: vipermu/ganimation (StarGAN-based) trained on
  OpenFace 2's similarity-aligned crops, `FaceLandmarkImg -simalign -simsize
  128`. This module derives where those crops put MTCNN's five keypoints.

How OpenFace frames its aligned face (OpenFace 2.2.0; read in the copy
saandeepa93/TorchOpenFace@e97d1a6, `lib/FaceAnalyser/`, which upstream has
under TadasBaltrusaitis/OpenFace `lib/local/FaceAnalyser/`; the same
`AlignFace` in mlamarre/OpenFace@6665135):

1. `FaceAnalyserParameters.cpp`: the output is `sim_size_out` = 112 pixels
   at `sim_scale_out` = 0.7; `-simsize N` without `-simscale` sets the scale
   to `N * 0.7 / 112`, i.e. 0.8 for 128 pixels: the same framing at any size.
2. `FaceAnalyser::PredictStaticAUsAndComputeFeatures` fits the point
   distribution model (PDM) to the 68 detected landmarks (`pdm.CalcParams`:
   scale, rotation, translation `tx, ty`) and calls `AlignFace` (or
   `AlignFaceMask`, the default, which also blacks out what lies outside the
   landmarks' hull; `-nomask` turns that off) with `rigid = true`.
3. `Face_utils.cpp` `AlignFace`: the target is the PDM's mean shape times
   `sim_scale`, x and y only. Rotation and scale come from
   `AlignShapesWithScale` (Kabsch with scale, translation discarded) fitted
   on the 24 rigid points (`extract_rigid_points`: jaw 1-4 and 12-15, nose
   27-29 and 31-35, eye corners and lower lids 36, 39-42, 45-47). The
   translation is not fitted: it puts `(tx, ty)`, where the PDM's origin
   lies in the photo, at `(out_width / 2, out_height / 2)` in C++ integer
   division, e.g. (64, 64), in OpenCV's pixel-centre convention (as ours).
4. The PDM is `AU_predictors/In-the-wild_aligned_PDM_68.txt` (named in
   `main_static_svms.txt`; git blob d538397c, identical to the landmark
   detector's default `model/pdms/In-the-wild_aligned_PDM_68.txt`). Its mean
   shape is 204 numbers, x then y then z of the 68 iBUG points in mm, and
   its 68 points' centroid is the origin (to 3e-8 mm).

vipermu/ganimation's README gives the command its crops came from:
`FaceLandmarkImg ... -aus -simalign -au_static -nobadaligned -simsize 128
-format_aligned jpg -nomask`: unmasked, like the crops cut here.

So a face whose landmarks are the mean shape up to a similarity (frontal,
neutral) has each point `i` at `sim_scale * mean_i + size // 2`, whichever
subset is fitted. `OPENFACE_MEAN_POINTS` are the mean shape's x, y at
MTCNN's five keypoints in 0-based iBUG-68 numbering: eye centres = mean of
points 36-41 (the subject's right eye, on the picture's left) and 42-47,
nose tip 30, mouth corners 48 and 54.

Where real faces differ from that: OpenFace fits 24 rigid points with a 3D
pose and takes its translation from the 3D fit, while here the five MTCNN
keypoints are fitted by least squares; expressions move the mouth corners
(OpenFace ignores the mouth). A few pixels of difference are expected.
Some OpenFace 2 versions name `Multi-PIE_aligned_PDM_68.txt` there instead
(e.g. the fork ethanol-cx/Eye-Contact-Detection-With-OpenFace@072c5c3);
its mean puts these points up to 1.8 px elsewhere at 128.
"""

from __future__ import annotations

import math

import numpy as np

from tfganimation.faces.face import Face

FRAMINGS = ("face_recognition", "openface_simalign")
"""Framing names, for `crop_face(..., framing=...)`: see the module docstring."""

DEFAULT_FRAMING = "face_recognition"
"""The framing of the paper's own checkpoints, and of every crop before framings existed."""

LANDMARK_NAMES = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")
"""The `Face.landmarks` keys MTCNN gives (`faces/detection.py`), in picture order."""

OPENFACE_MEAN_POINTS = np.array(
    [
        [-32.9349, -38.2870],  # left_eye: mean of iBUG 36-41.
        [32.7883, -38.7647],  # right_eye: mean of iBUG 42-47.
        [1.2268, -8.4145],  # nose: iBUG 30, the tip.
        [-28.9163, 28.6127],  # mouth_left: iBUG 48.
        [28.7944, 28.0799],  # mouth_right: iBUG 54.
    ]
)
"""OpenFace's PDM mean shape at `LANDMARK_NAMES`, in mm from its origin, y down.

Computed from `In-the-wild_aligned_PDM_68.txt` (module docstring, item 4),
rounded to 1e-4 mm (under 1e-4 pixels at 128).
"""

OPENFACE_SCALE_PER_PIXEL = 0.7 / 112
"""OpenFace's `sim_scale` per output pixel: pixels per PDM mm = size * this."""

BOX_POINTS = np.array(
    [
        [-0.2354, -0.1796],
        [0.2354, -0.1796],
        [0.0, 0.1060],
        [-0.1898, 0.3433],
        [0.1898, 0.3433],
    ]
)
"""Typical MTCNN keypoints (`LANDMARK_NAMES`) in box widths from the box centre.

For faces without keypoints (`center_crop_face`, a hand-built box).
Measured with `detect_faces` on the four EmotioNet faces that ship with the
original GANimation code, each at 1, 2 and 3 times its size on a grey
canvas (12 detections), then averaged with their mirror images so that a
box gives an upright, centred face. The spread across detections is 0.02 to
0.06 box widths per point: a box alone places the face less well.
"""

_MIN_POINTS = 2
"""Keypoints needed to fit a similarity (2 fix it exactly; MTCNN gives 5)."""


def check_framing(framing: str) -> str:
    """Returns `framing` if it is one of `FRAMINGS`, else raises a `ValueError` listing them."""
    if framing not in FRAMINGS:
        raise ValueError(
            f"Unknown `framing`: expected one of {FRAMINGS}. Received: framing={framing!r}"
        )
    return framing


def openface_simalign_points(size: int = 128) -> np.ndarray:
    """Where OpenFace's `-simalign -simsize size` crop puts `LANDMARK_NAMES`.

    Args:
        size: int. Side of the aligned crop in pixels. Defaults to 128.

    Returns:
        float64 array `[5, 2]` of `(x, y)` crop pixels, OpenCV convention
        (pixel centres at integers), in the order of `LANDMARK_NAMES`.
    """
    return OPENFACE_MEAN_POINTS * (size * OPENFACE_SCALE_PER_PIXEL) + size // 2


def fit_similarity(source: np.ndarray, target: np.ndarray, rotate: bool = True) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) taking `source` to `target`.

    Closed form: with points as complex numbers `z`, the map is
    `w = alpha * z + beta`, and least squares on the centred points gives
    `alpha = sum(conj(z) w) / sum(|z|^2)`. A similarity cannot mirror, so no
    reflection check is needed (Umeyama's SVD form needs one).

    Args:
        source: array `[N, 2]`, N >= 2 points not all equal.
        target: array `[N, 2]`.
        rotate: bool. If False, fit scale and translation only. Defaults to True.

    Returns:
        float64 array `[2, 3]`, the affine map in OpenCV's layout.
    """
    source = np.asarray(source, np.float64)
    target = np.asarray(target, np.float64)
    z = source[:, 0] + 1j * source[:, 1]
    w = target[:, 0] + 1j * target[:, 1]
    z_centred, w_centred = z - z.mean(), w - w.mean()
    spread = np.sum(np.abs(z_centred) ** 2)
    if spread <= 0:
        raise ValueError("Cannot fit a similarity to coincident points.")
    alpha = np.sum(np.conj(z_centred) * w_centred) / spread
    if not rotate:
        alpha = complex(alpha.real, 0.0)
    beta = w.mean() - alpha * z.mean()
    return np.array([[alpha.real, -alpha.imag, beta.real], [alpha.imag, alpha.real, beta.imag]])


def openface_simalign_transform(face: Face, size: int = 128) -> np.ndarray:
    """Photo-to-crop map of OpenFace's similarity-aligned crop of `face`, `size` pixels wide.

    Fits the face's keypoints (whichever of `LANDMARK_NAMES` it has, if at
    least two) to `openface_simalign_points(size)`. A face with fewer is
    placed from its box through `BOX_POINTS`, upright (scale and shift only).

    Args:
        face: Face. From `detect_faces`, `center_crop_face` or built by hand.
        size: int. Side of the crop. Defaults to 128.

    Returns:
        float64 array `[2, 3]`: photo pixels to crop pixels, for `cv2.warpAffine`.
    """
    targets = openface_simalign_points(size)
    known = [i for i, name in enumerate(LANDMARK_NAMES) if name in face.landmarks]
    if len(known) >= _MIN_POINTS:
        points = np.array([face.landmarks[LANDMARK_NAMES[i]] for i in known], np.float64)
        return fit_similarity(points, targets[known])
    points = BOX_POINTS * face.box[2] + np.array(face.center)
    return fit_similarity(points, targets, rotate=False)


def similarity_square(transform: np.ndarray, size: int) -> tuple[float, float, float, float]:
    """The rotated photo square a similarity `transform` maps onto a `size`-pixel crop.

    Returns `(center_x, center_y, side, angle)` as `crop_face` cuts squares:
    `side` photo pixels from outer pixel edge to edge, centred on the photo
    point that lands on `(size - 1) / 2`, rotated by `angle` radians
    (clockwise in image coordinates, like the eye line `crop_face` levels).
    """
    linear, offset = transform[:, :2], transform[:, 2]
    scale = math.hypot(linear[0, 0], linear[1, 0])
    angle = math.atan2(linear[0, 1], linear[0, 0])
    center_x, center_y = np.linalg.solve(linear, np.full(2, (size - 1) / 2) - offset)
    return float(center_x), float(center_y), size / scale, angle
