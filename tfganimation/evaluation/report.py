"""What the AU-control metric reports: the scores, their ratios to the copy baseline, the file.

Every score comes with the same score of the "copy the input" baseline on the
same pairs, so each reads as a ratio: 1 is an editor that does nothing, 0 a
perfect one. `EvaluationReport.to_dict()` is what `evaluation.json` holds,
written whole or not at all (`write_report`).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

from tfganimation.atomic import write_json_atomically
from tfganimation.aus import AU_NAMES

EVALUATION_FILE = "evaluation.json"
"""What `evaluate_run` (and `tfganimation evaluate`) writes: `EvaluationReport.to_dict()`."""

PSNR_CAP_DB = 60.0
"""PSNR reported for an exact match. 8-bit rounding alone leaves ~59 dB, so
anything above this is indistinguishable from a perfect edit."""


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
        """Editor / copy baseline over the changed pixels: 1 leaves this AU as it was."""
        return _ratio(self.model_l1, self.copy_l1)


@dataclasses.dataclass(frozen=True)
class EvaluationReport:
    """The result of `score_au_control`.

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


def write_report(report: EvaluationReport, path: str | os.PathLike) -> Path:
    """Writes `report.to_dict()` as indented JSON, replacing `path` whole (never half a report)."""
    return write_json_atomically(path, report.to_dict())


def _ratio(model: float, copy: float) -> float:
    return model / copy if copy > 0 else float("nan")


def _format_ratio(ratio: float) -> str:
    return "-" if np.isnan(ratio) else f"{ratio:.3f}"
