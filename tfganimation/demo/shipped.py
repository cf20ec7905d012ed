"""The demo model's files inside the package: where they are, what they say, how they are written.

The package carries one trained GANimation, named `"demo"`, so that every
command that takes a model (`animate`, `export`, `evaluate`), `Animator` and
the viewer work before anyone has trained one. It lives in `DEMO_DIR`:

    demo.keras            an uncompiled GANimation: generator and critic, no optimizer state
    demo.json             {"name", "trained_on", "image_size", "run", "training", "figures"}
    test_identities.json  identity id -> `Identity.to_dict()`: the held-out faces it is
                          evaluated on (never seen in training)
    MODEL_CARD.md         how it was trained and how well it does

Only the exact string `"demo"` (`DEMO_NAME`) names it; a folder of that name
is `"./demo"`. That test is `tfganimation.model_files.reference.is_demo`,
made in one place: `resolve_model`, which every command and runtime asks
what a model reference is.
This module needs no TensorFlow except `write_demo_files`, which takes a
Keras model.

Example:
```python
from tfganimation.demo import demo_metadata

demo_metadata()["trained_on"]      # 'synthetic faces (tfganimation.synthetic)'
```
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tfganimation.atomic import replacing

DEMO_NAME = "demo"
"""The model name that stands for the shipped demo wherever a model path is accepted."""

DEMO_DIR = Path(__file__).resolve().parent / "files"
"""The folder of the demo's files (package data)."""

DEMO_MODEL_FILE = "demo.keras"
"""The demo's uncompiled `GANimation` (a run folder's model is `RUN_MODEL_FILE`)."""

DEMO_METADATA_FILE = "demo.json"
"""What the demo is and how it was trained (an export's record is `EXPORT_METADATA_FILE`)."""

TEST_IDENTITIES_FILE = "test_identities.json"
MODEL_CARD_FILE = "MODEL_CARD.md"

TRAINED_ON = "synthetic faces (tfganimation.synthetic)"
"""What the demo was trained on, as `demo.json` and every notice say it."""


def demo_model_path(directory: str | os.PathLike = DEMO_DIR) -> Path:
    """The demo's `.keras` file.

    Raises:
        FileNotFoundError: the file is missing (a broken install), in one line.
    """
    return _existing(directory, DEMO_MODEL_FILE)


def demo_metadata(directory: str | os.PathLike = DEMO_DIR) -> dict[str, Any]:
    """The contents of `demo.json`: what the demo is, its training run's record, its figures.

    Raises:
        FileNotFoundError: the file is missing (a broken install), in one line.
    """
    return json.loads(_existing(directory, DEMO_METADATA_FILE).read_text(encoding="utf-8"))


def demo_test_identities(directory: str | os.PathLike = DEMO_DIR) -> dict:
    """`{identity id: Identity}` of the held-out faces the demo is evaluated on, sorted by id.

    Raises:
        FileNotFoundError: the file is missing (a broken install), in one line.
    """
    from tfganimation.synthetic import Identity

    data = json.loads(_existing(directory, TEST_IDENTITIES_FILE).read_text(encoding="utf-8"))
    return {key: Identity.from_dict(data[key]) for key in sorted(data)}


def demo_notice() -> str:
    """What a user is told wherever the demo is picked for them, or loaded by name.

    The demo has only seen synthetic faces: on a real photo it shows what an
    edit does (where the attention opens, what the colour map paints), not
    the quality a model trained on real faces would give.
    """
    return (
        f"Using the demo model: it was trained on {TRAINED_ON} only, so on real photos it "
        "shows the mechanics of an edit, not real-face quality. Model card: "
        f"{DEMO_DIR / MODEL_CARD_FILE}"
    )


def demo_faces(
    count: int, image_size: int, seed: int = 0, directory: str | os.PathLike = DEMO_DIR
) -> np.ndarray:
    """`count` uint8 RGB faces `[N, S, S, 3]` of the demo's held-out identities, with realistic AUs.

    The faces a demo export is calibrated and checked on: the training
    dataset named by the demo's `run.json` is not shipped, but these faces
    come from the same renderer and were never trained on.
    """
    from tfganimation.synthetic import render_face, sample_aus

    identities = list(demo_test_identities(directory).values())
    rng = np.random.default_rng(seed)
    picks = rng.integers(len(identities), size=count)
    return np.stack(
        [render_face(identities[pick], aus, image_size)
         for pick, aus in zip(picks, sample_aus(rng, count))]
    )


def write_demo_files(
    model,
    run_record: Mapping[str, Any],
    test_identities: Mapping[str, Any],
    figures: Mapping[str, Any] | None = None,
    training: Mapping[str, Any] | None = None,
    directory: str | os.PathLike = DEMO_DIR,
) -> Path:
    """Writes `demo.keras`, `demo.json` and `test_identities.json` from a trained `GANimation`.

    The model is saved uncompiled: a fresh `GANimation` of the same
    configuration holding the trained generator and critic weights and no
    optimizer state, so the shipped file is about a third of a run's
    `model.keras` (Adam keeps two slots per weight) and loads without the
    training recipe. Each file is written under a temporary name first and
    renamed over the old one only when all three are written, so an
    interrupted call never leaves a half-written file. `MODEL_CARD.md` and
    any other file in `directory` are left alone.

    Args:
        model: `tfganimation.GANimation`. The trained model.
        run_record: mapping. The training run's `run.json` record.
        test_identities: mapping. Identity id -> `tfganimation.synthetic.Identity`
            of the held-out faces the demo is evaluated on.
        figures: mapping or `None`. Measured figures for `demo.json`.
            Defaults to `{}`.
        training: mapping or `None`. How it was trained (steps, wall time...).
            Defaults to `{}`.
        directory: path. Created if missing. Defaults to `DEMO_DIR`.

    Returns:
        The folder written.

    Example:
    ```python
    model, record = tfganimation.training.load_run("runs/demo/run")
    identities = tfganimation.synthetic.load_identities("runs/demo/data", split="test")
    write_demo_files(model, record, identities, figures={"region_l1_ratio": ...})
    ```
    """
    from tfganimation.ganimation import GANimation
    from tfganimation.synthetic import Identity

    if not isinstance(model, GANimation):
        raise TypeError(
            f"model must be a tfganimation.GANimation. Received: {type(model).__name__}"
        )
    if not test_identities:
        raise ValueError("test_identities is empty: the demo is evaluated on held-out faces.")
    wrong = sorted(str(key) for key, value in test_identities.items()
                   if not isinstance(value, Identity))
    if wrong:
        raise TypeError(
            f"test_identities values must be tfganimation.synthetic.Identity; not: {wrong[:3]}"
        )

    shipped = GANimation.from_config(model.get_config())
    shipped.generator.set_weights(model.generator.get_weights())
    shipped.critic.set_weights(model.critic.get_weights())
    metadata = {
        "name": DEMO_NAME,
        "trained_on": TRAINED_ON,
        "image_size": int(model.generator.image_size),
        "run": dict(run_record),
        "training": dict(training or {}),
        "figures": dict(figures or {}),
    }
    identities = {str(key): test_identities[key].to_dict() for key in sorted(test_identities)}

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # Every file is written before the first is renamed into place: leaving
    # the stack renames them all, an error on the way removes them all.
    with contextlib.ExitStack() as files:
        shipped.save(files.enter_context(replacing(directory / DEMO_MODEL_FILE)))
        for name, document in ((DEMO_METADATA_FILE, metadata), (TEST_IDENTITIES_FILE, identities)):
            files.enter_context(replacing(directory / name)).write_text(
                json.dumps(document, indent=1, default=str) + "\n", encoding="utf-8"
            )
    return directory


def _existing(directory: str | os.PathLike, name: str) -> Path:
    path = Path(directory) / name
    if not path.is_file():
        raise FileNotFoundError(
            f"The demo model's {name} is missing ({path}): reinstall tfganimation."
        )
    return path
