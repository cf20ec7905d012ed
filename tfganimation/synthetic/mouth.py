"""The lips' shape as a function of the mouth AUs, apart from how they are painted.

The renderer draws lips, teeth and the folds around the mouth from these
curves; keeping the geometry here lets each AU's pull on the lips be read
(and tuned) in one place, in face-frame units of `anatomy.py`.
"""

from __future__ import annotations

import numpy as np

from tfganimation.synthetic.anatomy import Anchors


class Mouth:
    """The lips' contours as functions of u, -1 (image-left corner) .. +1 (right corner).

    AU12 pulls the corners up and out, AU15 down, AU20 straight out, AU14
    tucks them in; AU23 thins the lips; AU10 (and a little AU09) lifts the
    upper lip; AU17 pushes the lower lip, and with it the mouth, up; AU25
    parts the lips and AU26 drops the lower lip with the jaw.
    """

    def __init__(self, anchor: Anchors, a: dict[str, float]):
        height = anchor.height
        self.half_width = anchor.mouth_half_width * (
            1 + 0.24 * a["AU12"] + 0.38 * a["AU20"] - 0.12 * a["AU23"] - 0.1 * a["AU14"]
            - 0.12 * a["AU26"] - 0.05 * a["AU17"])
        self.corner_lift = height * (-0.11 * a["AU12"] + 0.075 * a["AU15"] + 0.015 * a["AU20"]
                                     + 0.02 * a["AU17"] - 0.01 * a["AU14"])
        self._y = anchor.mouth_y
        self._raise = height * (0.045 * a["AU10"] + 0.015 * a["AU09"])
        self._push = 0.03 * height * a["AU17"]
        self._upper_gap = height * (0.03 * a["AU25"] + 0.012 * a["AU26"])
        self._lower_gap = height * (0.075 * a["AU25"] + 0.17 * a["AU26"])
        self.upper_thickness = anchor.upper_lip * (
            1 - 0.55 * a["AU23"] - 0.2 * a["AU12"] - 0.25 * a["AU20"])
        self.lower_thickness = anchor.lower_lip * (
            1 - 0.5 * a["AU23"] - 0.15 * a["AU12"] - 0.25 * a["AU20"] + 0.2 * a["AU17"])

    def x(self, u):
        return self.half_width * u

    def line(self, u):
        return self._y + self.corner_lift * np.abs(u) ** 1.7 - self._push * (1 - u**2) ** 0.6

    def upper_inner(self, u):
        return self.line(u) - self._upper_gap * (1 - u**2) ** 0.7 - self._raise * (1 - u**2) ** 0.4

    def lower_inner(self, u):
        return self.line(u) + self._lower_gap * (1 - u**2) ** 0.9

    def upper_outer(self, u):
        cupids_bow = 1 - 0.22 * np.exp(-((u / 0.14) ** 2))
        return self.upper_inner(u) - self.upper_thickness * (1 - u**2) ** 0.55 * cupids_bow

    def lower_outer(self, u):
        return self.lower_inner(u) + self.lower_thickness * (1 - u**2) ** 0.5

    def corner(self, side: float) -> tuple[float, float]:
        return side * self.half_width, self._y + self.corner_lift
