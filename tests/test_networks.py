"""The generator and critic reproduce the reference architecture."""

import re
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import TINY, TINY_CRITIC

import tfganimation
from tfganimation import losses
from tfganimation.generator import composite


def test_reference_parameter_counts():
    assert tfganimation.Generator().count_params() == 8_471_296
    assert tfganimation.Critic().count_params() == 44_860_352


def test_generator_outputs_and_ranges():
    generator = tfganimation.Generator(**TINY)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 32, 32, 3)).astype("float32")
    edited, color, attention = generator((images, np.full((3, 17), 0.5, "float32")))
    assert edited.shape == color.shape == (3, 32, 32, 3)
    assert attention.shape == (3, 32, 32, 1)
    assert np.all(np.abs(color) <= 1) and np.all((attention >= 0) & (attention <= 1))
    np.testing.assert_allclose(edited, composite(images, color, attention), atol=1e-6)


def test_generator_is_fully_convolutional():
    generator = tfganimation.Generator(**TINY)
    edited, _, _ = generator((np.zeros((1, 64, 64, 3), "float32"), np.zeros((1, 17), "float32")))
    assert edited.shape == (1, 64, 64, 3)


def test_generator_output_depends_on_aus():
    generator = tfganimation.Generator(**TINY)
    image = np.random.default_rng(1).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    low, _, _ = generator((image, np.zeros((1, 17), "float32")))
    high, _, _ = generator((image, np.ones((1, 17), "float32")))
    assert np.abs(np.asarray(low) - np.asarray(high)).max() > 1e-4


def test_composite_keeps_input_at_full_attention_and_paints_at_zero():
    rng = np.random.default_rng(2)
    image = rng.uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    color = rng.uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    np.testing.assert_array_equal(composite(image, color, np.ones((2, 8, 8, 1), "float32")), image)
    np.testing.assert_array_equal(composite(image, color, np.zeros((2, 8, 8, 1), "float32")), color)


def test_critic_keeps_batch_axis_at_batch_one():
    critic = tfganimation.Critic(image_size=128, conv_dim=4)
    realness, aus = critic(np.zeros((1, 128, 128, 3), "float32"))
    assert realness.shape == (1, 2, 2, 1)
    assert aus.shape == (1, 17)


def test_generator_convolutions_have_no_bias_and_reference_init():
    generator = tfganimation.Generator(conv_dim=32, residual_blocks=2)
    convs = [layer for layer in generator._flatten_layers() if isinstance(layer, keras.layers.Conv2D)]
    assert convs and all(not layer.use_bias for layer in convs)
    kernel = np.asarray(convs[1].kernel)  # 4×4×32×64: enough samples for a tight estimate.
    assert abs(kernel.std() - 0.02) < 0.001 and abs(kernel.mean()) < 0.001


def test_instance_norm_matches_pytorch_epsilon():
    generator = tfganimation.Generator(**TINY)
    norms = [
        layer
        for layer in generator._flatten_layers()
        if isinstance(layer, keras.layers.GroupNormalization)
    ]
    assert norms and all(layer.epsilon == 1e-5 and layer.groups == layer.gamma.shape[0] for layer in norms)


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (tfganimation.Generator, {"image_size": 30}),
        (tfganimation.Critic, {"image_size": 96}),
        (tfganimation.Critic, {"image_size": 32, "downsampling_layers": 6}),
        (tfganimation.Generator, {"conv_dim": 0}),
        (tfganimation.Critic, {"n_aus": -1}),
    ],
)
def test_bad_sizes_raise_clear_value_error(cls, kwargs):
    with pytest.raises(ValueError, match="Received"):
        cls(**kwargs)


def test_critic_accepts_any_multiple_of_its_stride():
    critic = tfganimation.Critic(image_size=64, conv_dim=4, downsampling_layers=3)
    realness, aus = critic(np.zeros((2, 64, 64, 3), "float32"))
    assert realness.shape == (2, 8, 8, 1) and aus.shape == (2, 17)


@pytest.mark.parametrize(
    "cls, kwargs", [(tfganimation.Generator, TINY), (tfganimation.Critic, TINY_CRITIC)]
)
def test_keras_file_round_trip(cls, kwargs, tmp_path):
    model = cls(**kwargs)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.models.load_model(path)  # safe_mode: no Lambda layers allowed.
    assert isinstance(restored, cls) and restored.get_config() == model.get_config()
    images = np.random.default_rng(3).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    inputs = images if cls is tfganimation.Critic else (images, np.full((2, 17), 0.3, "float32"))
    for before, after in zip(model(inputs), restored(inputs)):
        np.testing.assert_array_equal(before, after)


def test_generator_without_residual_blocks():
    generator = tfganimation.Generator(image_size=32, conv_dim=8, residual_blocks=0)
    edited, _, _ = generator((np.zeros((1, 32, 32, 3), "float32"), np.zeros((1, 17), "float32")))
    assert edited.shape == (1, 32, 32, 3)


def _with_old_names(path, old_path):
    """A copy of the `.keras` file at `path` whose config says `repeat_num`, as files saved
    before `residual_blocks` and `downsampling_layers` had their names."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(old_path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "config.json":
                data = re.sub(rb'"(residual_blocks|downsampling_layers)"', b'"repeat_num"', data)
            target.writestr(item, data)


@pytest.mark.parametrize(
    "cls, kwargs, name",
    [
        (tfganimation.Generator, {**TINY, "residual_blocks": 2}, "residual_blocks"),
        (tfganimation.Critic, {**TINY_CRITIC, "downsampling_layers": 2}, "downsampling_layers"),
    ],
)
def test_a_model_saved_under_the_old_name_still_loads(cls, kwargs, name, tmp_path):
    model = cls(**kwargs)
    model.save(tmp_path / "new.keras")
    _with_old_names(tmp_path / "new.keras", tmp_path / "old.keras")
    assert b'"repeat_num": 2' in zipfile.ZipFile(tmp_path / "old.keras").read("config.json")

    restored = keras.models.load_model(tmp_path / "old.keras")
    assert getattr(restored, name) == 2 and restored.get_config() == model.get_config()
    images = np.random.default_rng(4).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    inputs = images if cls is tfganimation.Critic else (images, np.full((2, 17), 0.3, "float32"))
    for before, after in zip(model(inputs), restored(inputs)):
        np.testing.assert_array_equal(before, after)


def test_the_shipped_demo_model_saved_with_repeat_num_loads_unchanged(tmp_path):
    from tfganimation.demo.shipped import demo_model_path

    assert b'"repeat_num"' in zipfile.ZipFile(demo_model_path()).read("config.json")
    demo = keras.models.load_model(demo_model_path(), compile=False)
    assert (demo.generator.residual_blocks, demo.critic.downsampling_layers) == (4, 6)
    # Saved again it is written under the new names, and computes the same edits.
    demo.save(tmp_path / "resaved.keras")
    assert b'"repeat_num"' not in zipfile.ZipFile(tmp_path / "resaved.keras").read("config.json")
    resaved = keras.models.load_model(tmp_path / "resaved.keras", compile=False)
    images = np.random.default_rng(5).uniform(-1, 1, (2, 64, 64, 3)).astype("float32")
    aus = np.full((2, 17), 0.3, "float32")
    for before, after in zip(demo.generator((images, aus)), resaved.generator((images, aus))):
        np.testing.assert_array_equal(before, after)
    for before, after in zip(demo.critic(images), resaved.critic(images)):
        np.testing.assert_array_equal(before, after)


def _critic_through_its_layers(critic, images):
    """The critic with every convolution its own layer's kernel (the plain spelling)."""
    features = critic.trunk(images)
    aus = critic.au_head(features)
    return critic.realness_head(features), tf.reshape(aus, (-1, critic.n_aus))


def test_small_map_downsampling_as_matmul_equals_the_convolutions_with_double_backward():
    # Maps 32 → 16 → 8 → 4 → 2: the layers reading 8 and 4 pixels take the matrix product.
    critic = tfganimation.Critic(image_size=32, conv_dim=4, downsampling_layers=4)
    for weight in critic.weights:  # Biases too, not zeros.
        weight.assign(np.random.default_rng(0).normal(0, 0.2, weight.shape).astype("float32"))
    rng = np.random.default_rng(1)
    real = tf.constant(rng.uniform(-1, 1, (3, 32, 32, 3)), tf.float32)
    fake = tf.constant(rng.uniform(-1, 1, (3, 32, 32, 3)), tf.float32)
    alpha = tf.constant(rng.uniform(0, 1, (3, 1, 1, 1)), tf.float32)
    for got, expected in zip(critic(real), _critic_through_its_layers(critic, real)):
        np.testing.assert_allclose(got, expected, atol=1e-5)

    def penalty_and_gradients(critic_fn):
        with tf.GradientTape() as tape:
            penalty = tf.reduce_mean(losses.gradient_penalty(critic_fn, real, fake, alpha))
        return penalty, tape.gradient(penalty, critic.trainable_variables)

    penalty, gradients = penalty_and_gradients(critic)
    expected_penalty, expected_gradients = penalty_and_gradients(
        lambda images, **_: _critic_through_its_layers(critic, images)
    )
    np.testing.assert_allclose(penalty, expected_penalty, rtol=1e-5)
    for got, expected in zip(gradients, expected_gradients):
        if expected is not None:
            np.testing.assert_allclose(got, expected, atol=1e-5)

    graph = tf.function(critic).get_concrete_function(tf.TensorSpec([None, 32, 32, 3])).graph
    kinds = [op.type for op in graph.get_operations()]
    assert kinds.count("Conv2D") == 2 + 2  # Two trunk layers on large maps, the two heads.
    assert "MatMul" in kinds or "BatchMatMulV2" in kinds
