"""The quickstart: the whole pipeline on built-in synthetic faces, in minutes.

1. Render a synthetic AU-face dataset (`tfganimation.synthetic`).
2. Time a few training steps on this machine, and size the run to the
   requested minutes (20 : 10 constant : decaying learning rate, like the
   reference's 20 + 10 epochs).
3. Train with the normal `tfganimation.training.train` (`model.fit`).
4. Measure AU control on held-out identities against the copy-the-input
   baseline (`tfganimation.evaluation.evaluate_generator`, as `evaluate` does),
   save the report and the picture grid.
5. Write an expression-interpolation GIF of a held-out face: neutral to
   each preset and back.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tfganimation.aus import PRESETS, preset, to_model_scale
from tfganimation.evaluation.report import EVALUATION_FILE
from tfganimation.evaluation.run import evaluate_generator
from tfganimation.outputs import output_folder
from tfganimation.pixels import to_signed, to_uint8
from tfganimation.quickstart.config import QuickstartConfig
from tfganimation.synthetic import load_identities, make_dataset, render_face
from tfganimation.training import TrainConfig, build_model, train
from tfganimation.video.animation_file import write_frames


@dataclasses.dataclass
class QuickstartResult:
    """Where everything is, and what was measured."""

    out: Path
    dataset: Path
    run: Path
    grid: Path
    animation: Path
    report: Path
    training_seconds: float
    region_l1_ratio: float
    oracle_au_ratio: float
    summary: str


def seconds_per_step(config: TrainConfig, generator_steps: int = 4) -> float:
    """Times training batches of `config`'s model on random data, per batch.

    The first `n_critic` batches trace and compile the step and are not
    timed; the next `generator_steps * n_critic` are, so critic and generator
    steps count in the proportion training has them. Timing inside one `fit`
    keeps `fit`'s own start-up (seconds on a small model) out of the figure.
    """
    model = build_model(config)
    model.compile(jit_compile=config.jit_compile)
    size, rng = config.image_size, np.random.default_rng(0)
    batch = {
        "image": rng.uniform(-1, 1, (config.batch_size, size, size, 3)).astype("float32"),
        "real_aus": rng.uniform(0, 1, (config.batch_size, 17)).astype("float32"),
        "target_aus": rng.uniform(0, 1, (config.batch_size, 17)).astype("float32"),
    }
    clock = StepClock(untimed=config.n_critic)
    timed = generator_steps * config.n_critic
    model.fit(
        tf.data.Dataset.from_tensors(batch).repeat(),
        steps_per_epoch=config.n_critic + timed,
        epochs=1,
        verbose=0,
        callbacks=[clock],
    )
    return clock.seconds / timed


class StepClock(keras.callbacks.Callback):
    """Wall-clock time of the training batches after the first `untimed`."""

    def __init__(self, untimed: int):
        super().__init__()
        self.untimed = untimed
        self.seconds = 0.0

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if batch == self.untimed - 1:
            self.started = now
        elif batch >= self.untimed:
            self.seconds = now - self.started


class TimeLimit(keras.callbacks.Callback):
    """Stops training once a wall-clock budget is spent (a safety net for slow machines)."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.deadline = time.monotonic() + self.seconds

    def on_train_batch_end(self, batch, logs=None):
        if time.monotonic() > self.deadline:
            self.model.stop_training = True


def run_quickstart(config: QuickstartConfig, overwrite: bool = False, verbose: int | str = "auto") -> QuickstartResult:
    """Runs the five steps above and returns where the artefacts are."""
    out = output_folder(config.out, overwrite, "choose another --out or pass --overwrite to replace it")
    dataset = out / "data"
    summary = make_dataset(
        dataset,
        config.n_identities,
        config.per_identity,
        config.image_size,
        config.seed,
        overwrite=overwrite,
    )
    steps_per_pass = summary.n_train // config.batch_size
    total_steps = config.steps
    if total_steps is None:
        probe = config.train_config(str(dataset), epochs=1, steps_per_epoch=steps_per_pass)
        total_steps = max(config.n_critic, int(config.minutes * 60 / seconds_per_step(probe)))
    epochs = max(1, math.ceil(total_steps / steps_per_pass))
    train_config = config.train_config(
        str(dataset), epochs=epochs, steps_per_epoch=min(steps_per_pass, math.ceil(total_steps / epochs))
    )

    started = time.monotonic()
    model = train(
        train_config,
        overwrite=overwrite,
        verbose=verbose,
        callbacks=[] if config.steps else [TimeLimit(config.minutes * 60 * 1.2)],
    )
    training_seconds = time.monotonic() - started

    run = Path(train_config.out)
    grid = out / "au_control_grid.png"
    report = evaluate_generator(model.generator, dataset, out, grid_name=grid.name)
    animation = write_expression_animation(model.generator, dataset, config.image_size, out / "expressions.gif", overwrite)
    return QuickstartResult(
        out=out,
        dataset=dataset,
        run=run,
        grid=grid,
        animation=animation,
        report=out / EVALUATION_FILE,
        training_seconds=training_seconds,
        region_l1_ratio=report.region_l1_ratio,
        oracle_au_ratio=report.oracle_au_ratio,
        summary=report.format_table(),
    )


def demo_comparison() -> str:
    """The shipped demo model's measured figures, to print beside a quickstart's own.

    They were measured on the demo's own held-out faces and pairs (see its
    model card), so they say what a long run buys, not a same-pairs contest.
    """
    from tfganimation.demo import demo_metadata

    figures = demo_metadata().get("figures", {})
    if "oracle_au_ratio" not in figures:
        return "The demo model's figures are not recorded in this installation."
    training = demo_metadata().get("training", {})
    return (
        f"For comparison, the demo model (`--model demo`; {training.get('generator_steps', '?')} "
        f"generator steps, {training.get('hours', '?')} h on a 2-core CPU): oracle AU error "
        f"{figures['oracle_au_ratio']:.2f}x and AU-region L1 {figures['region_l1_ratio']:.2f}x "
        f"the copy baseline on {figures.get('n_pairs', '?')} held-out pairs."
    )


def expression_tour(frames_per_transition: int = 8) -> np.ndarray:
    """Target AUs (0..1 scale) from neutral to each preset and back, in order.

    Consecutive frames always differ; the tour starts and ends at neutral.
    """
    neutral = to_model_scale(preset("neutral"))
    ramp = np.linspace(0.0, 1.0, frames_per_transition)[1:, None]
    targets = [neutral[None]]
    for name in PRESETS:
        if name != "neutral":
            expression = to_model_scale(preset(name))
            there = neutral + ramp * (expression - neutral)
            targets += [there, there[::-1][1:], neutral[None]]
    return np.concatenate(targets).astype("float32")


def write_expression_animation(
    generator,
    dataset: str | Path,
    image_size: int,
    path: str | Path,
    overwrite: bool = False,
) -> Path:
    """A GIF of a held-out face (left) and its edit (right) along `expression_tour`."""
    identity = next(iter(load_identities(dataset, split="test").values()))
    face = render_face(identity, preset("neutral"), image_size)
    targets = expression_tour()
    images = np.repeat(to_signed(face[None]), len(targets), axis=0)
    edited, _, _ = generator.predict((images, targets), verbose=0)
    frames = [np.concatenate([face, to_uint8(frame)], axis=1) for frame in edited]
    return write_frames(frames, path, fps=12, overwrite=overwrite)
