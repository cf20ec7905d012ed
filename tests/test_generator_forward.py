"""The generator's fast forward pass computes what the reference's spelling computes, in fewer, faster ops."""

import collections

import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from tfganimation.au_conditioning import AU_TERM_SCOPE, au_conv_term, padding_taps
from tfganimation.export import tflite
from tfganimation.export.saved_model import write_saved_model
from tfganimation.generator import Generator
from tfganimation.layers import (
    INSTANCE_NORM_SCOPE,
    instance_norm,
    instance_normalize,
    portable_ops,
)
from tfganimation.precision import dtype_policy

TOLERANCE = 2e-5
"""Largest difference allowed between the two spellings, on outputs in [-1, 1]."""


def randomized(model, seed: int = 0):
    """`model` with every weight redrawn, norm scales and shifts included (not 1 and 0)."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        scale = 0.5 if "gamma" in weight.path or "beta" in weight.path else 0.1
        weight.assign(rng.normal(0.0, scale, weight.shape).astype("float32"))
    return model


def inputs(size: int, batch: int = 2, seed: int = 1):
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
    return tf.constant(images), tf.constant(rng.uniform(0, 1, (batch, 17)).astype("float32"))


@pytest.mark.parametrize("kernel_size", [3, 4, 7])
def test_padding_taps_match_a_convolution_of_ones(kernel_size):
    size = 9
    ones = tf.ones([1, size, 1, 1])
    # Tap t of a column kernel that is 1 at t only: 1 where that tap lands inside.
    for tap in range(kernel_size):
        kernel = np.zeros([kernel_size, 1, 1, 1], np.float32)
        kernel[tap] = 1.0
        landed = tf.nn.conv2d(ones, kernel, 1, "SAME").numpy()[0, :, 0, 0]
        np.testing.assert_array_equal(padding_taps(size, kernel_size)[:, tap], landed)


@pytest.mark.parametrize("kernel_size,height,width", [(7, 12, 12), (3, 5, 8), (4, 6, 9)])
def test_au_term_equals_the_convolution_of_the_tiled_planes(kernel_size, height, width):
    rng = np.random.default_rng(0)
    aus = rng.uniform(0, 1, (3, 17)).astype("float32")
    kernel = rng.normal(0, 0.1, (kernel_size, kernel_size, 17, 5)).astype("float32")
    planes = tf.tile(aus[:, None, None, :], [1, height, width, 1])
    expected = tf.nn.conv2d(planes, kernel, 1, "SAME")
    actual = au_conv_term(tf.constant(aus), tf.constant(kernel), height, width)
    np.testing.assert_allclose(actual, expected, atol=1e-5)
    # Not trivially constant: the border rows differ from the interior.
    assert np.abs(expected[:, 0] - expected[:, height // 2]).max() > 1e-2


def test_instance_normalize_equals_group_normalization_with_one_group_per_channel():
    layer = instance_norm()
    layer.build((None, 6, 6, 4))
    randomized(layer)
    x = tf.constant(np.random.default_rng(2).normal(3.0, 2.0, (2, 6, 6, 4)).astype("float32"))
    np.testing.assert_allclose(instance_normalize(x, layer), layer(x), atol=1e-5)


def test_instance_normalize_keeps_the_dtype_and_takes_statistics_in_float32():
    layer = instance_norm()
    layer.build((None, 6, 6, 4))
    # A large offset and a small spread: bfloat16 statistics (8 bits of mantissa) lose the spread.
    x = np.random.default_rng(5).normal(300.0, 0.5, (1, 6, 6, 4)).astype("float32")
    half = tf.cast(x, tf.bfloat16)
    normalized = instance_normalize(half, layer)
    assert normalized.dtype == tf.bfloat16
    expected = layer(tf.cast(half, tf.float32))  # The layer upcasts too.
    np.testing.assert_allclose(tf.cast(normalized, tf.float32), expected, atol=0.05)


def traced_ops(function, *specs) -> set[str]:
    """Op types of a fresh trace of `function` (a reused trace may have relaxed its shapes)."""
    concrete = tf.function(function).get_concrete_function(*specs)
    return {op.type for op in concrete.graph.get_operations()}


@pytest.mark.parametrize("dtype", [tf.float32, tf.bfloat16])
def test_fused_instance_normalize_equals_the_4d_ops_and_falls_back_for_batches(dtype):
    layer = instance_norm()
    layer.build((None, 6, 6, 4))
    randomized(layer)
    x = tf.cast(np.random.default_rng(6).normal(3.0, 2.0, (3, 6, 6, 4)), dtype)
    tolerance = 1e-5 if dtype == tf.float32 else 0.05
    fused = tf.function(lambda x: instance_normalize(x, layer, fused=True))
    unknown = tf.TensorSpec([None, 6, 6, 4], dtype)
    any_batch = fused.get_concrete_function(unknown)  # Chooses at run time.
    for batch in (x[:1], x):  # One image takes the fused kernel; a batch the 4-D ops.
        for result in (fused(batch), any_batch(batch)):
            assert result.dtype == dtype
            np.testing.assert_allclose(
                tf.cast(result, tf.float32), layer(tf.cast(batch, tf.float32)), atol=tolerance
            )
    one = tf.TensorSpec([1, 6, 6, 4], dtype)
    function = fused.python_function
    assert "FusedBatchNormV3" in traced_ops(function, one)
    assert "If" in traced_ops(function, unknown)
    assert "FusedBatchNormV3" not in traced_ops(function, tf.TensorSpec([2, 6, 6, 4], dtype))
    with portable_ops():
        assert "FusedBatchNormV3" not in traced_ops(function, one)
    assert "FusedBatchNormV3" not in traced_ops(lambda x: instance_normalize(x, layer), one)


def test_generator_inference_on_one_image_equals_its_training_pass():
    generator = randomized(Generator(image_size=16, conv_dim=4, residual_blocks=1))
    images, aus = inputs(16, batch=1)
    inference = tf.function(lambda x, a: generator((x, a), training=False))
    assert "FusedBatchNormV3" in traced_ops(inference.python_function, images, aus)
    for got, expected in zip(inference(images, aus), generator((images, aus), training=True)):
        np.testing.assert_allclose(got, expected, atol=TOLERANCE)


def reference_forward(generator, images, aus):
    """The reference's spelling: tiled AU planes, the norm layers as layers, two head convolutions."""
    height, width = images.shape[1], images.shape[2]
    planes = tf.tile(aus[:, None, None, :], [1, height, width, 1])
    x = generator.encoder(tf.concat([images, planes], axis=-1))
    for block in generator.bottleneck.layers:
        y = tf.nn.relu(block.norm_1(block.conv_1(x)))
        x = x + block.norm_2(block.conv_2(y))
    x = generator.decoder(x)
    color, attention = generator.color_head(x), generator.attention_head(x)
    return attention * images + (1 - attention) * color, color, attention


@pytest.mark.parametrize(
    "config",
    [
        {"image_size": 32, "conv_dim": 8, "residual_blocks": 1},
        {"image_size": 16, "conv_dim": 4, "residual_blocks": 0, "upsampling": "resize"},
    ],
)
def test_generator_equals_the_reference_spelling(config):
    generator = randomized(Generator(**config))
    images, aus = inputs(config["image_size"])
    expected = reference_forward(generator, images, aus)
    actual = generator((images, aus))
    for name, want, got in zip(("edited", "color", "attention"), expected, actual, strict=True):
        np.testing.assert_allclose(got, want, atol=TOLERANCE, err_msg=name)


def test_gradients_equal_the_reference_spelling():
    generator = randomized(Generator(image_size=16, conv_dim=4, residual_blocks=1))
    images, aus = inputs(16)

    def gradients(forward):
        with tf.GradientTape() as tape:
            tape.watch(aus)
            edited, _, attention = forward(generator, images, aus)
            loss = tf.reduce_mean(tf.abs(edited)) + tf.reduce_mean(attention)
        return tape.gradient(loss, [aus, *generator.trainable_weights])

    expected = gradients(reference_forward)
    actual = gradients(lambda g, x, a: g((x, a)))
    for want, got in zip(expected, actual, strict=True):
        scale = float(tf.reduce_max(tf.abs(want))) or 1.0
        np.testing.assert_allclose(got / scale, want / scale, atol=1e-4)


def test_bfloat16_generator_is_close_to_float32():
    config = {"image_size": 16, "conv_dim": 4, "residual_blocks": 1}
    generator = randomized(Generator(**config))
    with dtype_policy("mixed_bfloat16"):
        half = Generator(**config)
    half.set_weights(generator.get_weights())
    images, aus = inputs(16)
    edited = half((images, aus))[0]
    assert edited.dtype == tf.float32  # The heads and the composite stay in float32.
    np.testing.assert_allclose(edited, generator((images, aus))[0], atol=0.1)


def test_litert_file_matches_keras_without_5d_reshapes_au_planes_or_transposed_convolutions(
    tmp_path,
):
    generator = randomized(Generator(image_size=32, conv_dim=8, residual_blocks=1))
    saved = write_saved_model(tmp_path / "b1", generator, batch_size=1, portable=True)
    model = tflite.convert(saved, "float32")
    interpreter = Interpreter(model_content=model)
    ops = collections.Counter(op["op_name"] for op in interpreter._get_ops_details())
    assert "TILE" not in ops, ops
    # The decoder's two upsamplings (four phases side by side, then interleaved), and the heads
    # over 2×2 pixel blocks.
    assert (ops["CONCATENATION"], ops["DEPTH_TO_SPACE"], ops["TRANSPOSE_CONV"]) == (2, 3, 0), ops
    assert ops["SPACE_TO_DEPTH"] == 1, ops
    assert ops["RESHAPE"] <= 3, ops  # The AU term's; the norms have none.
    assert ops["MEAN"] == 2 * 7, ops  # Two 4-D means per norm, 7 norms.

    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (1, 32, 32, 3), dtype=np.uint8)
    aus = rng.uniform(0, 5, (1, 17)).astype("float32")
    outputs = interpreter.get_signature_runner("animate")(image=image, aus=aus)
    _, _, attention = generator((tf.constant(image / 127.5 - 1.0, tf.float32), aus / 5.0))
    np.testing.assert_allclose(outputs["attention"], attention, atol=1e-4)


def test_int8_keeps_the_named_scopes_in_float(tmp_path):
    generator = randomized(Generator(image_size=16, conv_dim=4, residual_blocks=0))
    saved = write_saved_model(tmp_path / "b1", generator, batch_size=1, portable=True)
    rng = np.random.default_rng(4)

    def calibration():
        for _ in range(4):
            yield {
                "image": rng.integers(0, 256, (1, 16, 16, 3), dtype=np.uint8),
                "aus": rng.uniform(0, 5, (1, 17)).astype("float32"),
            }

    def float_means(scopes):
        model = tflite.convert(saved, "int8", calibration, scopes)
        interpreter = Interpreter(model_content=model)
        return sum(
            1
            for op in interpreter._get_ops_details()
            if op["op_name"] == "MEAN"
            and interpreter._get_tensor_details(op["outputs"][0], 0)["dtype"] == np.float32
        )

    assert float_means(tflite.CONTRACT_SCOPES) == 0
    assert float_means(tflite.CONTRACT_SCOPES + (INSTANCE_NORM_SCOPE,)) == 2 * 5
    assert {INSTANCE_NORM_SCOPE, AU_TERM_SCOPE} <= set(tflite.FLOAT_SCOPES)


def test_in_scopes_reads_numbered_and_fused_names():
    assert tflite.in_scopes("instance_norm_stats_12/Mean_1", ("instance_norm_stats",))
    assert tflite.in_scopes("re_lu/Relu;heads/add", ("heads",))
    assert not tflite.in_scopes("mul_3", ("heads", "preprocess"))
    assert not tflite.in_scopes("heads_up/add", ("heads",))
    assert tflite.in_scopes("animate/generator_1/instance_norm_3/moments/mean", ("instance_norm",))
    assert not tflite.in_scopes("animate/my_instance_norm/mean", ("instance_norm",))
