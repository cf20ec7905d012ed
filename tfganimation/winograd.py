"""3×3 convolutions in float32 graphs as Winograd F(4×4, 3×3) matrix products.

The generator's twelve residual-block convolutions (3×3, 256→256 channels
on 32×32 maps at 128 px) are two thirds of its arithmetic, and oneDNN's
direct kernels already run them near the CPU's float32 matrix rate
(issue #23, `benchmarks/generator_profile.py`): only less arithmetic makes
them faster. Winograd's minimal filtering (Lavin & Gray, "Fast Algorithms
for Convolutional Neural Networks", CVPR 2016) computes each 4×4 block of
outputs from its 6×6 input tile as

    Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A

Summed over input channels, the ⊙ becomes 36 independent matrix products
`[tiles, C] × [C, K]`: four times fewer multiply-adds than the direct
convolution, forward and backward (the gradients of a matrix product are
matrix products of the same size). The tile and output transforms are
small matrix products over the 36 tile positions; the kernel transform
`G g Gᵀ` depends on the weights alone, so in a frozen graph
(`GraphSession`, which the Keras backend of `Animator` uses) TensorFlow
folds it into a constant once.

Where it runs: float32 graphs (`tf.function`, `fit`, SavedModels) on
CPUs, in training and inference alike, on maps whose sides are multiples
of `TILE`. Not on machines with a GPU, whose convolution libraries pick
Winograd kernels themselves; not eagerly, where each of its ops is
dispatched apart; not in bfloat16, where the transforms' constants (up to
8 and 1/24) would round again and AMX makes the direct kernel 3-6× faster
anyway. In float32 the results equal the direct convolution's to about
1e-5 of their scale, and the gradients of the paper's own training step to
its test's tolerance (`tests/test_winograd.py`,
`tests/test_reference_training_step.py`).

Graphs traced for LiteRT (`tfganimation.layers.portable_ops`) keep the
direct kernels (`direct_convolutions`), which phone GPU delegates run with
their own Winograd kernels and the quantized variants need (the
transformed kernels' ranges do not survive int8), or take the products in
the spelling XNNPACK runs fastest (`litert_winograd`): the LiteRT
`float32_winograd` variant, whose pre-transformed kernels make the file
3.5× larger.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

WINOGRAD_SCOPE = "winograd"
"""Name scope of each Winograd convolution's ops."""

TILE = 4
"""Output pixels per tile side; each tile reads `TILE + 2` input pixels."""

_B_T = np.array(
    [
        [4, 0, -5, 0, 1, 0],
        [0, -4, -4, 1, 1, 0],
        [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 4, 0, -5, 0, 1],
    ],
    dtype=np.float64,
)
_G = np.array(
    [
        [1 / 4, 0, 0],
        [-1 / 6, -1 / 6, -1 / 6],
        [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6],
        [1 / 24, -1 / 12, 1 / 6],
        [0, 0, 1],
    ],
    dtype=np.float64,
)
_A_T = np.array(
    [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
    dtype=np.float64,
)
# The 2-D transforms as one matrix each over the flattened tile positions:
# row 6a + b of Bᵀ d B is Σ_uv Bᵀ[a, u] Bᵀ[b, v] d[u, v], and so on.
_TILE_TRANSFORM = np.kron(_B_T, _B_T).astype("float32")  # [36, 36]
_KERNEL_TRANSFORM = np.kron(_G, _G).astype("float32")  # [36, 9]
_OUTPUT_TRANSFORM = np.kron(_A_T, _A_T).astype("float32")  # [16, 36]

_TENSORFLOW, _DIRECT, _LITERT = "tensorflow", "direct", "litert"
_SPELLING = contextvars.ContextVar("winograd_spelling", default=_TENSORFLOW)


@contextlib.contextmanager
def _spelled(spelling: str) -> Iterator[None]:
    token = _SPELLING.set(spelling)
    try:
        yield
    finally:
        _SPELLING.reset(token)


def direct_convolutions() -> contextlib.AbstractContextManager[None]:
    """Inside, `conv3x3` runs every convolution as the direct kernel.

    For graphs traced to be converted to LiteRT
    (`write_saved_model(..., portable=True)`), and for measuring what the
    products save.
    """
    return _spelled(_DIRECT)


def litert_winograd() -> contextlib.AbstractContextManager[None]:
    """Inside, `conv3x3` traces the products as `litert_winograd_conv3x3` spells them.

    For graphs traced to be converted to LiteRT's `float32_winograd`
    variant, on whatever machine exports them: the file runs on CPUs.
    """
    return _spelled(_LITERT)


def conv3x3(x, layer: layers.Conv2D):
    """`layer(x)`, as Winograd products where `is_winograd_convolution` allows it."""
    if not is_winograd_convolution(layer, x):
        return layer(x)
    if _SPELLING.get() == _LITERT:
        return litert_winograd_conv3x3(x, layer.kernel)
    return winograd_conv3x3(x, layer.kernel)


def is_winograd_convolution(layer: layers.Layer, x) -> bool:
    """Whether `winograd_conv3x3(x, layer.kernel)` computes `layer(x)` here, in float32.

    A bias-free 3×3 stride-1 "same" convolution in float32, on a map whose
    height and width are known multiples of `TILE`, in a traced graph on a
    machine without a GPU (or inside `litert_winograd()`, for a file that
    runs on CPUs), outside `direct_convolutions()`. Eagerly, each of the
    Winograd ops is dispatched apart and the kernel transform redone on
    every call: the 128-px generator took 245 ms in Keras eager in one
    benchmark run, against 139 ms with the direct kernels in the run
    before.
    """
    spelling = _SPELLING.get()
    if spelling == _DIRECT or tf.executing_eagerly():
        return False
    if spelling == _TENSORFLOW and _has_gpu():
        return False
    if not isinstance(layer, layers.Conv2D) or isinstance(x, keras.KerasTensor):
        return False
    if layer.compute_dtype != "float32":
        return False
    height, width = x.shape[1], x.shape[2]
    return (
        tuple(layer.kernel_size) == (3, 3)
        and tuple(layer.strides) == (1, 1)
        and tuple(layer.dilation_rate) == (1, 1)
        and layer.groups == 1
        and layer.padding == "same"
        and not layer.use_bias
        and height is not None
        and width is not None
        and height % TILE == 0
        and width % TILE == 0
    )


def _has_gpu() -> bool:
    """Whether TensorFlow sees a GPU, whose convolution library chooses Winograd kernels itself."""
    return bool(tf.config.list_logical_devices("GPU"))


def winograd_conv3x3(x, kernel):
    """`conv2d(x, kernel, padding="same")` for a 3×3 kernel, by Winograd F(4×4, 3×3).

    Args:
        x: float32 `[N, H, W, C]`, H and W known multiples of `TILE`.
        kernel: `[3, 3, C, K]`.

    Returns:
        `[N, H, W, K]` float32.
    """
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    filters = kernel.shape[-1]
    rows, columns = height // TILE, width // TILE
    positions = (TILE + 2) ** 2
    with keras.name_scope(WINOGRAD_SCOPE):
        transformed_kernel = _transformed_kernel(kernel, x.dtype)
        tiles = ops.matmul(_TILE_TRANSFORM, ops.reshape(_tiles(x), [positions, -1]))
        products = ops.matmul(ops.reshape(tiles, [positions, -1, channels]), transformed_kernel)
        outputs = ops.matmul(_OUTPUT_TRANSFORM, ops.reshape(products, [positions, -1]))
        # [row in tile, column in tile, N, tile row, tile column, K] -> [N, H, W, K].
        outputs = ops.reshape(outputs, [TILE, TILE, -1, rows, columns, filters])
        outputs = ops.transpose(outputs, [2, 3, 0, 4, 1, 5])
        return ops.reshape(outputs, [-1, height, width, filters])


def _transformed_kernel(kernel, dtype):
    """`G g Gᵀ` of every input-output channel pair: `[36, C, K]`."""
    _, _, channels, filters = kernel.shape
    flat = ops.reshape(ops.cast(kernel, dtype), [9, -1])
    return ops.reshape(ops.matmul(_KERNEL_TRANSFORM, flat), [(TILE + 2) ** 2, channels, filters])


@tf.custom_gradient
def _tiles(x):
    """The `(TILE + 2)²` taps of every tile at stride `TILE`: `[36, N, H/4, W/4, C]`, index `6u + v`.

    Gathered without strided slices, which TensorFlow runs an order of
    magnitude slower than the products: the padded map is reshaped into
    blocks of `TILE` pixels, in which tap `t` of tile `i` (padded pixel
    `TILE·i + t`) is pixel `t % TILE` of block `i + t // TILE`, so each tap
    is a contiguous slice. The gradient is written out (`_tiles_gradient`):
    TensorFlow's own would write 36 map-sized slice gradients and add them.
    """
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    rows, columns = height // TILE, width // TILE
    # One pixel of "same" padding before, and after it as many as fill the last block.
    padded = ops.pad(x, [[0, 0], [1, TILE - 1], [1, TILE - 1], [0, 0]])
    blocks = ops.reshape(padded, [-1, rows + 1, TILE, columns + 1, TILE, channels])
    tiles = ops.stack(
        [
            blocks[
                :, u // TILE : u // TILE + rows, u % TILE, v // TILE : v // TILE + columns, v % TILE
            ]
            for u in range(TILE + 2)
            for v in range(TILE + 2)
        ],
        axis=0,
    )
    return tiles, lambda upstream: _tiles_gradient(upstream, height, width, channels)


def _tiles_gradient(upstream, height: int, width: int, channels: int):
    """The map's gradient from its taps': each tap's gradient added back where it was read.

    Tap `(u, v)` of tile `(i, j)` read pixel `(u % TILE, v % TILE)` of block
    `(i + u // TILE, j + v // TILE)`. Grouped by the block offsets
    `(u // TILE, v // TILE)`, the taps of one group fill whole blocks, so the
    gradient is four block maps, each shifted by its offset, summed.
    """
    rows, columns = height // TILE, width // TILE
    span = TILE + 2
    # [6, 6, ...] -> [8, 8, ...] with zeros for the taps a tile does not have,
    # then [offset u, pixel in block u, offset v, pixel in block v, ...].
    taps = ops.reshape(upstream, [span, span, -1, rows, columns, channels])
    taps = ops.pad(
        taps, [[0, 2 * TILE - span], [0, 2 * TILE - span], [0, 0], [0, 0], [0, 0], [0, 0]]
    )
    taps = ops.reshape(taps, [2, TILE, 2, TILE, -1, rows, columns, channels])
    # -> [offset u, offset v, N, tile row, pixel u, tile column, pixel v, C]
    taps = ops.transpose(taps, [0, 2, 4, 5, 1, 6, 3, 7])
    blocks = 0
    for row_offset in range(2):
        for column_offset in range(2):
            blocks += ops.pad(
                taps[row_offset, column_offset],
                [
                    [0, 0],
                    [row_offset, 1 - row_offset],
                    [0, 0],
                    [column_offset, 1 - column_offset],
                    [0, 0],
                    [0, 0],
                ],
            )
    padded = ops.reshape(blocks, [-1, (rows + 1) * TILE, (columns + 1) * TILE, channels])
    return padded[:, 1 : 1 + height, 1 : 1 + width, :]


def litert_winograd_conv3x3(x, kernel):
    """`winograd_conv3x3` for batch-1 graphs converted to LiteRT, in ops XNNPACK runs whole.

    The same products in another spelling. XNNPACK has no fast strided
    slices, and the converter turns a constant-times-tensor `matmul` into
    transposes around a fully connected layer, so:

    - the tile transform `Bᵀ d B` of every 6×6 tile at stride 4 is one
      depthwise convolution (kernel 6×6, stride 4, 36 outputs per channel),
      on the map padded by one pixel;
    - the 36 products `[tiles, C] × [C, K]` are one batch matmul against
      the kernels transformed at conversion (the converter folds
      `G g Gᵀ`, so the file holds 36/9 = 4× the 3×3 kernels' weights);
    - the output transform is a fully connected layer over the 36
      positions, and one transpose puts the 4×4 blocks in place.

    At 32×32, 256→256 channels this ran one convolution in 2.7-2.8 ms
    against the direct kernel's 5.8-6.2 ms (XNNPACK, 2 threads, this
    project's AMD EPYC host), where the spelling of `winograd_conv3x3`
    took more than the direct kernel.

    Args:
        x: float32 `[N, H, W, C]`, N, H and W known, H and W multiples of
            `TILE` (the converter cannot infer the `-1` of a 6-D reshape).
        kernel: `[3, 3, C, K]`.

    Returns:
        `[N, H, W, K]` float32.
    """
    batch, height, width, channels = x.shape
    if batch is None:
        raise ValueError("LiteRT's Winograd products need a known batch size (export at batch 1).")
    filters = kernel.shape[-1]
    rows, columns = height // TILE, width // TILE
    tiles = batch * rows * columns
    span = TILE + 2
    positions = span**2
    # Depthwise taps [6, 6, C, 36]: tap (u, v) of output 6a + b is Bᵀ[a, u] Bᵀ[b, v].
    taps = _TILE_TRANSFORM.reshape(positions, span, span).transpose(1, 2, 0)
    taps = np.ascontiguousarray(
        np.broadcast_to(taps[:, :, None, :], (span, span, channels, positions))
    )
    with keras.name_scope(WINOGRAD_SCOPE):
        transformed_kernel = _transformed_kernel(kernel, x.dtype)
        padded = ops.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
        transformed = tf.nn.depthwise_conv2d(padded, taps, [1, TILE, TILE, 1], "VALID")
        # [N, H/4, W/4, C·36] -> [36, tiles, C]
        transformed = ops.transpose(
            ops.reshape(transformed, [tiles, channels, positions]), [2, 0, 1]
        )
        products = ops.matmul(transformed, transformed_kernel)  # [36, tiles, K]
        products = ops.reshape(ops.transpose(products, [1, 2, 0]), [tiles * filters, positions])
        outputs = ops.matmul(products, _OUTPUT_TRANSFORM.T)  # [tiles · K, 16]
        # [N, tile row, tile column, K, row in tile, column in tile] -> [N, H, W, K].
        outputs = ops.reshape(outputs, [batch, rows, columns, filters, TILE, TILE])
        outputs = ops.transpose(outputs, [0, 1, 4, 2, 5, 3])
        return ops.reshape(outputs, [batch, height, width, filters])
