"""Which model the Streamlit page opens, and what it says about it.

`--model`, `$TFGANIMATION_MODEL`, the quickstart's run or the shipped demo;
the runs found below `runs/`; the model's description in the sidebar. The
model runtime (TensorFlow or LiteRT) is imported only by `load_animator`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tfganimation.demo.shipped import DEMO_NAME, demo_notice
from tfganimation.model_files.reference import (
    CHECKPOINT,
    DEMO,
    KERAS,
    SAVED_MODEL,
    TFLITE,
    model_kind,
    resolve_model,
)
from tfganimation.streamlit_page.photos import MAX_PIXELS
from tfganimation.torch_checkpoints.conversion import is_generator_file

DEFAULT_MODEL = "runs/quickstart/run"
"""Where `tfganimation quickstart` leaves its model, relative to the working directory;
opened first when it is there, else the demo model shipped in the package."""

MODEL_ENV = "TFGANIMATION_MODEL"
"""Environment variable naming the model to open when `--model` is not given."""

_SEARCH_DEPTH = 4
_SKIPPED_FOLDERS = {"checkpoints", "logs", "samples", "data", "saved_model", "__pycache__"}


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The page's own arguments: `streamlit run streamlit_app/app.py -- --model PATH`.

    Unknown arguments are ignored, so the page also runs under test runners
    whose command line it sees.
    """
    parser = argparse.ArgumentParser(
        prog="streamlit_app/app.py", add_help=False, allow_abbrev=False
    )
    parser.add_argument("--model", default=None)
    return parser.parse_known_args(list(argv))[0]


def default_model(argv: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> str:
    """The model to open first: `--model`, else `$TFGANIMATION_MODEL`, else the quickstart's
    when there is one in the working directory, else `"demo"`, the model shipped in the
    package, so that the page always opens on a model that edits faces.
    """
    environ = os.environ if environ is None else environ
    chosen = parse_args(argv).model or environ.get(MODEL_ENV)
    if chosen:
        return chosen
    return DEFAULT_MODEL if Path(DEFAULT_MODEL).exists() else DEMO_NAME


def model_choices(default: str, root: str | os.PathLike = "runs") -> list[str]:
    """The sidebar's model list: `default`, the models `find_models` finds, and `"demo"`."""
    return list(dict.fromkeys([default, *find_models(root), DEMO_NAME]))


def model_notice(model: str | os.PathLike) -> str | None:
    """What the page must say about a model before showing its edits, or `None`.

    For the demo: that it has only seen synthetic faces, so on a real photo
    it shows the mechanics of an edit, not real-face quality.
    """
    return demo_notice() if model_kind(model) == DEMO else None


def missing_model_message(path: str | os.PathLike) -> str | None:
    """What to tell the user when nothing is at `path` (Markdown), or `None` if something is."""
    if model_kind(path) == DEMO:
        try:
            resolve_model(path)
        except FileNotFoundError as error:
            return str(error)
        return None
    if Path(path).exists():
        return None
    where = f"`{path}`" + ("" if Path(path).is_absolute() else f" (in `{Path.cwd()}`)")
    if os.fspath(path) == DEFAULT_MODEL:
        return (
            f"No model at {where} yet. Train the quickstart model on built-in synthetic faces "
            "(about 10 minutes on a laptop CPU), then reload this page:\n\n"
            "```bash\ntfganimation quickstart\n```\n\n"
            "Or enter the path of another model in the sidebar: a training run directory, "
            "a `.keras` file, an exported SavedModel, a `.tflite` file or a PyTorch GANimation "
            "checkpoint (`.pth`/`.ckpt`)."
        )
    return (
        f"No model at {where}. Enter a training run directory, a `.keras` file, an "
        "exported SavedModel, a `.tflite` file or a PyTorch GANimation checkpoint "
        "(`.pth`/`.ckpt`), or train one with `tfganimation quickstart`."
    )


def find_models(root: str | os.PathLike = "runs", limit: int = 50) -> list[str]:
    """Models under `root` for the sidebar's list, sorted by path.

    Listed: every folder or file `tfganimation.model_files.model_kind` calls a
    model (run, export and SavedModel folders, `.keras` and `.tflite` files),
    except a `.keras` file inside a model folder (the run's own) and PyTorch
    checkpoints that are not a generator (a critic, which the generator finds
    by name, or an optimizer state). The search goes `_SEARCH_DEPTH` folders
    down, not into a SavedModel, and skips checkpoints, logs, samples, data
    sets and hidden folders.
    """
    root = Path(root)
    found: list[str] = []
    if not root.is_dir():
        return found
    for folder, subfolders, files in os.walk(root):
        folder_path = Path(folder)
        folder_kind = model_kind(folder_path)
        if folder_kind is not None:
            found.append(str(folder_path))
        for name in files:
            kind = model_kind(folder_path / name)
            if (
                kind == TFLITE
                or (kind == KERAS and folder_kind is None)
                or (kind == CHECKPOINT and is_generator_file(name))
            ):
                found.append(str(folder_path / name))
        depth = len(folder_path.relative_to(root).parts)
        subfolders[:] = [
            name
            for name in subfolders
            if depth < _SEARCH_DEPTH
            and folder_kind != SAVED_MODEL
            and name not in _SKIPPED_FOLDERS
            and not name.startswith(".")
        ]
    return sorted(found)[:limit]


def load_animator(model: str | os.PathLike, backend: str | None = None):
    """`tfganimation.inference.animator.Animator(model)`, importing the runtime only now.

    The precision is the command line's default, `"auto"`: bfloat16 where
    this machine computes it natively, `$TFGANIMATION_PRECISION` overriding,
    an exported file's own; the sidebar says which ran.
    """
    from tfganimation.inference.animator import Animator

    return Animator(model, backend=backend, max_pixels=MAX_PIXELS)


def describe_model(
    metadata: Mapping[str, Any], has_critic: bool | None = None
) -> list[tuple[str, str]]:
    """`(label, value)` rows saying which model is loaded, for the sidebar."""
    size = metadata.get("image_size")
    rows = [
        ("Model", str(metadata.get("model") or "?")),
        ("Runtime", _runtime(metadata)),
        ("Precision", str(metadata.get("precision") or "?")),
        ("Face size", f"{size} × {size} px" if size else "?"),
        ("Training data", str(metadata.get("training_data") or "unknown")),
        ("Face crops", str(metadata.get("framing") or "?")),
    ]
    if has_critic is not None:
        rows.append(
            ("Estimates AUs", "yes (critic)" if has_critic else "no: sliders start at neutral")
        )
    for key, label in (
        ("variant", "LiteRT variant"),
        ("model_version", "Weights"),
        ("exported_with", "Exported with tfganimation"),
        ("tfganimation_version", "tfganimation"),
    ):
        if metadata.get(key):
            rows.append((label, str(metadata[key])))
    return rows


def model_summary(metadata: Mapping[str, Any]) -> str:
    """One line naming the loaded model, its runtime, face size and training data."""
    size = metadata.get("image_size")
    runtime = _runtime(metadata)
    if metadata.get("precision"):
        runtime += f" in {metadata['precision']}"
    data = metadata.get("training_data")
    return f"Model `{metadata.get('model')}`: {runtime}, {size} × {size} px faces, " + (
        f"trained on `{data}`." if data else "training data unknown."
    )


_RUNTIMES = {
    "keras": "Keras (TensorFlow)",
    "saved_model": "SavedModel (TensorFlow)",
    "litert": "LiteRT",
}


def _runtime(metadata: Mapping[str, Any]) -> str:
    return _RUNTIMES.get(metadata.get("backend"), str(metadata.get("backend")))


def format_seconds(seconds: float) -> str:
    """`0.0123` → `"12 ms"`, `1.5` → `"1.50 s"`."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
