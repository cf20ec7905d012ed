"""One training step of the paper's own code, reproduced: every loss term and every gradient.

`original/training_step.npz` holds one `optimize_parameters` step of
albertpumarola/GANimation on the networks in `original/`: the loss terms
(already weighted), the gradient penalty's interpolation weights, and the
gradients of the critic loss, the penalty and the generator loss with
respect to every parameter. The same weights, batch and interpolation
weights must give the same terms and gradients here.
"""

import numpy as np
import pytest
import tensorflow as tf
from torch_fixtures import CHECKPOINTS, checkpoint, nhwc, requires_checkpoints

from tfganimation.ganimation import GANimation
from tfganimation.torch_checkpoints.conversion import convert_checkpoint
from tfganimation.torch_checkpoints.porting import to_keras_kernel

pytestmark = requires_checkpoints

TERMS = {
    "d_real": ("d_real",),
    "d_fake": ("d_fake",),
    "d_au": ("d_cond",),
    "d_gp": ("d_gp",),
    "g_fake": ("g_masked_fake",),
    "g_au": ("g_masked_cond",),
    "g_cycle": ("g_cyc",),
    # The reference logs each pass's attention terms apart; here each is one term over both.
    "g_attention": ("g_mask_1", "g_mask_2"),
    "g_attention_tv": ("g_mask_1_smooth", "g_mask_2_smooth"),
}
"""This project's term → the reference's terms it sums."""


@pytest.fixture(scope="module")
def step():
    """The reference step, and this project's terms and gradients on its inputs."""
    reference = np.load(CHECKPOINTS / "original/training_step.npz")
    converted = convert_checkpoint(
        checkpoint("original/net_epoch_30_id_G.pth"), checkpoint("original/net_epoch_30_id_D.pth")
    )
    model = GANimation(converted.generator, converted.critic, seed=0)
    images = tf.constant(nhwc(reference["image"]))

    critic_variables = model.critic.trainable_variables
    generator_variables = model.generator.trainable_variables

    @tf.function  # Traced, as `fit` runs the step: the 3×3 convolutions as Winograd products.
    def terms_and_gradients(images, real_aus, target_aus, alpha):
        edited = tf.stop_gradient(model.generator((images, target_aus), training=True)[0])
        with tf.GradientTape(persistent=True) as tape:
            critic_terms = model.critic_loss_terms(images, edited, real_aus, alpha)
            critic_loss = critic_terms["d_real"] + critic_terms["d_fake"] + critic_terms["d_au"]
            penalty = critic_terms["d_gp"]
        with tf.GradientTape() as generator_tape:
            generator_terms, _ = model.generator_loss_terms(images, real_aus, target_aus)
            generator_loss = tf.add_n(list(generator_terms.values()))
        gradients = {
            "critic_loss": tape.gradient(critic_loss, critic_variables),
            "gradient_penalty": tape.gradient(penalty, critic_variables),
            "generator_loss": generator_tape.gradient(generator_loss, generator_variables),
        }
        return critic_terms, generator_terms, gradients

    critic_terms, generator_terms, values = terms_and_gradients(
        images, *(tf.constant(reference[key], tf.float32) for key in ("real_aus", "target_aus")),
        tf.constant(reference["gp_alpha"], tf.float32),
    )  # fmt: skip
    gradients = {
        "critic_loss": (critic_variables, values["critic_loss"], "D"),
        "gradient_penalty": (critic_variables, values["gradient_penalty"], "D"),
        "generator_loss": (generator_variables, values["generator_loss"], "G"),
    }
    return reference, {**critic_terms, **generator_terms}, gradients, converted.variable_sources


def test_every_loss_term_equals_the_reference(step):
    reference, terms, _, _ = step
    assert set(terms) == set(TERMS)
    for name, reference_names in TERMS.items():
        expected = sum(float(reference[f"loss/{part}"]) for part in reference_names)
        assert float(terms[name]) == pytest.approx(expected, rel=1e-4), name


@pytest.mark.parametrize("loss", ["critic_loss", "gradient_penalty", "generator_loss"])
def test_every_gradient_equals_the_reference(step, loss):
    reference, _, gradients, sources = step
    variables, values, network = gradients[loss]
    compared = 0
    for variable, gradient in zip(variables, values, strict=True):
        key = f"grad_{loss}/{network}/{sources[variable.path]}"
        got = np.zeros(variable.shape, np.float32) if gradient is None else np.asarray(gradient)
        if key not in reference.files:  # The loss does not reach this parameter.
            assert not np.any(got), f"{variable.path} has a gradient the reference has not"
            continue
        want = reference[key]
        want = to_keras_kernel(want) if want.ndim == 4 else want
        # A bias before a piecewise-linear layer does not move the input gradient: the
        # reference stores an exact zero there, which a relative error cannot measure.
        scale = np.linalg.norm(want) or 1.0
        error = np.linalg.norm(got - want) / scale
        assert error <= 2e-3, f"{key}: L2 error {error:.2e} of the reference's norm {scale:.2e}"
        compared += 1
    assert compared == len([key for key in reference.files if key.startswith(f"grad_{loss}/")])
