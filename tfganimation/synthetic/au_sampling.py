"""Draws AU vectors that look like OpenFace output on real faces.

Real expressions are sparse, correlated combinations: a smile is AU06+AU12,
surprise AU01+AU02+AU05+AU26, and most faces are near neutral; OpenFace adds
small non-zero readings to inactive AUs. Uniform noise over 17 AUs would ask a
model for faces no one makes, so draws are a mixture of the catalogue's
`PRESETS` at random intensities, partial presets, single AUs, AU pairs and
neutral faces, plus mild noise.
"""

from __future__ import annotations

import numpy as np

from tfganimation.aus import N_AUS, OPENFACE_MAX_INTENSITY, PRESETS, au_index, au_vector

_EXPRESSIONS = tuple(au_vector(PRESETS[name]) for name in PRESETS if PRESETS[name])
_KINDS = ("neutral", "preset", "partial", "single", "pair")
_KIND_WEIGHTS = (0.12, 0.43, 0.2, 0.15, 0.1)
_AU25, _AU26 = au_index("AU25"), au_index("AU26")


def sample_aus(rng: np.random.Generator, n: int) -> np.ndarray:
    """Draws `n` realistic AU vectors.

    Args:
        rng: numpy Generator. The source of randomness.
        n: int. Number of vectors.

    Returns:
        `float32 [n, 17]` intensities on the OpenFace scale 0..5, in
        `tfganimation.aus.AU_CODES` order.
    """
    return np.array([_sample_one(rng) for _ in range(n)], dtype=np.float32).reshape(n, N_AUS)


def _sample_one(rng: np.random.Generator) -> np.ndarray:
    kind = _KINDS[rng.choice(len(_KINDS), p=_KIND_WEIGHTS)]
    aus = np.zeros(N_AUS)
    if kind in ("preset", "partial"):
        aus = _EXPRESSIONS[rng.integers(len(_EXPRESSIONS))] * rng.uniform(0.35, 1.6)
        aus = aus * rng.uniform(0.75, 1.25, size=N_AUS)
        if kind == "partial":
            active = np.flatnonzero(aus)
            keep = rng.choice(active, size=rng.integers(1, len(active) + 1), replace=False)
            aus[np.setdiff1d(active, keep)] = 0.0
    elif kind in ("single", "pair"):
        chosen = rng.choice(N_AUS, size=1 if kind == "single" else 2, replace=False)
        aus[chosen] = rng.uniform(0.8, OPENFACE_MAX_INTENSITY, size=len(chosen))
    # A dropped jaw nearly always parts the lips: AU25 and AU26 co-occur in real data.
    if aus[_AU26] > 0.5 and rng.uniform() < 0.7:
        aus[_AU25] = max(aus[_AU25], aus[_AU26] * rng.uniform(0.6, 1.0))
    aus = aus + np.abs(rng.normal(0.0, 0.08, size=N_AUS)) * (rng.uniform(size=N_AUS) < 0.5)
    return np.clip(aus, 0.0, OPENFACE_MAX_INTENSITY)
