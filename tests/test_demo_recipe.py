"""The training options beyond the reference that the demo recipe uses."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import TINY, TINY_CRITIC, random_batches, tiny_ganimation

import tfganimation
from tfganimation import losses
from tfganimation.augment import augment, check_augmentations
from tfganimation.callbacks import GeneratorSnapshots
from tfganimation.schedules import generator_steps
from tfganimation.training import TrainConfig, build_model
from tfganimation.training.demo_recipe import demo_train_config, first_generator_steps


def test_augment_keeps_shape_is_seeded_and_differentiable():
    images = tf.random.uniform([4, 32, 32, 3], -1, 1, seed=1)
    seed = tf.constant([3, 4], tf.int64)
    with tf.GradientTape() as tape:
        tape.watch(images)
        out = augment(images, ("color", "translation"), seed)
        total = tf.reduce_sum(out)
    gradient = tape.gradient(total, images)
    assert out.shape == images.shape
    np.testing.assert_array_equal(out, augment(images, ("color", "translation"), seed))
    assert not np.allclose(out, augment(images, ("color", "translation"), seed + 1))
    assert gradient is not None and float(tf.reduce_sum(tf.abs(gradient))) > 0
    np.testing.assert_array_equal(augment(images, (), seed), images)


def test_translation_shifts_content_by_whole_pixels():
    image = np.zeros([1, 32, 32, 3], np.float32)
    image[0, 16, 16] = 1.0
    shifted = augment(tf.constant(image), ("translation",), tf.constant([0, 7], tf.int64))
    assert float(tf.reduce_sum(shifted)) == pytest.approx(3.0)  # one pixel, not smeared
    (row, column), = np.argwhere(np.asarray(shifted)[0, ..., 0])
    assert abs(row - 16) <= 2 and abs(column - 16) <= 2  # at most 1/16 of the side


def test_unknown_augmentation_is_refused():
    with pytest.raises(ValueError, match="cutout"):
        check_augmentations(["color", "cutout"])


def test_resize_upsampling_generator_has_no_transposed_convolution():
    generator = tfganimation.Generator(**TINY, upsampling="resize")
    kinds = {type(layer).__name__ for layer in generator.decoder.layers}
    assert "Conv2DTranspose" not in kinds and "UpSampling2D" in kinds
    edited, _, _ = generator((np.zeros([1, 32, 32, 3], "float32"), np.zeros([1, 17], "float32")))
    assert edited.shape == (1, 32, 32, 3)
    with pytest.raises(ValueError, match="upsampling"):
        tfganimation.Generator(**TINY, upsampling="bilinear-ish")


def test_color_total_variation_punishes_speckle_more_than_an_edge():
    edge = np.zeros([1, 32, 32, 3], np.float32)
    edge[:, :, 16:] = 1.0
    speckle = np.random.default_rng(0).uniform(-0.5, 0.5, [1, 32, 32, 3]).astype(np.float32)
    assert float(losses.color_total_variation(speckle)[0]) > 5 * float(
        losses.color_total_variation(edge)[0]
    )


def test_au_gradient_penalty_is_zero_for_a_constant_au_head():
    critic = tfganimation.Critic(**{**TINY_CRITIC, "downsampling_layers": 2})
    for weight in critic.au_head.weights:
        weight.assign(tf.zeros_like(weight))
    images = tf.random.uniform([2, 32, 32, 3], -1, 1)
    penalty = losses.au_gradient_penalty(critic, images, tf.ones([2, 17]))
    np.testing.assert_allclose(penalty, 0.0)
    critic.au_head.weights[0].assign(tf.random.normal(critic.au_head.weights[0].shape))
    assert float(tf.reduce_min(losses.au_gradient_penalty(critic, images, tf.ones([2, 17])))) > 0


def test_demo_options_train_log_their_terms_and_round_trip(tmp_path):
    model = tiny_ganimation(
        augmentations=("color", "translation"),
        color_tv_weight=2.0,
        au_gradient_weight=10.0,
        au_gradient_every=2,
        critic_warmup_steps=5,
    )
    model.compile()
    history = model.fit(random_batches(n_batches=10), epochs=1, verbose=0)
    # Warm-up: no generator step at critic step 5, one at step 10.
    assert int(model.g_optimizer.iterations) == 1
    assert {"d_au_gp", "g_color_tv"} <= set(history.history)
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    model.save(tmp_path / "model.keras")
    restored = keras.models.load_model(tmp_path / "model.keras")
    for name in ("augmentations", "color_tv_weight", "au_gradient_weight", "au_gradient_every",
                 "critic_warmup_steps"):  # fmt: skip
        assert getattr(restored, name) == getattr(model, name)


def test_lazy_au_penalty_is_taken_only_on_due_steps():
    model = tiny_ganimation(au_gradient_weight=10.0, au_gradient_every=3)
    model.compile(run_eagerly=True)
    batch = next(iter(random_batches(n_batches=1)))
    values = []
    for _ in range(3):
        model.loss_trackers["d_au_gp"].reset_state()
        model.train_step(batch)
        values.append(float(model.loss_trackers["d_au_gp"].result()))
    assert values[0] > 0 and values[1] == 0 and values[2] == 0  # steps 0 (due), 1, 2


def test_generator_steps_counts_the_schedule():
    assert generator_steps(10, 5) == 2
    assert generator_steps(10, 5, warmup=5) == 1
    assert generator_steps(4, 5, warmup=5) == 0
    assert generator_steps(4000 + 250 * 5, 5, warmup=4000) == 250


def test_generator_snapshots_every_n_generator_steps(tmp_path):
    model = tiny_ganimation()
    model.compile()
    model.fit(random_batches(n_batches=20), epochs=1, verbose=0,
              callbacks=[GeneratorSnapshots(tmp_path, every=2, n_critic=5)])  # fmt: skip
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["generator_step_0000002.weights.h5", "generator_step_0000004.weights.h5"]
    generator = tfganimation.Generator(**TINY)
    generator.load_weights(tmp_path / names[-1])
    for loaded, trained in zip(generator.weights, model.generator.weights):
        np.testing.assert_array_equal(loaded, trained)


def test_demo_config_builds_the_recipe_it_documents():
    config = demo_train_config("data", "run")
    model = build_model(config)
    assert model.generator.upsampling == "resize"
    assert model.augmentations == ("color", "translation")
    assert model.critic_warmup_steps == config.critic_warmup_steps > 0
    assert config.image_size == 64 and config.epochs > config.decay_epochs


def test_train_config_defaults_are_the_reference():
    config = TrainConfig(data="d", out="o")
    assert (config.upsampling, config.augmentations, config.color_tv_weight,
            config.au_gradient_weight, config.critic_warmup_steps) == ("transpose", (), 0.0, 0.0, 0)  # fmt: skip


def test_first_generator_steps_keeps_the_constant_rate_phase():
    recipe = demo_train_config("data", "out")
    short = first_generator_steps(recipe, 1000)
    batches = short.epochs * short.steps_per_epoch
    assert generator_steps(batches, short.n_critic, short.critic_warmup_steps) == 1000
    assert short.decay_epochs == 0 and short.learning_rate == recipe.learning_rate
    assert (
        dataclasses.replace(short, epochs=recipe.epochs, decay_epochs=recipe.decay_epochs) == recipe
    )
    with pytest.raises(ValueError, match="constant rate"):
        first_generator_steps(recipe, 10_000)
