"""The AU-control metric: does an editor make the face the target AUs describe?

On held-out synthetic identities the ground truth of every edit is known: the
renderer draws the same face at the target AUs. `evaluate` renders a source
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
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from typing import Callable, Sequence

import cv2
import numpy as np

from tfganimation.aus import AU_CODES, AU_NAMES, N_AUS, OPENFACE_MAX_INTENSITY, to_model_scale
from tfganimation.media import prepare_output_dir, to_signed, to_uint8
from tfganimation.synthetic import Identity, load_identities, render_face, sample_aus
from tfganimation.synthetic.renderer import check_image_size

AUReader = Callable[[np.ndarray], np.ndarray]
"""`images float32 [N,S,S,3] in [-1,1] -> AUs [N,17] on the 0..1 scale`, e.g. `oracle.predict`."""

Editor = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray | None]]
"""`(images float32 [N,S,S,3] in [-1,1], target AUs float32 [N,17] on 0..1)
-> (edited images [N,S,S,3] in [-1,1], attention [N,S,S,1] in 0..1 or None)`."""

EVALUATION_FILE = "evaluation.json"
"""What `evaluate_run` (and `tfganimation evaluate`) writes: `EvaluationReport.to_dict()`."""

PSNR_CAP_DB = 60.0
"""PSNR reported for an exact match. 8-bit rounding alone leaves ~59 dB, so
anything above this is indistinguishable from a perfect edit."""

_MIN_AU_STEP = 2.0


@dataclasses.dataclass(frozen=True)
class Scores:
    """One editor's errors on a set of pairs (0..1 pixel scale; PSNR in dB).

    Args:
        l1: float. Mean absolute error over the whole image.
        psnr: float. PSNR over the whole image, capped at `PSNR_CAP_DB`.
        region_l1: float. Mean absolute error over the pixels the edit must change.
        region_psnr: float. PSNR over those pixels.
        outside_l1: float. Mean absolute error over the pixels it must keep.
    """

    l1: float
    psnr: float
    region_l1: float
    region_psnr: float
    outside_l1: float


@dataclasses.dataclass(frozen=True)
class OracleScores:
    """The oracle's AU error (MSE against the target AUs, 0..1 scale).

    Args:
        model: float. On the editor's outputs.
        copy: float. On the unedited inputs (the copy-the-input baseline).
        truth: float. On the renderer's ground truth: the oracle's floor.
    """

    model: float
    copy: float
    truth: float

    @property
    def ratio(self) -> float:
        """Editor / copy baseline: 1 edits nothing the oracle can read, the floor is truth / copy."""
        return _ratio(self.model, self.copy)


@dataclasses.dataclass(frozen=True)
class AUScores:
    """Region L1 of the editor and of the copy baseline on single-AU edits.

    Args:
        n_pairs: int. Number of pairs that changed only this AU.
        model_l1: float. Editor's mean L1 over the changed pixels.
        copy_l1: float. The copy baseline's, on the same pairs.
        oracle: OracleScores or None. The oracle's squared error in this
            AU alone, on the same pairs.
    """

    n_pairs: int
    model_l1: float
    copy_l1: float
    oracle: OracleScores | None = None

    @property
    def ratio(self) -> float:
        return _ratio(self.model_l1, self.copy_l1)


@dataclasses.dataclass(frozen=True)
class EvaluationReport:
    """The result of `evaluate`.

    Args:
        image_size: int. Side of the rendered faces.
        n_pairs: int. Number of (source, target) pairs behind `model`/`copy`.
        n_identities: int. Number of held-out identities they were drawn from.
        seed: int. Seed of the pair draws.
        model: Scores. The editor's errors.
        copy: Scores. The "copy the input" baseline's errors on the same pairs.
        per_au: dict. AU code -> `AUScores` on single-AU edits.
        oracle: OracleScores or None. The oracle's AU error on the pairs
            behind `model`/`copy`, when an oracle was given.
    """

    image_size: int
    n_pairs: int
    n_identities: int
    seed: int
    model: Scores
    copy: Scores
    per_au: dict[str, AUScores]
    oracle: OracleScores | None = None

    @property
    def l1_ratio(self) -> float:
        """Whole-image L1, editor / copy baseline: below 1 beats doing nothing."""
        return _ratio(self.model.l1, self.copy.l1)

    @property
    def region_l1_ratio(self) -> float:
        """AU-region L1, editor / copy baseline: the pixel AU-control number."""
        return _ratio(self.model.region_l1, self.copy.region_l1)

    @property
    def oracle_au_ratio(self) -> float:
        """The oracle's AU error, editor / copy baseline (NaN without an oracle)."""
        return self.oracle.ratio if self.oracle else float("nan")

    def to_dict(self) -> dict:
        """A JSON-serialisable dict, ratios included.

        Its top level always holds `region_l1_ratio`, `oracle_au_ratio`
        (None without an oracle) and `outside_l1` (the editor's leakage).
        """
        result = dataclasses.asdict(self)
        result["l1_ratio"] = self.l1_ratio
        result["region_l1_ratio"] = self.region_l1_ratio
        result["oracle_au_ratio"] = self.oracle.ratio if self.oracle else None
        result["outside_l1"] = self.model.outside_l1
        for code, scores in self.per_au.items():
            result["per_au"][code]["ratio"] = scores.ratio
            if scores.oracle:
                result["per_au"][code]["oracle"]["ratio"] = scores.oracle.ratio
        return result

    def format_table(self) -> str:
        """A plain-text table of the scores, for logs and the terminal."""
        lines = [
            f"AU control on {self.n_pairs} pairs of {self.n_identities} held-out identities, "
            f"{self.image_size} px (L1 on the 0..1 pixel scale, lower is better; PSNR in dB, "
            f"higher is better, capped at {PSNR_CAP_DB:g})",
            f"{'':22}{'model':>10}{'copy input':>12}{'model/copy':>12}",
        ]
        for label, name in (
            ("L1 whole image", "l1"),
            ("PSNR whole image", "psnr"),
            ("L1 AU region", "region_l1"),
            ("PSNR AU region", "region_psnr"),
            ("L1 outside region", "outside_l1"),
        ):
            model, copy = getattr(self.model, name), getattr(self.copy, name)
            if "psnr" in name:
                lines.append(f"{label:22}{model:>10.2f}{copy:>12.2f}")
            else:
                ratio = _format_ratio(_ratio(model, copy))
                lines.append(f"{label:22}{model:>10.4f}{copy:>12.4f}{ratio:>12}")
        if self.oracle:
            oracle = self.oracle
            lines.append(
                f"{'Oracle AU MSE':22}{oracle.model:>10.4f}{oracle.copy:>12.4f}"
                f"{_format_ratio(oracle.ratio):>12}   (ground truth: {oracle.truth:.4f})"
            )
        if not self.per_au:
            return "\n".join(lines)
        with_oracle = self.oracle is not None
        lines += [
            "",
            "Single-AU edits (L1 over the changed pixels"
            + ("; the oracle's squared error in that AU)" if with_oracle else ")") + ":",
            f"{'AU':6}{'name':24}{'pairs':>6}{'model':>10}{'copy input':>12}{'model/copy':>12}"
            + (f"{'oracle':>10}{'copy':>8}{'truth':>8}" if with_oracle else ""),
        ]
        for code, scores in self.per_au.items():
            line = (
                f"{code:6}{AU_NAMES[code]:24}{scores.n_pairs:>6}{scores.model_l1:>10.4f}"
                f"{scores.copy_l1:>12.4f}{_format_ratio(scores.ratio):>12}"
            )
            if scores.oracle:
                line += f"{scores.oracle.model:>10.3f}{scores.oracle.copy:>8.3f}{scores.oracle.truth:>8.3f}"
            lines.append(line)
        return "\n".join(lines)


def evaluate(
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
    report = evaluate(generator_editor(generator), "data/synthetic", 128)
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


def evaluate_run(
    run_dir: str | os.PathLike,
    *,
    data: str | os.PathLike | None = None,
    n_pairs: int = 64,
    seed: int = 0,
    out: str | os.PathLike | None = None,
    overwrite: bool = False,
    oracle: AUReader | None = None,
) -> tuple[EvaluationReport, pathlib.Path]:
    """Evaluates a training run's generator, or the demo's; writes `evaluation.json` and `grid.png`.

    `evaluation.json` is `EvaluationReport.to_dict()`: `oracle_au_ratio`,
    `region_l1_ratio` and `outside_l1` at its top level, the per-AU table
    under `per_au`.

    Args:
        run_dir: path, or `"demo"`. A finished `tfganimation train` run
            directory, or the demo model shipped in the package.
        data: path or None. The synthetic dataset whose test identities to
            use; None for the one the run was trained on, or for the demo,
            the held-out identities it ships with (`test_identities.json`:
            its training dataset is not shipped). Defaults to `None`.
        n_pairs: int. See `evaluate`. Defaults to `64`.
        seed: int. See `evaluate`. Defaults to `0`.
        out: path or None. Output folder; None for `RUN_DIR/evaluation`, or
            `demo_evaluation` in the working directory for the demo.
        overwrite: bool. Replace the files of an earlier evaluation in `out`.
            Defaults to `False`.
        oracle: AUReader or None. The AU oracle; None for the shipped one
            (`shipped_oracle()`).

    Returns:
        The report and the output folder.
    """
    # Imported here: the metric itself needs neither TensorFlow nor a trained model.
    from tfganimation.demo.shipped import DEMO_NAME, demo_test_identities, is_demo
    from tfganimation.inference.loading import load_model

    loaded = load_model(run_dir)
    generator = loaded.generator
    if is_demo(run_dir):
        identities = demo_test_identities() if data is None else load_identities(data, "test")
        default_out = pathlib.Path(f"{DEMO_NAME}_evaluation")
    else:
        data = data if data is not None else loaded.data_path
        if data is None:
            raise ValueError(
                f"{run_dir}/run.json names no dataset; pass the synthetic dataset as data."
            )
        identities = load_identities(data, split="test")  # Fails before writing.
        default_out = pathlib.Path(run_dir) / "evaluation"
    out = prepare_output_dir(
        default_out if out is None else out,
        overwrite,
        "pass --overwrite to replace the earlier evaluation",
    )
    identities = list(identities.values())
    report = evaluate(generator_editor(generator), identities, generator.image_size,
                      n_pairs=n_pairs, seed=seed, grid_path=out / "grid.png",
                      oracle=oracle or shipped_oracle())  # fmt: skip
    report_json = json.dumps(report.to_dict(), indent=2) + "\n"
    (out / EVALUATION_FILE).write_text(report_json, encoding="utf-8")
    return report, out


def shipped_oracle() -> AUReader:
    """The package's trained AU oracle as an `AUReader` (`tfganimation.oracle`)."""
    from tfganimation.oracle import load_oracle  # Imported here: it needs TensorFlow.

    oracle = load_oracle()

    def read(images: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [np.asarray(oracle(images[start:start + 256], training=False))
             for start in range(0, len(images), 256)]
        )  # fmt: skip

    return read


def generator_editor(generator) -> Editor:
    """Adapts a GANimation `Generator` (a Keras model) to the `Editor` contract.

    The generator is called as `generator((images, aus), training=False)` and
    returns `(edited, color, attention)`; the colour map is dropped.
    """

    def edit(images: np.ndarray, target_aus: np.ndarray):
        edited, _, attention = generator((images, target_aus), training=False)
        return np.asarray(edited), np.asarray(attention)

    return edit


def save_grid(
    path: str | os.PathLike,
    inputs: np.ndarray,
    targets: np.ndarray,
    outputs: np.ndarray,
    attention: np.ndarray | None = None,
) -> None:
    """Saves a PNG with one row per pair: input · target truth · output · attention.

    Images are `[N, S, S, 3]` in [-1, 1]; `attention` is `[N, S, S, 1]` in
    0..1, drawn white where the editor keeps the input pixel and black where
    it paints a new one (GANimation's `A`). Small faces are enlarged to at
    least 96 px so the grid is readable; a header row names the columns.
    """
    columns = [to_uint8(inputs), to_uint8(targets), to_uint8(outputs)]
    names = ["input", "target", "output"]
    if attention is not None:
        grey = np.clip(np.asarray(attention, np.float32), 0.0, 1.0) * 255.0
        columns.append(np.repeat(np.rint(grey).astype(np.uint8), 3, axis=-1))
        names.append("attention")
    size = columns[0].shape[1]
    zoom = -(-96 // size)
    cells = [[cv2.resize(column[row], None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
              for column in columns] for row in range(len(columns[0]))]
    header = np.full((18, size * zoom * len(columns), 3), 255, np.uint8)
    for index, name in enumerate(names):
        cv2.putText(header, name, (index * size * zoom + 4, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 0), 1, cv2.LINE_AA)
    grid = np.vstack([header, *(np.hstack(row) for row in cells)])
    if not cv2.imwrite(os.fspath(path), grid[..., ::-1]):
        raise OSError(f"Could not write {path}.")


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


def _ratio(model: float, copy: float) -> float:
    return model / copy if copy > 0 else float("nan")


def _format_ratio(ratio: float) -> str:
    return "-" if np.isnan(ratio) else f"{ratio:.3f}"
