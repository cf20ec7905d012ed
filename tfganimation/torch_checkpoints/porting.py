"""Ports a PyTorch GANimation `state_dict` into this project's `Generator` and `Critic`.

Two steps, as keras-hub's converters do: a config step reads the network's
sizes from the tensors' shapes (first width, residual blocks, critic layers,
AU count, image size from the AU head's kernel), and a weights step assigns
every Keras variable from one named source tensor through a layout hook:

- convolutions: PyTorch's `[out, in, kh, kw]` kernel becomes Keras'
  `[kh, kw, in, out]`;
- transposed convolutions: PyTorch's `[in, out, kh, kw]` becomes Keras'
  `[kh, kw, out, in]` (both frameworks compute the adjoint of the same
  cross-correlation, so no kernel flip);
- instance norms: `weight`/`bias` become `gamma`/`beta`; a norm without
  scale and shift gets 1 and 0.

Every source tensor must be used, or be one the layout explains (running
statistics nobody reads, duplicates, biases a norm cancels): anything else,
a missing tensor, or a shape that differs from the reference architecture
is refused with a message naming the tensor.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from tfganimation.aus import N_AUS
from tfganimation.torch_checkpoints.layouts import SourceLayout
from tfganimation.torch_checkpoints.torch_pickle import CheckpointError

ENCODER_INDICES = ((0, 1), (3, 4), (6, 7))
"""(convolution, instance norm) indices of the encoder in the reference's `nn.Sequential`."""

FIRST_BLOCK_INDEX = 9
"""Index of the first residual block in the reference's `nn.Sequential`."""

BLOCK_INDICES = ((0, 1), (3, 4))
"""(convolution, instance norm) indices inside a residual block's `nn.Sequential`."""

CRITIC_LAYER_STRIDE = 2
"""The critic's `nn.Sequential` alternates convolution and LeakyReLU."""

REFERENCE_IMAGE_SIZE = 128
"""The image size all three public codebases trained at."""


@dataclasses.dataclass
class PortReport:
    """What a port used, what it left unused and why, and what it dropped exactly.

    Args:
        tensors: int. Tensors in the file.
        used: int. Tensors assigned to a Keras variable.
        unused: dict. Reason → number of tensors the layout explains.
        cancelled_biases: int. Convolution biases dropped because the
            instance norm after them subtracts them exactly.
    """

    tensors: int
    used: int = 0
    unused: dict[str, int] = dataclasses.field(default_factory=dict)
    cancelled_biases: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class SourceTensors:
    """A state_dict being ported: looks tensors up by name and counts what was used.

    Args:
        state: mapping. The file's tensors (`read_state_dict`).
        names: dict. Each key of `state` → its name in the layout (without
            `DataParallel`'s prefix, see `strip_data_parallel`).
        file: str. The file's name, for messages.
    """

    def __init__(self, state: dict[str, np.ndarray], names: dict[str, str], file: str):
        self.tensors = {names[key]: value for key, value in state.items()}
        self.file = file
        self.used: set[str] = set()
        self.cancelled: set[str] = set()
        self.assigned: dict[str, str] = {}
        """Keras variable path → the source tensor it was assigned from."""

    def assign(self, variable, key: str, value: np.ndarray) -> None:
        variable.assign(value)
        self.assigned[variable.path] = key

    def take(self, key: str, shape: tuple[int, ...], cancelled: bool = False) -> np.ndarray:
        """The tensor `key`, checked to have `shape`; counted as used (or as cancelled)."""
        if key not in self.tensors:
            raise CheckpointError(
                f"{self.file}: tensor '{key}' is missing: the network differs from the "
                "reference GANimation architecture this project can represent"
            )
        value = self.tensors[key]
        if tuple(value.shape) != tuple(shape):
            raise CheckpointError(
                f"{self.file}: tensor '{key}' has shape {tuple(value.shape)} where the reference "
                f"architecture has {tuple(shape)}: this network cannot be represented here"
            )
        (self.cancelled if cancelled else self.used).add(key)
        return value.astype(np.float32)

    def has(self, key: str) -> bool:
        return key in self.tensors

    def report(self, layout: SourceLayout) -> PortReport:
        report = PortReport(
            tensors=len(self.tensors), used=len(self.used), cancelled_biases=len(self.cancelled)
        )
        unknown = []
        for key in self.tensors:
            if key in self.used or key in self.cancelled:
                continue
            self._check_duplicate(layout, key)
            reason = layout.unused_reason(key)
            if reason is None:
                unknown.append(key)
            else:
                report.unused[reason] = report.unused.get(reason, 0) + 1
        if unknown:
            raise CheckpointError(
                f"{self.file}: {len(unknown)} tensor(s) this project cannot map onto GANimation "
                f"({layout.name} layout): {', '.join(unknown[:5])}"
                + (" ..." if len(unknown) > 5 else "")
            )
        return report

    def _check_duplicate(self, layout: SourceLayout, key: str) -> None:
        """Refuses a tensor saved under a second name whose values differ from the first."""
        original = layout.duplicate_of(key)
        if original is None:
            return
        if original not in self.tensors or not np.array_equal(self.tensors[original], self.tensors[key]):
            raise CheckpointError(
                f"{self.file}: '{key}' should repeat '{original}' ({layout.name} layout) but "
                "differs from it: which one the network uses is ambiguous"
            )


def to_keras_kernel(weight: np.ndarray) -> np.ndarray:
    """PyTorch `[out, in, kh, kw]` (or transposed `[in, out, kh, kw]`) → Keras `[kh, kw, ·, ·]`."""
    return np.transpose(weight, (2, 3, 1, 0))


@dataclasses.dataclass(frozen=True)
class GeneratorSizes:
    """The generator's sizes, read from its tensors."""

    conv_dim: int
    residual_blocks: int
    n_aus: int


@dataclasses.dataclass(frozen=True)
class CriticSizes:
    """The critic's sizes, read from its tensors."""

    conv_dim: int
    downsampling_layers: int
    n_aus: int
    image_size: int


def _block_indices(source: SourceTensors, layout: SourceLayout) -> list[int]:
    pattern = re.compile(rf"{re.escape(layout.trunk)}\.(\d+)\.{re.escape(layout.block_body)}\.0\.weight")
    found = sorted(int(m.group(1)) for key in source.tensors if (m := pattern.fullmatch(key)))
    expected = list(range(FIRST_BLOCK_INDEX, FIRST_BLOCK_INDEX + len(found)))
    if found != expected:
        raise CheckpointError(
            f"{source.file}: residual blocks at indices {found}, where the reference places "
            f"them consecutively from {FIRST_BLOCK_INDEX}"
        )
    return found


def _check_aus(n_aus: int, file: str) -> None:
    if n_aus != N_AUS:
        raise CheckpointError(
            f"{file}: the network is conditioned on {n_aus} values, not GANimation's {N_AUS} "
            "action units (a StarGAN-style attribute model?): it cannot be driven by AUs"
        )


def generator_sizes(source: SourceTensors, layout: SourceLayout) -> GeneratorSizes:
    first = source.tensors.get(f"{layout.trunk}.0.weight")
    if first is None or first.ndim != 4:
        raise CheckpointError(
            f"{source.file}: no first convolution '{layout.trunk}.0.weight' where the "
            f"{layout.name} layout has one (wrong --layout?)"
        )
    sizes = GeneratorSizes(
        conv_dim=int(first.shape[0]),
        residual_blocks=len(_block_indices(source, layout)),
        n_aus=int(first.shape[1]) - 3,
    )
    _check_aus(sizes.n_aus, source.file)
    return sizes


def critic_sizes(source: SourceTensors, layout: SourceLayout) -> CriticSizes:
    pattern = re.compile(rf"{re.escape(layout.critic_trunk)}\.(\d+)\.weight")
    indices = sorted(int(m.group(1)) for key in source.tensors if (m := pattern.fullmatch(key)))
    if not indices or indices != list(range(0, CRITIC_LAYER_STRIDE * len(indices), CRITIC_LAYER_STRIDE)):
        raise CheckpointError(
            f"{source.file}: the critic's convolutions sit at indices {indices}, not at "
            "0, 2, 4, ... as in the reference PatchGAN"
        )
    au_head = source.tensors[f"{layout.au_head}.weight"]
    kernel = int(au_head.shape[-1])
    sizes = CriticSizes(
        conv_dim=int(source.tensors[f"{layout.critic_trunk}.0.weight"].shape[0]),
        downsampling_layers=len(indices),
        n_aus=int(au_head.shape[0]),
        image_size=kernel * 2 ** len(indices),
    )
    _check_aus(sizes.n_aus, source.file)
    return sizes


def port_generator(source: SourceTensors, layout: SourceLayout, generator) -> None:
    """Assigns every variable of `generator` from the source, checking each shape."""
    encoder = [layer for layer in generator.encoder.layers if layer.weights]
    decoder = [layer for layer in generator.decoder.layers if layer.weights]
    blocks = generator.bottleneck.layers if generator.residual_blocks else []
    decoder_start = FIRST_BLOCK_INDEX + len(blocks)
    pairs = [
        (encoder[2 * i], encoder[2 * i + 1], f"{layout.trunk}.{c}", f"{layout.trunk}.{n}")
        for i, (c, n) in enumerate(ENCODER_INDICES)
    ]
    for index, block in enumerate(blocks):
        prefix = f"{layout.trunk}.{FIRST_BLOCK_INDEX + index}.{layout.block_body}"
        for (conv, norm), (c, n) in zip(
            ((block.conv_1, block.norm_1), (block.conv_2, block.norm_2)), BLOCK_INDICES
        ):
            pairs.append((conv, norm, f"{prefix}.{c}", f"{prefix}.{n}"))
    for i in range(2):
        c = decoder_start + 3 * i
        pairs.append((decoder[2 * i], decoder[2 * i + 1], f"{layout.trunk}.{c}", f"{layout.trunk}.{c + 1}"))
    for conv, norm, conv_key, norm_key in pairs:
        _port_conv(source, conv, conv_key, bias_before_norm=layout.biases_before_norms)
        _port_norm(source, norm, norm_key, affine=layout.affine_norms)
    _port_conv(source, generator.color_head.layers[0], layout.color_head)
    _port_conv(source, generator.attention_head.layers[0], layout.attention_head)


def port_critic(source: SourceTensors, layout: SourceLayout, critic) -> None:
    """Assigns every variable of `critic` from the source, checking each shape."""
    convs = [layer for layer in critic.trunk.layers if layer.weights]
    for index, conv in enumerate(convs):
        _port_conv(source, conv, f"{layout.critic_trunk}.{CRITIC_LAYER_STRIDE * index}")
    _port_conv(source, critic.realness_head, layout.realness_head)
    _port_conv(source, critic.au_head, layout.au_head)


def _port_conv(source: SourceTensors, layer, key: str, bias_before_norm: bool = False) -> None:
    weight_key, bias_key = f"{key}.weight", f"{key}.bias"
    kernel = to_keras_kernel(source.take(weight_key, _torch_kernel_shape(layer)))
    source.assign(layer.kernel, weight_key, kernel)
    if layer.use_bias:
        source.assign(layer.bias, bias_key, source.take(bias_key, tuple(layer.bias.shape)))
    elif source.has(bias_key):
        if not bias_before_norm:
            raise CheckpointError(
                f"{source.file}: '{bias_key}' is a bias the reference architecture does not have"
            )
        source.take(bias_key, (layer.filters,), cancelled=True)


def _port_norm(source: SourceTensors, layer, key: str, affine: bool) -> None:
    channels = tuple(layer.gamma.shape)
    if affine:
        for variable, name in ((layer.gamma, "weight"), (layer.beta, "bias")):
            source.assign(variable, f"{key}.{name}", source.take(f"{key}.{name}", channels))
    else:
        for name in ("weight", "bias"):
            if source.has(f"{key}.{name}"):
                raise CheckpointError(
                    f"{source.file}: '{key}.{name}': an instance norm with a scale and shift "
                    "where this layout has none (wrong --layout?)"
                )
        layer.gamma.assign(np.ones(channels, np.float32))
        layer.beta.assign(np.zeros(channels, np.float32))


def _torch_kernel_shape(layer) -> tuple[int, ...]:
    """The PyTorch weight shape that maps onto `layer.kernel` (the inverse of `to_keras_kernel`)."""
    height, width, third, fourth = layer.kernel.shape
    return (fourth, third, height, width)
