"""What one slider move costs: the viewer's edit of a face, model and whole edit, per backend.

Issue #16's goal: one edit of the demo model in the viewer takes <= 30 ms of
inference and <= 60 ms in all (crop, model, paste). Two measurements:

* **page**: the real viewer page (`streamlit_app/app.py`) run in-process by
  Streamlit's `AppTest` on the demo model and its default example photo;
  each move sets one AU slider to a new value and reruns the page, which
  calls `Animator.edit` as in a browser session. The figures are the ones
  the page prints under the edited photo ("Inference", "whole edit"). The
  browser's own rendering is not included (no Chromium here).
* **animator**: `Animator.edit` on the same photo and face, for the Keras
  backend (the demo's `tf.function`, traced once) and LiteRT exports of the
  demo (interpreter built once), so the backends compare on equal terms.

The Keras backend must trace its `animate` once, not per edit: the benchmark
reports its tracing count after all the moves.

    python benchmarks/interactive.py [--moves 20] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

APP = Path(__file__).resolve().parents[1] / "streamlit_app" / "app.py"
LITERT_VARIANTS = ("float32", "int8")


def page_edits(model: str | Path, moves: int) -> list[dict[str, float]]:
    """Timings (seconds) of `moves` slider moves in the viewer page on `model`."""
    from streamlit.testing.v1 import AppTest

    from tfganimation import streamlit_page as page

    os.environ[page.MODEL_ENV] = str(model)
    app = AppTest.from_file(str(APP), default_timeout=300).run()
    timings = []
    values = np.linspace(0.5, 5.0, moves)
    for index, value in enumerate(values):
        key = "au_AU12" if index % 2 else "au_AU06"
        app.slider(key=key).set_value(round(float(value), 1)).run()
        if app.exception:
            raise RuntimeError(app.exception[0].value)
        timings.append(dict(app.session_state["edit"][1].timings))
    return timings


def animator_edits(animator, moves: int) -> list[dict[str, float]]:
    """Timings of `moves` edits of the example photo's face, each to new AUs."""
    from tfganimation import streamlit_page as page

    photo = page.example_photo(next(iter(page.EXAMPLES)))
    face = page.order_faces(animator.detect(photo.image))[0]
    rng = np.random.default_rng(0)
    animator.edit(photo.image, "happy", face=face)  # Warm-up: tracing, delegate set-up.
    return [
        dict(animator.edit(photo.image, rng.uniform(0, 5, 17), face=face).timings)
        for _ in range(moves)
    ]


def summary(timings: list[dict[str, float]]) -> dict[str, float]:
    """Median ms of the model and of the whole edit, and the slowest whole edit."""
    totals = [timing["total"] for timing in timings]
    return {
        "model_ms": 1000 * statistics.median(timing["model"] for timing in timings),
        "total_ms": 1000 * statistics.median(totals),
        "max_total_ms": 1000 * max(totals),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    from tfganimation import Animator
    from tfganimation.export import export_model

    load_before = os.getloadavg()
    results = {}
    keras_animator = Animator("demo")
    results["animator keras"] = summary(animator_edits(keras_animator, args.moves))
    tracing = keras_animator._backend._edit.function.experimental_get_tracing_count()
    results["page keras"] = summary(page_edits("demo", args.moves))
    with tempfile.TemporaryDirectory() as folder:
        export_model("demo", folder, formats=("tflite",), variants=LITERT_VARIANTS)
        for variant in LITERT_VARIANTS:
            path = Path(folder) / f"generator_{variant}.tflite"
            results[f"animator litert {variant}"] = summary(animator_edits(Animator(path), args.moves))
            results[f"page litert {variant}"] = summary(page_edits(path, args.moves))
    load_after = os.getloadavg()

    print(f"{args.moves} edits each, demo model (64 px); median ms")
    print(f"{'path':28s} {'model':>8s} {'whole edit':>11s} {'slowest':>8s}")
    for name, row in results.items():
        print(
            f"{name:28s} {row['model_ms']:8.1f} {row['total_ms']:11.1f} {row['max_total_ms']:8.1f}"
        )
    print(f"keras backend traced animate {tracing} time(s)")
    print(f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    if args.json:
        document = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "moves": args.moves,
            "load_before": load_before,
            "load_after": load_after,
            "keras_tracing_count": tracing,
            "results": results,
        }
        Path(args.json).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
