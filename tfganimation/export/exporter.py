"""`export_model`: a trained model in, a checked SavedModel and LiteRT files out.

The model is named as everywhere (`tfganimation.model_files.resolve_model`)
and read with `load_model`; the files written are run back through
`tfganimation.export.runners`, the runners the inference backends serve them with.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tfganimation.atomic import write_bytes_atomically
from tfganimation.aus import N_AUS
from tfganimation.choices import DEFAULT_TFLITE_VARIANTS, EXPORT_FORMATS, EXPORT_PRECISIONS
from tfganimation.demo.shipped import TEST_IDENTITIES_FILE, demo_faces
from tfganimation.export import parity, representative, tflite
from tfganimation.export.metadata import build_metadata, describe_signatures, weights_digest
from tfganimation.export.saved_model import SERVING_VERSION, write_saved_model
from tfganimation.model_files.loading import LoadedModel, load_model
from tfganimation.model_files.names import EXPORT_METADATA_FILE, SAVED_MODEL_DIR, tflite_file_name
from tfganimation.model_files.reference import DEMO, resolve_model
from tfganimation.outputs import refuse_existing
from tfganimation.precision import in_precision
from tfganimation.torch_checkpoints.conversion import published_weights_name

logger = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = EXPORT_FORMATS
"""What `export_model` writes (`tfganimation.choices.EXPORT_FORMATS`)."""


@dataclasses.dataclass(frozen=True)
class ExportReport:
    """What `export_model` wrote and how each file compared with Keras.

    Args:
        out_dir: Path. The export folder.
        files: dict. `"saved_model"`, each LiteRT variant and `"metadata"` →
            the path written.
        results: list of `ParityResult`. One per SavedModel/LiteRT file.
        notes: list of str. Warnings about the export (e.g. a changed size).
        metadata: dict. The contents of `metadata.json`.
    """

    out_dir: Path
    files: dict[str, Path]
    results: list[parity.ParityResult]
    notes: list[str]
    metadata: dict[str, Any]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failures(self) -> list[parity.ParityResult]:
        return [result for result in self.results if not result.passed]

    def format_table(self) -> str:
        return parity.format_table(self.results)


class ParityError(RuntimeError):
    """An exported file differs from the Keras model beyond its gate.

    The files are kept, and flagged (`"passed": false`) in `metadata.json`;
    `report` holds the whole comparison.
    """

    def __init__(self, report: ExportReport):
        failed = ", ".join(
            f"{result.name} ({result.measured}; needs {result.gate})" for result in report.failures
        )
        super().__init__(
            f"Parity check failed for {failed}. Files kept in {report.out_dir} and flagged in "
            f"{EXPORT_METADATA_FILE}."
        )
        self.report = report


def export_model(
    model: str | os.PathLike,
    out_dir: str | os.PathLike,
    formats: Sequence[str] = FORMATS,
    variants: Sequence[str] = DEFAULT_TFLITE_VARIANTS,
    representative_data: str | os.PathLike | None = None,
    image_size: int | None = None,
    overwrite: bool = False,
    calibration_images: int = 64,
    parity_images: int = 4,
    psnr_floors: Mapping[str, float] = parity.PSNR_FLOORS,
    precision: str = "float32",
) -> ExportReport:
    """Exports a trained generator for serving and for phones, and checks it.

    Writes `out_dir/saved_model/1/` (TensorFlow Serving's numbered version
    layout: serve `out_dir/saved_model`), `out_dir/generator_<variant>.tflite`
    and `out_dir/metadata.json`, then runs every file on real faces against
    the Keras model (see `tfganimation.export.parity`).

    Args:
        model: path, `"demo"` or a `ModelReference` (see
            `tfganimation.model_files.resolve_model`): a training run
            directory (its `model.keras` and `run.json`), a `.keras` file
            holding a `GANimation` or a `Generator`, a PyTorch checkpoint,
            or `"demo"`: the demo model shipped in the package.
        out_dir: path. Created if missing; other files in it are left alone.
        formats: sequence of `"saved_model"`, `"tflite"`. Defaults to both.
        variants: sequence of LiteRT variants (`tflite.VARIANTS`). Defaults
            to all but `float32_winograd` (`DEFAULT_TFLITE_VARIANTS`).
        representative_data: path or `None`. A dataset or a folder of face
            images for int8 calibration and the parity check. Defaults to the
            dataset named by the run's `run.json`; for `"demo"`, faces of
            its held-out synthetic identities (`test_identities.json`).
        image_size: int or `None`. Height and width of the exported
            signatures. Defaults to the generator's training size. Another
            multiple of 4 is allowed for the generator (it is fully
            convolutional; a warning notes that quality there is untested
            by training), but drops `estimate_aus`, whose AU head only reads
            the training size.
        overwrite: bool. Replace files from an earlier export. Defaults to
            `False`: an existing output file is an error, before any work.
        calibration_images: int. Images that calibrate the int8 variant.
            Defaults to 64.
        parity_images: int. Images (each with every preset) of the parity
            check. Defaults to 4.
        psnr_floors: mapping. Lowest PSNR per quantized variant. Defaults to
            `parity.PSNR_FLOORS`.
        precision: str. The SavedModel's arithmetic, one of
            `EXPORT_PRECISIONS`: `"float32"` (the default) or `"bfloat16"`,
            faster where the hardware computes it natively. Its signatures
            take and give the same dtypes either way; `metadata.json`
            records it, and a bfloat16 SavedModel is checked by PSNR
            against the float32 Keras model (`parity.BFLOAT16_PSNR_FLOOR`).
            The LiteRT files keep their variants.

    Returns:
        An `ExportReport`.

    Raises:
        FileNotFoundError: no model, or no representative images where named.
        FileExistsError: an output exists and `overwrite` is False.
        ValueError: bad arguments, a model that does not fit the contract,
            or no representative images at all.
        ParityError: a file failed its parity gate (files kept and flagged).

    Example:
    ```python
    report = export_model("runs/celeba", "exports/celeba")
    print(report.format_table())
    ```
    """
    formats, variants = _check_choices(formats, variants)
    _check_precision(precision, formats)
    for name, value in (
        ("calibration_images", calibration_images),
        ("parity_images", parity_images),
    ):
        if value < 1:
            raise ValueError(f"{name} must be >= 1. Received: {name}={value}")
    out_dir = Path(out_dir)
    targets = _targets(out_dir, formats, variants)
    refuse_existing(targets.values(), overwrite)
    resolved = resolve_model(model)
    loaded = load_model(resolved)
    image_size, notes = _check_contract(loaded, image_size)
    if "tflite" in formats:
        tflite.check_image_size(variants, image_size)
    # The demo's training data is not shipped; faces of its held-out identities stand in.
    demo_data = resolved.kind == DEMO and representative_data is None
    if demo_data:
        source = f"held-out synthetic faces of the demo ({TEST_IDENTITIES_FILE})"
    else:
        source = _representative_source(loaded, representative_data)

    # 1. Real inputs, and what the Keras model makes of them.
    needs_calibration = "tflite" in formats and "int8" in variants
    calibration_images = calibration_images if needs_calibration else 0
    count = calibration_images + parity_images
    if demo_data:
        images = demo_faces(count, image_size)
    else:
        images = representative.load_images(source, image_size, count)
    calibration_set, parity_set = _split(images, calibration_images, parity_images)
    test_images, test_aus = _parity_pairs(parity_set)
    logger.info("Computing the Keras reference on %d inputs.", len(test_images))
    reference = parity.keras_reference(loaded.generator, test_images, test_aus)

    # 2. Each file, checked against the reference as soon as it is written.
    out_dir.mkdir(parents=True, exist_ok=True)
    common = _common_metadata(loaded, image_size)
    if resolved.kind == DEMO:
        common["training_data"] = {
            **(common["training_data"] or {}),
            "name": resolved.training_data,
        }
    files, results = {}, []

    floors = dict(psnr_floors)
    if precision == "bfloat16":  # Rounding bfloat16 is not a float32 export's error.
        floors["saved_model"] = parity.BFLOAT16_PSNR_FLOOR

    def check(name: str, path: Path, run) -> None:
        outputs, latency = run(path, test_images, test_aus)
        files[name] = path
        results.append(parity.compare(name, path, outputs, latency, reference, floors))

    critic = loaded.critic if image_size == loaded.generator.image_size else None
    if "saved_model" in formats:
        logger.info("Writing the %s SavedModel.", precision)
        generator = in_precision(loaded.generator, precision)
        path = _replace_dir(
            targets["saved_model"],
            lambda folder: write_saved_model(folder, generator, critic, image_size),
        )
        check("saved_model", path, parity.run_saved_model)
    if "tflite" in formats:
        with tempfile.TemporaryDirectory() as scratch:
            for variant in variants:
                logger.info("Converting the %s LiteRT model.", variant)
                calibration = _calibration(calibration_set) if variant == "int8" else None
                model_bytes = tflite.embed_metadata(
                    tflite.convert_generator(
                        loaded.generator, image_size, variant, scratch, calibration
                    ),
                    {
                        **common,
                        "variant": variant,
                        "signatures": describe_signatures(image_size, 1),
                    },
                )
                check(variant, write_bytes_atomically(targets[variant], model_bytes), parity.run_litert)

    # 3. metadata.json: the common metadata, each format's signatures, the checks.
    document = {
        **common,
        **_format_sections(files, out_dir, image_size, critic is not None, precision),
        "source": str(loaded.path),
        "representative_data": str(source),
        "parity": {
            "inputs": f"{len(parity_set)} images x {len(test_aus) // len(parity_set)} presets",
            "litert_threads": parity.LITERT_THREADS,
            "results": [
                {**result.to_dict(), "path": str(result.path.relative_to(out_dir))}
                for result in results
            ],
        },
        "passed": all(result.passed for result in results),
        "notes": notes,
    }
    files["metadata"] = write_bytes_atomically(
        targets["metadata"], (json.dumps(document, indent=2) + "\n").encode()
    )
    report = ExportReport(out_dir, files, results, notes, document)
    if not report.passed:
        raise ParityError(report)
    return report


def _common_metadata(loaded: LoadedModel, image_size: int) -> dict[str, Any]:
    config = loaded.generator.get_config()
    return build_metadata(
        image_size,
        model_version=weights_digest(loaded.generator),
        generator_config={
            key: config[key] for key in ("image_size", "conv_dim", "residual_blocks", "n_aus")
        },
        training_data=_training_data(loaded.run) or _published_training_data(loaded.source),
        framing=loaded.framing,
        converted_from=loaded.source,
    )


def _format_sections(
    files: Mapping[str, Path], out_dir: Path, image_size: int, estimate_aus: bool, precision: str
) -> dict:
    """The `saved_model` and `litert` sections of `metadata.json`, for what was written."""
    sections = {}
    if "saved_model" in files:
        sections["saved_model"] = {
            "path": str(files["saved_model"].relative_to(out_dir)),
            "precision": precision,  # Read back by `metadata.saved_model_precision`.
            "signatures": describe_signatures(image_size, None, estimate_aus=estimate_aus),
        }
    litert_files = {name: path.name for name, path in files.items() if name in tflite.VARIANTS}
    if litert_files:
        sections["litert"] = {
            "files": litert_files,
            "signatures": describe_signatures(image_size, 1),
        }
    return sections


def _check_choices(
    formats: Iterable[str], variants: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    formats, variants = tuple(dict.fromkeys(formats)), tuple(dict.fromkeys(variants))
    for name, chosen, allowed in (
        ("formats", formats, FORMATS),
        ("variants", variants, tflite.VARIANTS),
    ):
        unknown = [item for item in chosen if item not in allowed]
        if unknown or not chosen:
            raise ValueError(
                f"{name} must be a non-empty subset of {allowed}. Received: {name}={chosen}"
            )
    return formats, variants


def _check_precision(precision: str, formats: tuple[str, ...]) -> None:
    """Refuses a precision that is unknown, or that nothing being written would have."""
    if precision not in EXPORT_PRECISIONS:
        raise ValueError(
            f"precision must be one of {EXPORT_PRECISIONS}. Received: precision={precision!r}"
        )
    if precision != "float32" and "saved_model" not in formats:
        raise ValueError(
            f"precision={precision!r} is the SavedModel's; add the saved_model format "
            "(the LiteRT files keep their variants)."
        )


def _check_contract(loaded: LoadedModel, image_size: int | None) -> tuple[int, list[str]]:
    """The export size, and notes; refuses models the app contract cannot describe."""
    generator = loaded.generator
    if generator.n_aus != N_AUS:
        raise ValueError(
            f"{loaded.path} conditions on {generator.n_aus} AUs, but the export contract (and "
            f"its metadata) is the {N_AUS} OpenFace AUs of tfganimation.aus."
        )
    trained = generator.image_size
    notes = []
    if loaded.critic is None:
        notes.append(f"{loaded.path} holds no critic: the SavedModel has no estimate_aus.")
    if image_size is None or image_size == trained:
        return trained, notes
    if (
        isinstance(image_size, bool)
        or not isinstance(image_size, int)
        or image_size < 4
        or image_size % 4
    ):
        raise ValueError(
            "image_size must be a positive multiple of 4 (the generator downsamples twice by 2). "
            f"Received: image_size={image_size}"
        )
    note = (
        f"The generator was trained at {trained} px and is exported at {image_size} px: "
        "it is fully convolutional, but its quality at this size was never trained for; "
        f"estimate_aus is left out (the critic's AU head reads {trained} px only)."
    )
    logger.warning(note)
    return image_size, [*notes, note]


def _representative_source(loaded: LoadedModel, given: str | os.PathLike | None) -> Path:
    if given is not None:
        path = Path(given)
        if not path.exists():
            raise FileNotFoundError(f"Representative data not found: {path}")
        return path
    if loaded.data_path is None:
        raise ValueError(
            f"No representative images: {loaded.path} comes with no run.json naming its dataset. "
            "Pass --representative DATASET_OR_DIR (a dataset, or a folder of face images)."
        )
    path = Path(loaded.data_path)
    if not path.exists():
        raise FileNotFoundError(
            f"The run's dataset {path} (from run.json) is not there any more. "
            "Pass --representative DATASET_OR_DIR."
        )
    return path


def _targets(out_dir: Path, formats: tuple[str, ...], variants: tuple[str, ...]) -> dict[str, Path]:
    targets = {"metadata": out_dir / EXPORT_METADATA_FILE}
    if "saved_model" in formats:
        targets["saved_model"] = out_dir / SAVED_MODEL_DIR / SERVING_VERSION
    if "tflite" in formats:
        targets.update({variant: out_dir / tflite_file_name(variant) for variant in variants})
    return targets


def _split(
    images: np.ndarray, calibration: int, parity_count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Calibration and parity images, disjoint when there are enough."""
    parity_set = images[-parity_count:]
    calibration_set = images[: len(images) - parity_count] if len(images) > parity_count else images
    return calibration_set[:calibration], parity_set


def _parity_pairs(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every image with every preset expression."""
    presets = representative.preset_aus()
    image_index, preset_index = np.meshgrid(
        np.arange(len(images)), np.arange(len(presets)), indexing="ij"
    )
    return images[image_index.ravel()], presets[preset_index.ravel()]


def _calibration(images: np.ndarray) -> tflite.Calibration:
    targets = representative.target_aus(len(images), seed=1)

    def examples():
        for index in range(len(images)):
            yield {"image": images[index : index + 1], "aus": targets[index : index + 1]}

    return examples


def _training_data(run: Mapping[str, Any]) -> dict[str, Any] | None:
    """What `run.json` says about the training data, without local paths."""
    data = run.get("data")
    if not isinstance(data, dict) or not data.get("path"):
        return None
    described = {"name": Path(data["path"]).name}
    described.update({key: data[key] for key in ("format", "counts") if key in data})
    return described


def _published_training_data(source: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A converted model's training data, as far as its record names it."""
    return {"name": published_weights_name(source)} if source else None


def _replace_dir(path: Path, write) -> Path:
    """Writes a folder beside `path` with `write(folder)`, then swaps it in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    shutil.rmtree(temporary, ignore_errors=True)
    write(temporary)
    shutil.rmtree(path, ignore_errors=True)
    os.replace(temporary, path)
    return path
