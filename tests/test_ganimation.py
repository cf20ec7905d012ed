"""GANimation's training: schedule, reference scaling, learning, saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import TINY, random_batches, tiny_ganimation

import tfganimation
from tfganimation.ganimation import LOSS_NAMES
from tfganimation.precision import dtype_policy


@pytest.mark.parametrize(
    "mode", [{"run_eagerly": True}, {"jit_compile": False}, {"jit_compile": True}], ids=str
)
def test_critic_steps_every_batch_generator_every_fifth(mode):
    model = tiny_ganimation()
    model.compile(**mode)
    history = model.fit(random_batches(n_batches=10), epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 10
    assert int(model.g_optimizer.iterations) == 2
    assert set(history.history) == set(LOSS_NAMES)
    assert all(np.isfinite(values[-1]) for values in history.history.values())


def test_au_loss_reproduces_reference_scaling():
    model = tiny_ganimation()
    model.compile()
    batches = random_batches(n_batches=1, batch_size=4)
    batch = next(iter(batches))
    _, estimated = model.critic(batch["image"])
    mse = np.mean((np.asarray(estimated) - np.asarray(batch["real_aus"])) ** 2)
    logs = model.evaluate(batches, verbose=0, return_dict=True)
    # MSE mean, divided by the batch size once more, times 4000.
    np.testing.assert_allclose(logs["d_au"], 4000 * mse / 4, rtol=1e-4)
    assert logs["d_loss"] == pytest.approx(
        logs["d_real"] + logs["d_fake"] + logs["d_gp"] + logs["d_au"], rel=1e-4
    )


ON_GPU = bool(tf.config.list_physical_devices("GPU"))


@pytest.mark.parametrize(
    "precision",
    [
        "float32",
        "mixed_bfloat16",
        pytest.param(
            "mixed_float16",
            marks=pytest.mark.skipif(
                not ON_GPU, reason="float16 is emulated on CPUs: this test takes ~4 minutes there"
            ),
        ),
    ],
)
def test_training_learns_au_regression_and_cycle(precision):
    with dtype_policy(precision):
        model = tiny_ganimation()
    g_optimizer, d_optimizer = tfganimation.make_optimizers(learning_rate=1e-3)
    model.compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer)
    rng = np.random.default_rng(0)
    # Smooth images, and targets one reference-sized noise step from the real AUs.
    images = tf.image.resize(rng.uniform(-1, 1, (8, 8, 8, 3)), (32, 32)).numpy()
    real_aus = rng.uniform(0, 1, (8, 17))
    batch = {
        "image": images.astype("float32"),
        "real_aus": real_aus.astype("float32"),
        "target_aus": (real_aus + rng.uniform(-0.1, 0.1, (8, 17))).astype("float32"),
    }
    dataset = tf.data.Dataset.from_tensors(batch)
    before = model.evaluate(dataset, verbose=0, return_dict=True)
    model.fit(dataset.repeat(200), epochs=1, verbose=0)
    after = model.evaluate(dataset, verbose=0, return_dict=True)
    assert after["d_au"] < 0.01 * before["d_au"]
    assert after["g_au"] < 0.05 * before["g_au"]
    assert after["g_cycle"] < 0.7 * before["g_cycle"]


def test_mismatched_networks_are_refused():
    with pytest.raises(ValueError, match="image_size"):
        tfganimation.GANimation(
            tfganimation.Generator(**TINY), tfganimation.Critic(image_size=64, conv_dim=8, downsampling_layers=1)
        )


def test_bad_batch_gives_clear_error():
    model = tiny_ganimation()
    model.compile(run_eagerly=True)
    with pytest.raises(ValueError, match="real_aus"):
        model.train_step({"image": np.zeros((1, 32, 32, 3), "float32")})


def test_keras_round_trip_restores_weights_optimizers_and_schedule_state(tmp_path):
    model = tiny_ganimation()
    g_optimizer, d_optimizer = tfganimation.make_optimizers(steps_per_epoch=10)
    model.compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer)
    model.fit(random_batches(n_batches=10), epochs=1, verbose=0)
    path = tmp_path / "ganimation.keras"
    model.save(path)

    restored = keras.models.load_model(path)
    assert restored.g_optimizer.get_config() == model.g_optimizer.get_config()
    assert restored.g_optimizer.get_config()["learning_rate"]["class_name"] == "LinearDecay"
    assert int(restored.global_step) == 10 and int(restored.g_optimizer.iterations) == 2
    for before, after in zip(model.weights, restored.weights):
        np.testing.assert_array_equal(before, after)
    for before, after in zip(model.d_optimizer.variables, restored.d_optimizer.variables):
        np.testing.assert_array_equal(before, after)
    # The restored model trains on without re-compiling.
    restored.fit(random_batches(n_batches=5), epochs=1, verbose=0)
    assert int(restored.g_optimizer.iterations) == 3


def test_model_checkpoint_writes_loadable_weights_during_fit(tmp_path):
    model = tiny_ganimation()
    model.compile()
    path = tmp_path / "epoch_{epoch}.weights.h5"
    model.fit(
        random_batches(n_batches=5),
        epochs=2,
        verbose=0,
        callbacks=[keras.callbacks.ModelCheckpoint(str(path), save_weights_only=True)],
    )
    fresh = tiny_ganimation(seed=1)
    fresh.load_weights(tmp_path / "epoch_2.weights.h5")
    images = np.zeros((1, 32, 32, 3), "float32") + 0.2
    aus = np.full((1, 17), 0.4, "float32")
    np.testing.assert_array_equal(model((images, aus))[0], fresh((images, aus))[0])


def test_predict_edits_faces():
    model = tiny_ganimation()
    images = np.zeros((3, 32, 32, 3), "float32")
    edited, color, attention = model.predict((images, np.zeros((3, 17), "float32")), verbose=0)
    assert edited.shape == (3, 32, 32, 3) and attention.shape == (3, 32, 32, 1)


def test_evaluate_on_a_dataset_of_unknown_length_reports_the_batch_values():
    model = tiny_ganimation()
    model.compile()
    batch = next(iter(random_batches(n_batches=1, batch_size=3)))
    known = model.evaluate(tf.data.Dataset.from_tensors(batch), verbose=0, return_dict=True)
    # `filter` hides the length, as the data pipeline's `ignore_errors` does.
    unknown = tf.data.Dataset.from_tensors(batch).filter(lambda _: True)
    logs = model.evaluate(unknown, verbose=0, return_dict=True)
    for name in ("d_gp", "d_au", "g_cycle"):
        assert logs[name] == pytest.approx(known[name], rel=1e-5), name
