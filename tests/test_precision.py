"""Mixed precision: the policy stays local, losses and the gradient penalty stay float32."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import TINY, TINY_CRITIC, random_batches, tiny_ganimation

import tfganimation
from tfganimation import losses
from tfganimation.precision import (
    PRECISION_ENVIRONMENT_VARIABLE,
    dtype_policy,
    in_precision,
    inference_precision,
    training_precision,
)
from tfganimation.training import TrainConfig, build_model


@pytest.fixture(autouse=True)
def float32_policy():
    """Every test starts and ends with the global float32 policy, whatever it does."""
    keras.config.set_dtype_policy("float32")
    yield
    keras.config.set_dtype_policy("float32")


def test_dtype_policy_applies_to_what_is_built_inside_and_restores_the_global_policy():
    with dtype_policy("mixed_bfloat16"):
        critic = tfganimation.Critic(**TINY_CRITIC)
    assert critic.dtype_policy.name == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"
    with pytest.raises(ValueError, match="precision must be one of"):
        with dtype_policy("float8"):
            pass


def test_build_model_uses_the_configured_precision():
    config = TrainConfig(data="d", out="o", precision="mixed_bfloat16", **TINY)
    model = build_model(config)
    assert model.generator.dtype_policy.name == model.critic.dtype_policy.name == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"


@pytest.mark.parametrize("precision", ["mixed_bfloat16", "mixed_float16"])
def test_gradient_penalty_is_float32_and_close_to_full_precision(precision):
    rng = np.random.default_rng(0)
    real, fake = (tf.constant(rng.uniform(-1, 1, (4, 32, 32, 3)), tf.float32) for _ in range(2))
    alpha = tf.constant(rng.uniform(0, 1, (4, 1, 1, 1)), tf.float32)
    keras.utils.set_random_seed(0)
    reference_critic = tfganimation.Critic(**TINY_CRITIC)
    with dtype_policy(precision):
        critic = tfganimation.Critic(**TINY_CRITIC)
    critic.set_weights(reference_critic.get_weights())

    reference = losses.gradient_penalty(reference_critic, real, fake, alpha)
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(critic, real, fake, alpha)
        total = tf.reduce_sum(penalty)
    gradients = tape.gradient(total, critic.trainable_variables)
    assert penalty.dtype == tf.float32
    np.testing.assert_allclose(penalty, reference, rtol=1e-2)
    # The double backward pass reaches the (float32) variables of the realness path.
    assert all(g.dtype == tf.float32 for g in gradients if g is not None)
    assert (
        sum(g is not None for g in gradients) == len(critic.trainable_variables) - 1
    )  # all but the AU head


def test_mixed_float16_trains_with_loss_scaling():
    with dtype_policy("mixed_float16"):
        model = tiny_ganimation()
    model.compile()
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    history = model.fit(random_batches(n_batches=15), epochs=1, verbose=0)
    # The losses start in the hundreds: scaled by Keras' initial 2**15 their
    # float16 gradients overflow, and those steps are skipped (not applied)
    # while the scale halves, until it fits.
    for optimizer in (model.d_optimizer, model.g_optimizer):
        assert float(optimizer.dynamic_scale) < 2**15
    skipped = int(np.log2(2**15 / float(model.d_optimizer.dynamic_scale)))
    assert int(model.d_optimizer.iterations) == 15 - skipped > 0
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    assert all(np.all(np.isfinite(w)) for w in model.weights)
    assert model.generator.trainable_weights[0].dtype == "float32"  # float32 master weights


def test_inference_precision_resolves_auto_from_the_environment_then_the_hardware(monkeypatch):
    assert inference_precision("bfloat16") == "bfloat16"
    monkeypatch.setenv(PRECISION_ENVIRONMENT_VARIABLE, "bfloat16")
    assert inference_precision("auto") == "bfloat16"
    assert inference_precision("float32") == "float32"  # A named precision wins.
    monkeypatch.delenv(PRECISION_ENVIRONMENT_VARIABLE)
    monkeypatch.setattr("tfganimation.precision.supports_bfloat16", lambda: False)
    assert inference_precision() == "float32"
    monkeypatch.setattr("tfganimation.precision.supports_bfloat16", lambda: True)
    assert inference_precision() == "bfloat16"
    monkeypatch.setenv(PRECISION_ENVIRONMENT_VARIABLE, "float16")
    with pytest.raises(ValueError, match="TFGANIMATION_PRECISION"):
        inference_precision()
    with pytest.raises(ValueError, match="precision must be one of"):
        inference_precision("half")


def test_training_precision_resolves_auto_to_bfloat16_only_where_it_pays(monkeypatch):
    assert TrainConfig(data="d", out="o").precision == "auto"
    assert training_precision("mixed_float16") == "mixed_float16"  # A named policy wins.
    monkeypatch.setenv(PRECISION_ENVIRONMENT_VARIABLE, "bfloat16")
    assert training_precision() == "mixed_bfloat16"
    monkeypatch.setenv(PRECISION_ENVIRONMENT_VARIABLE, "float32")
    assert training_precision() == "float32"
    monkeypatch.delenv(PRECISION_ENVIRONMENT_VARIABLE)
    monkeypatch.setattr("tfganimation.precision._gpu_computes_bfloat16", lambda: False)
    # AVX512_BF16 alone runs bfloat16 inference, but trains in float32; AMX trains in bfloat16.
    monkeypatch.setattr("tfganimation.precision.bfloat16_cpu_flags", lambda: ["avx512_bf16"])
    assert training_precision() == "float32" and inference_precision() == "bfloat16"
    monkeypatch.setattr(
        "tfganimation.precision.bfloat16_cpu_flags", lambda: ["amx_bf16", "avx512_bf16"]
    )
    assert training_precision() == "mixed_bfloat16"
    with pytest.raises(ValueError, match="precision must be one of"):
        training_precision("bfloat16")  # Training takes Keras policies.
    with pytest.raises(ValueError, match="precision must be one of"):
        TrainConfig(data="d", out="o", precision="half")


def test_build_model_resolves_auto_precision(monkeypatch):
    monkeypatch.setenv(PRECISION_ENVIRONMENT_VARIABLE, "bfloat16")
    model = build_model(TrainConfig(data="d", out="o", **TINY))
    assert model.generator.dtype_policy.name == "mixed_bfloat16"


def test_in_precision_copies_the_weights_and_changes_only_the_arithmetic():
    generator = tfganimation.Generator(**TINY)
    half = in_precision(generator, "bfloat16")
    assert half.compute_dtype == "bfloat16" and half.dtype_policy.name == "mixed_bfloat16"
    assert generator.compute_dtype == "float32"  # The original is left as it was.
    for mine, theirs in zip(generator.weights, half.weights, strict=True):
        assert theirs.dtype == "float32"
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    assert in_precision(generator, "float32") is generator
    back = in_precision(half, "float32")
    assert back.compute_dtype == "float32"
    images = tf.random.stateless_uniform((2, 32, 32, 3), (1, 2), -1, 1)
    aus = tf.random.stateless_uniform((2, 17), (3, 4))
    np.testing.assert_allclose(back((images, aus))[0], generator((images, aus))[0], atol=1e-6)
    with pytest.raises(ValueError, match="'float32' or 'bfloat16'"):
        in_precision(generator, "mixed_bfloat16")
