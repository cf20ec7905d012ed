"""The three public PyTorch GANimation codebases, as the names in their checkpoints.

Plain data, no TensorFlow: the CLI's `--help` reads the names from here.

All three build the same networks (the paper's generator and PatchGAN critic)
as `nn.Sequential`s with the same indices: encoder convolutions at 0, 3 and 6
with their instance norms at 1, 4 and 7, residual blocks from 9 on, and the
two transposed convolutions after them, each followed by its norm. What
differs is what the modules are called, whether instance norms carry a scale
and shift, and which extra tensors the files hold. Each `SourceLayout` records
exactly that, and which tensors a converter may leave unused, and why.

Checked against the codebases' own network classes at the commits named in
`shared/reference/pytorch_checkpoints/manifest.json` (the tests convert their
checkpoints and compare with their outputs).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable


@dataclasses.dataclass(frozen=True)
class SourceLayout:
    """How one codebase names the generator's and the critic's tensors.

    Args:
        name: str. The layout's name, as `--layout` takes it.
        repository: str. The codebase, `owner/name` on GitHub.
        released: str. Which weights it published, and under which file names.
        trunk: str. The generator's `nn.Sequential` (encoder, blocks, decoder).
        block_body: str. The `nn.Sequential` inside each residual block.
        color_head: str. The colour head's convolution.
        attention_head: str. The attention head's convolution.
        critic_trunk: str. The critic's stride-2 convolutions.
        realness_head: str. The critic's 3×3 real/fake convolution.
        au_head: str. The critic's AU-regression convolution.
        affine_norms: bool. Instance norms have a learned scale and shift.
        biases_before_norms: bool. The generator's convolutions before an
            instance norm have biases; normalisation subtracts each
            channel's mean, so such a bias cancels exactly and is dropped.
        unused: tuple of (regex, reason). Tensors the networks do not use
            at inference or in training, with why; matched on full names.
        duplicates: tuple of (regex, replacement). Tensors that repeat
            another under a second name (`re.sub` gives that name); a
            converter checks that they are equal.
        framing: str. How the codebase's training faces were cropped (one of
            `tfganimation.faces.FRAMINGS`): face_recognition's box for the
            original and the replicate, OpenFace's similarity alignment for
            the StarGAN-based port.
    """

    name: str
    repository: str
    released: str
    trunk: str
    block_body: str
    color_head: str
    attention_head: str
    critic_trunk: str
    realness_head: str
    au_head: str
    affine_norms: bool
    biases_before_norms: bool
    unused: tuple[tuple[str, str], ...]
    framing: str
    duplicates: tuple[tuple[str, str], ...] = ()

    def unused_reason(self, key: str) -> str | None:
        """Why `key` carries nothing the network uses, or `None` if it should have been used."""
        for pattern, reason in self.unused:
            if re.fullmatch(pattern, key):
                return reason
        return None

    def duplicate_of(self, key: str) -> str | None:
        """The name `key` repeats, if the layout saves that tensor twice."""
        for pattern, replacement in self.duplicates:
            if re.fullmatch(pattern, key):
                return re.sub(pattern, replacement, key)
        return None

    def generator_signature(self) -> tuple[str, ...]:
        """Keys only this layout's generator files hold."""
        return (f"{self.color_head}.weight", f"{self.attention_head}.weight")


ORIGINAL = SourceLayout(
    name="original",
    repository="albertpumarola/GANimation",
    released="code only: its users train their own net_epoch_N_id_G.pth / net_epoch_N_id_D.pth",
    trunk="main",
    block_body="main",
    color_head="img_reg.0",
    attention_head="attetion_reg.0",  # sic: the codebase's spelling
    critic_trunk="main",
    realness_head="conv1",
    au_head="conv2",
    affine_norms=True,
    biases_before_norms=False,
    unused=(
        (
            r".*\.running_(mean|var)",
            "instance-norm running statistics PyTorch 0.3 saved but never used "
            "(its InstanceNorm always normalises by each image's own statistics)",
        ),
    ),
    framing="face_recognition",
)

REPLICATE = SourceLayout(
    name="replicate",
    repository="donydchen/ganimation_replicate",
    released="CelebA generator and critic (linked from its README): N_net_gen.pth / N_net_dis.pth",
    trunk="model",
    block_body="conv_block",
    color_head="color_top.0",
    attention_head="au_top.0",
    critic_trunk="model",
    realness_head="dis_top",
    au_head="aus_top",
    affine_norms=False,
    biases_before_norms=True,
    unused=(),  # Its biases before norms are accounted for by the porter, one by one.
    framing="face_recognition",
)

STARGAN_BASED = SourceLayout(
    name="stargan_based",
    repository="vipermu/ganimation",
    released="CelebA generator and critic after 37 epochs (linked from its README): ITER-G.ckpt / ITER-D.ckpt",
    trunk="main",
    block_body="main",
    color_head="im_reg.0",
    attention_head="im_att.0",
    critic_trunk="main",
    realness_head="conv1",
    au_head="conv2",
    affine_norms=True,
    biases_before_norms=False,
    unused=(
        (
            r"debug[1-4]\..*",
            "the same layers saved again under the debug1-debug4 names (checked equal to main.*)",
        ),
        (
            r".*\.(running_mean|running_var|num_batches_tracked)",
            "instance-norm running statistics its test code never uses "
            "(it runs the generator in train mode: each image's own statistics)",
        ),
    ),
    framing="openface_simalign",
    # `debug1`-`debug4` are `nn.Sequential`s over prefixes of the very modules `main` holds.
    duplicates=((r"debug[1-4]\.(.*)", r"main.\1"),),
)

LAYOUTS: dict[str, SourceLayout] = {layout.name: layout for layout in (ORIGINAL, REPLICATE, STARGAN_BASED)}
"""Every layout, by name."""

DATA_PARALLEL_PREFIX = "module."
"""What `torch.nn.DataParallel` puts before every key of the network it wraps."""


def strip_data_parallel(keys: Iterable[str]) -> dict[str, str]:
    """Maps each key to its name without `DataParallel`'s prefix, where every key has it."""
    keys = list(keys)
    if keys and all(key.startswith(DATA_PARALLEL_PREFIX) for key in keys):
        return {key: key[len(DATA_PARALLEL_PREFIX) :] for key in keys}
    return {key: key for key in keys}


def detect_generator_layout(keys: Iterable[str]) -> SourceLayout | None:
    """The layout whose generator heads the keys name, or `None`."""
    keys = set(keys)
    for layout in LAYOUTS.values():
        if all(signature in keys for signature in layout.generator_signature()):
            return layout
    return None


def critic_layout_fits(layout: SourceLayout, keys: Iterable[str]) -> bool:
    """Whether critic keys are named as `layout` names them.

    The original's and the StarGAN-based port's critics are named alike, so
    a critic is checked against its generator's layout, not detected alone.
    """
    keys = set(keys)
    return {f"{layout.realness_head}.weight", f"{layout.au_head}.weight"} <= keys
