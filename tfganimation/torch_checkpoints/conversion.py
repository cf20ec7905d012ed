"""Published PyTorch GANimation checkpoints as this project's models.

`convert_checkpoint` reads a generator (and optionally a critic) file of any
of the three public codebases (`layouts.py`), builds a `Generator` (and
`Critic`) of the sizes its tensors have, ports every weight, and keeps a
record of where the model came from: file names and SHA-256, the layout and
how it was chosen, the sizes and which of them were read or assumed, the
framing of the faces it was trained on, and what the port used and left.
`save_converted` writes it as a `.keras` file carrying that record.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import time
import zipfile
from pathlib import Path
from typing import Any

from tfganimation.atomic import replacing
from tfganimation.outputs import output_file
from tfganimation.torch_checkpoints import porting
from tfganimation.faces.framing import check_framing
from tfganimation.torch_checkpoints.layouts import (
    LAYOUTS,
    SourceLayout,
    critic_layout_fits,
    detect_generator_layout,
    strip_data_parallel,
)
from tfganimation.torch_checkpoints.torch_pickle import CheckpointError, read_state_dict

CHECKPOINT_SUFFIXES = (".pth", ".ckpt", ".pt")
"""File endings of PyTorch checkpoints, as the codebases name them."""

SOURCE_RECORD_FILE = "tfganimation_source.json"
"""The record's name inside a converted `.keras` archive (Keras ignores other entries)."""

_CRITIC_NAME_RULES = ((r"_G(?=\.)", "_D"), (r"_gen(?=\.)", "_dis"), (r"-G(?=\.)", "-D"))
"""How each codebase names a critic after its generator: `net_epoch_30_id_G.pth` →
`net_epoch_30_id_D.pth` (original), `30_net_gen.pth` → `30_net_dis.pth` (replicate),
`200000-G.ckpt` → `200000-D.ckpt` (StarGAN-based)."""


@dataclasses.dataclass(frozen=True)
class ConvertedCheckpoint:
    """A converted checkpoint: the networks and the record of where they came from.

    Args:
        generator: `Generator`.
        critic: `Critic` or `None` when no critic file was given.
        record: dict. JSON-ready provenance (see `convert_checkpoint`).
        variable_sources: dict. Each Keras variable's path → the PyTorch
            tensor it came from (4-D kernels through `to_keras_kernel`).
    """

    generator: Any
    critic: Any | None
    record: dict[str, Any]
    variable_sources: dict[str, str]


def is_checkpoint(path: str | os.PathLike) -> bool:
    """Whether `path` names a PyTorch checkpoint file by its ending."""
    return Path(path).suffix.lower() in CHECKPOINT_SUFFIXES


def is_generator_file(path: str | os.PathLike) -> bool:
    """Whether a checkpoint's name may be a generator's: not a critic's (`30_net_dis.pth`)
    nor the optimizer state the StarGAN-based port saves beside each (`..._optim.ckpt`)."""
    name = Path(path).name
    critic = any(re.search(replacement + r"(?=\.)", name) for _, replacement in _CRITIC_NAME_RULES)
    return is_checkpoint(path) and not critic and not Path(path).stem.endswith("_optim")


def find_critic(generator_path: str | os.PathLike) -> Path | None:
    """The critic saved beside a generator under its codebase's naming, if it is there."""
    path = Path(generator_path)
    for pattern, replacement in _CRITIC_NAME_RULES:
        name, count = re.subn(pattern, replacement, path.name)
        if count and (path.parent / name).is_file():
            return path.parent / name
    return None


def convert_checkpoint(
    generator_path: str | os.PathLike,
    critic_path: str | os.PathLike | None = None,
    layout: str | None = None,
    image_size: int | None = None,
    framing: str | None = None,
) -> ConvertedCheckpoint:
    """Builds this project's networks from a PyTorch GANimation checkpoint.

    Args:
        generator_path: str or path-like. The generator's `state_dict` file.
        critic_path: str or path-like, optional. The critic's; without it
            the model edits and exports but cannot estimate AUs from a photo.
        layout: str, optional. `"original"`, `"replicate"` or
            `"stargan_based"`; detected from the generator's keys if `None`.
        image_size: int, optional. The generator's input size. A critic
            fixes it (its AU head spans the last feature map); a generator
            alone does not, and all three codebases trained at 128 px, so
            128 is taken unless this says otherwise.
        framing: str, optional. How faces are cropped for this model
            (`tfganimation.faces.FRAMINGS`); defaults to the layout's training framing.

    Returns:
        A `ConvertedCheckpoint`.

    Raises:
        CheckpointError: the file is unsafe, damaged, of another network, or
            differs from the reference architecture; one line says which.
        FileNotFoundError: a file is missing.

    Example:
    ```python
    converted = convert_checkpoint("30_net_gen.pth", critic_path="30_net_dis.pth")
    edited, color, attention = converted.generator((images, target_aus))
    ```
    """
    from tfganimation.critic import Critic
    from tfganimation.generator import Generator

    started = time.perf_counter()
    generator_path = Path(generator_path)
    if framing is not None:
        check_framing(framing)
    generator_state = read_state_dict(generator_path)
    names = strip_data_parallel(generator_state)
    chosen = _choose_layout(layout, names.values(), generator_path.name)
    generator_source = porting.SourceTensors(generator_state, names, generator_path.name)
    generator_sizes = porting.generator_sizes(generator_source, chosen)

    critic = critic_record = critic_sizes = None
    if critic_path is not None:
        critic_path = Path(critic_path)
        critic_state = read_state_dict(critic_path)
        critic_names = strip_data_parallel(critic_state)
        if not critic_layout_fits(chosen, critic_names.values()):
            raise CheckpointError(
                f"{critic_path.name}: not a critic in the {chosen.name} layout of "
                f"{generator_path.name} (its keys: {', '.join(list(critic_names.values())[:4])} ...)"
            )
        critic_source = porting.SourceTensors(critic_state, critic_names, critic_path.name)
        critic_sizes = porting.critic_sizes(critic_source, chosen)

    size, size_from = _image_size(image_size, critic_sizes)
    generator = Generator(
        image_size=size,
        n_aus=generator_sizes.n_aus,
        conv_dim=generator_sizes.conv_dim,
        residual_blocks=generator_sizes.residual_blocks,
    )
    porting.port_generator(generator_source, chosen, generator)
    generator_report = generator_source.report(chosen)
    if critic_sizes is not None:
        critic = Critic(
            image_size=critic_sizes.image_size,
            n_aus=critic_sizes.n_aus,
            conv_dim=critic_sizes.conv_dim,
            downsampling_layers=critic_sizes.downsampling_layers,
        )
        porting.port_critic(critic_source, chosen, critic)
        critic_record = {
            **_file_record(critic_path, critic_names),
            "port": critic_source.report(chosen).as_dict(),
            "sizes": dataclasses.asdict(critic_sizes),
            "parameters": critic.count_params(),
        }
    record = {
        "kind": "pytorch_checkpoint",
        "layout": chosen.name,
        "layout_from": "--layout" if layout else "detected from the generator's keys",
        "repository": chosen.repository,
        "released": chosen.released,
        "generator": {
            **_file_record(generator_path, names),
            "port": generator_report.as_dict(),
            "sizes": dataclasses.asdict(generator_sizes),
            "parameters": generator.count_params(),
        },
        "critic": critic_record,
        "image_size": size,
        "image_size_from": size_from,
        "framing": framing or chosen.framing,
        "framing_from": "--framing" if framing else f"the {chosen.name} codebase's training crops",
        "seconds": round(time.perf_counter() - started, 3),
    }
    sources = dict(generator_source.assigned)
    if critic is not None:
        sources.update(critic_source.assigned)
    return ConvertedCheckpoint(
        generator=generator, critic=critic, record=record, variable_sources=sources
    )


def published_weights_name(record: dict[str, Any]) -> str:
    """What a converted model was trained on, as far as its record tells: whose weights they are."""
    return f"published weights of {record['repository']} ({record['generator']['file']})"


def _choose_layout(layout: str | None, keys, file: str) -> SourceLayout:
    keys = list(keys)
    if layout is not None:
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {tuple(LAYOUTS)}. Received: layout={layout!r}")
        return LAYOUTS[layout]
    detected = detect_generator_layout(keys)
    if detected is None:
        if any(key.endswith(("conv1.weight", "dis_top.weight")) for key in keys):
            hint = " (this looks like a critic: pass it with --critic, beside its generator)"
        else:
            hint = ""
        raise CheckpointError(
            f"{file}: not a GANimation generator of any known layout "
            f"({', '.join(LAYOUTS)}); its tensors are named {', '.join(keys[:4])}"
            + (" ..." if len(keys) > 4 else "")
            + hint
        )
    return detected


def _image_size(option: int | None, critic_sizes) -> tuple[int, str]:
    if critic_sizes is not None:
        if option is not None and option != critic_sizes.image_size:
            raise CheckpointError(
                f"--image-size {option} disagrees with the critic, whose AU head was trained "
                f"at {critic_sizes.image_size} px"
            )
        return critic_sizes.image_size, "the critic's AU head"
    if option is not None:
        return option, "--image-size"
    return porting.REFERENCE_IMAGE_SIZE, "default: all three public codebases trained at 128 px"


def _file_record(path: Path, names: dict[str, str]) -> dict[str, Any]:
    renamed = any(old != new for old, new in names.items())
    return {
        "file": path.name,
        "sha256": _sha256(path),
        "format": "zip" if zipfile.is_zipfile(path) else "legacy (PyTorch < 1.6)",
        "data_parallel_prefix": renamed,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_converted(
    converted: ConvertedCheckpoint, path: str | os.PathLike, overwrite: bool = False
) -> Path:
    """Writes the converted model as one `.keras` file that carries its record.

    With a critic the file holds a whole (uncompiled) `GANimation`, so every
    command that takes a `.keras` model reads both networks; without, a bare
    `Generator`. The record is an extra `tfganimation_source.json` entry in
    the archive. The file is replaced whole or not at all; an existing file
    is kept unless `overwrite`.
    """
    from tfganimation.ganimation import GANimation

    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"the converted model is a .keras file. Received: {path}")
    output_file(path, overwrite, "pass overwrite=True (--overwrite) to replace it")
    model = (
        GANimation(converted.generator, converted.critic, seed=0)
        if converted.critic is not None
        else converted.generator
    )
    with replacing(path) as temporary:
        model.save(temporary)
        with zipfile.ZipFile(temporary, "a") as archive:
            archive.writestr(SOURCE_RECORD_FILE, json.dumps(converted.record, indent=2))
    return path


def read_source_record(keras_file: str | os.PathLike) -> dict[str, Any] | None:
    """The conversion record inside a `.keras` file, or `None` if it was not converted."""
    with zipfile.ZipFile(keras_file) as archive:
        if SOURCE_RECORD_FILE not in archive.namelist():
            return None
        return json.loads(archive.read(SOURCE_RECORD_FILE))
