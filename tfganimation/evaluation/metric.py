"""The AU-control metric: does an editor make the face the target AUs describe?

On held-out synthetic identities the ground truth of every edit is known: the
renderer draws the same face at the target AUs. `score_au_control` renders a source
face, asks the editor for the target AUs, and compares the result with that
truth, next to the "copy the input" baseline on the same pairs — an editor
that does nothing scores exactly the baseline, a perfect one scores 0.

Errors are on the 0..1 pixel scale (the editor's [-1, 1] halved):
* whole image: mean L1 and PSNR over every pixel;
* AU region: the pixels where the source and target truths differ, i.e. the
  pixels the edit must change. Exact for each pair and free of any choice of
  zone; the copy baseline's whole error lives here;
* outside: mean L1 over the other pixels, which the edit must leave alone.
  The baseline is 0 here by construction, so this is the editor's leakage.

Each score is computed per pair (PSNR capped at `PSNR_CAP_DB`), then averaged
over the pairs. A per-AU breakdown repeats the region L1 on pairs whose target
differs from the source in that one AU only (by at least 2 intensity steps).

With an `oracle` (an AU estimator that is not part of the GAN, see
`tfganimation.oracle`) the report also holds the AU error the way later work
on AU editing scores it: the oracle reads the edit, and its mean squared
error against the target AUs (0..1 scale) is compared with the same on the
copy-the-input baseline and on the renderer's ground truth, which is the
oracle's own floor. Pixel errors reward a blurry average; the oracle's
reading rewards the expression.

Only NumPy: the editor and the oracle are plain callables
(`tfganimation.evaluation.editors` adapts the Keras models), and the scores
are an `EvaluationReport` (`tfganimation.evaluation.report`).
"""

from __future__ import annotations

import os
from typing import Callable, Sequence

import numpy as np

from tfganimation.aus import AU_CODES, N_AUS, OPENFACE_MAX_INTENSITY, to_model_scale
from tfganimation.evaluation.pictures import save_grid
from tfganimation.evaluation.report import PSNR_CAP_DB, AUScores, EvaluationReport, OracleScores, Scores
from tfganimation.pixels import to_signed
from tfganimation.synthetic import Identity, load_identities, render_face, sample_aus
from tfganimation.synthetic.renderer import check_image_size

AUReader = Callable[[np.ndarray], np.ndarray]
"""`images float32 [N,S,S,3] in [-1,1] -> AUs [N,17] on the 0..1 scale`, e.g. `oracle.predict`."""

Editor = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray | None]]
"""`(images float32 [N,S,S,3] in [-1,1], target AUs float32 [N,17] on 0..1)
-> (edited images [N,S,S,3] in [-1,1], attention [N,S,S,1] in 0..1 or None)`."""

_MIN_AU_STEP = 2.0


def score_au_control(
    editor: Editor,
    identities: str | os.PathLike | Sequence[Identity],
    image_size: int,
    *,
    n_pairs: int = 64,
    pairs_per_au: int = 4,
    batch_size: int = 32,
    seed: int = 0,
    grid_path: str | os.PathLike | None = None,
    grid_rows: int = 6,
    oracle: AUReader | None = None,
) -> EvaluationReport:
    """Scores `editor`'s AU control against re-rendered ground truth.

    Args:
        editor: callable. See `Editor`; `generator_editor(generator)` adapts a
            trained `tfganimation.Generator`.
        identities: a synthetic dataset folder (its `test` identities are
            used) or a sequence of `Identity` to draw the faces from.
        image_size: int. Side of the faces, the size the editor works at.
        n_pairs: int. Realistic (source AUs, target AUs) pairs for the
            headline scores. Defaults to `64`.
        pairs_per_au: int. Single-AU pairs per AU for the breakdown; 0 skips
            it. Defaults to `4`.
        batch_size: int. Pairs rendered and edited at a time. Defaults to `32`.
        seed: int. Same seed, same pairs. Defaults to `0`.
        grid_path: path or None. Where to save a picture grid of the first
            pairs (see `save_grid`). Defaults to `None`.
        grid_rows: int. Rows of that grid, at most `batch_size`. Defaults to `6`.
        oracle: callable or None. An independent AU estimator (`AUReader`;
            `tfganimation.oracle.load_oracle().predict` is the shipped one).
            With it the report holds the oracle's AU error. Defaults to `None`.

    Returns:
        An `EvaluationReport`.

    Example:
    ```python
    report = score_au_control(generator_editor(generator), "data/synthetic", 128)
    print(report.format_table())
    ```
    """
    if isinstance(identities, (str, os.PathLike)):
        identities = list(load_identities(identities, split="test").values())
    if not identities:
        raise ValueError("No identities to evaluate on.")
    check_image_size(image_size)
    for name, value, minimum in (
        ("n_pairs", n_pairs, 1), ("batch_size", batch_size, 1), ("pairs_per_au", pairs_per_au, 0)
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{name} must be an integer >= {minimum}. Received: {name}={value!r}")

    rng = np.random.default_rng(seed)
    pairs = [_realistic_pair(rng, identities) for _ in range(n_pairs)]
    pairs += [
        _single_au_pair(rng, identities, au) for au in range(N_AUS) for _ in range(pairs_per_au)
    ]
    model_batches, copy_batches, oracle_batches = [], [], []
    for start in range(0, len(pairs), batch_size):
        sources, targets, target_aus = _render_pairs(pairs[start:start + batch_size], image_size)
        outputs, attention = _edit(editor, sources, target_aus)
        model_batches.append(_pair_errors(outputs, targets, sources))
        copy_batches.append(_pair_errors(sources, targets, sources))
        if oracle is not None:
            oracle_batches.append(_oracle_errors(oracle, outputs, sources, targets, target_aus))
        if start == 0 and grid_path is not None:
            rows = slice(0, min(grid_rows, n_pairs))
            save_grid(grid_path, sources[rows], targets[rows], outputs[rows],
                      None if attention is None else attention[rows])
    model, copy = _concatenate(model_batches), _concatenate(copy_batches)

    oracle_errors = _concatenate(oracle_batches) if oracle_batches else None
    per_au = {}
    if pairs_per_au:
        for au, code in enumerate(AU_CODES):  # The single-AU pairs follow the realistic ones.
            rows = slice(n_pairs + au * pairs_per_au, n_pairs + (au + 1) * pairs_per_au)
            per_au[code] = AUScores(
                n_pairs=pairs_per_au,
                model_l1=_nanmean(model["region_l1"][rows]),
                copy_l1=_nanmean(copy["region_l1"][rows]),
                oracle=None if oracle_errors is None else _oracle_scores(oracle_errors, rows, au),
            )
    headline = slice(0, n_pairs)
    return EvaluationReport(
        image_size=image_size,
        n_pairs=n_pairs,
        n_identities=len(identities),
        seed=seed,
        model=_summarise(model, headline),
        copy=_summarise(copy, headline),
        per_au=per_au,
        oracle=None if oracle_errors is None else _oracle_scores(oracle_errors, headline),
    )


def _realistic_pair(rng: np.random.Generator, identities: Sequence[Identity]):
    identity = identities[rng.integers(len(identities))]
    source = sample_aus(rng, 1)[0]
    target = sample_aus(rng, 1)[0]
    while np.abs(target - source).max() < 1.0:
        target = sample_aus(rng, 1)[0]
    return identity, source, target


def _single_au_pair(rng: np.random.Generator, identities: Sequence[Identity], au: int):
    identity = identities[rng.integers(len(identities))]
    source = sample_aus(rng, 1)[0]
    target = source.copy()
    if source[au] <= OPENFACE_MAX_INTENSITY / 2:
        target[au] = rng.uniform(source[au] + _MIN_AU_STEP, OPENFACE_MAX_INTENSITY)
    else:
        target[au] = rng.uniform(0.0, source[au] - _MIN_AU_STEP)
    return identity, source, target


def _render_pairs(pairs, image_size: int):
    sources, targets = (
        np.stack([to_signed(render_face(pair[0], pair[column], image_size)) for pair in pairs])
        for column in (1, 2)
    )
    target_aus = to_model_scale(np.stack([target for _, _, target in pairs]))
    return sources, targets, target_aus


def _edit(editor: Editor, images: np.ndarray, target_aus: np.ndarray):
    """Runs the editor, checks its output's shape and clips it to [-1, 1] as saving would."""
    edited, attention = editor(images, target_aus)
    edited = np.asarray(edited, np.float32)
    if edited.shape != images.shape:
        raise ValueError(
            f"The editor returned images of shape {edited.shape} for inputs of shape "
            f"{images.shape}."
        )
    attention = None if attention is None else np.asarray(attention, np.float32)
    return np.clip(edited, -1.0, 1.0), attention


def _oracle_errors(oracle: AUReader, outputs, sources, targets, target_aus) -> dict[str, np.ndarray]:
    """Squared errors `[N, 17]` of the oracle's reading of each image set against the targets."""
    readings = np.asarray(oracle(np.concatenate([outputs, sources, targets])), np.float32)
    if readings.shape != (3 * len(outputs), N_AUS):
        raise ValueError(f"The oracle returned AUs of shape {readings.shape}; expected [N, {N_AUS}].")
    model, copy, truth = np.split(readings, 3)
    return {name: (value - target_aus) ** 2 for name, value in
            (("model", model), ("copy", copy), ("truth", truth))}  # fmt: skip


def _oracle_scores(errors: dict[str, np.ndarray], rows: slice, au: int | None = None) -> OracleScores:
    columns = slice(None) if au is None else au
    return OracleScores(**{name: float(value[rows, columns].mean()) for name, value in errors.items()})


def _concatenate(batches: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {key: np.concatenate([batch[key] for batch in batches]) for key in batches[0]}


def _pair_errors(
    outputs: np.ndarray, targets: np.ndarray, sources: np.ndarray
) -> dict[str, np.ndarray]:
    """Per-pair errors; region ones are NaN where the pair changes no pixel."""
    error = np.abs(outputs - targets) / 2.0  # [-1, 1] differences to the 0..1 scale.
    squared = error**2
    region = np.any(sources != targets, axis=-1)[..., None]
    region_pixels = region.sum(axis=(1, 2, 3)) * 3
    outside_pixels = error[0].size - region_pixels
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "l1": error.mean(axis=(1, 2, 3)),
            "mse": squared.mean(axis=(1, 2, 3)),
            "region_l1": (error * region).sum(axis=(1, 2, 3)) / region_pixels,
            "region_mse": (squared * region).sum(axis=(1, 2, 3)) / region_pixels,
            "outside_l1": (error * ~region).sum(axis=(1, 2, 3)) / outside_pixels,
        }


def _summarise(errors: dict[str, np.ndarray], rows: slice) -> Scores:
    return Scores(
        l1=_nanmean(errors["l1"][rows]),
        psnr=_nanmean(_psnr(errors["mse"][rows])),
        region_l1=_nanmean(errors["region_l1"][rows]),
        region_psnr=_nanmean(_psnr(errors["region_mse"][rows])),
        outside_l1=_nanmean(errors["outside_l1"][rows]),
    )


def _psnr(mse: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.minimum(10.0 * np.log10(1.0 / mse), PSNR_CAP_DB)


def _nanmean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else float("nan")

