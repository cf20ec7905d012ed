"""Training speed-ups that must not change what is computed."""

import numpy as np
import tensorflow as tf
from conftest import random_batches, tiny_ganimation

from tfganimation.ganimation import GANimation


class SeparatePasses(GANimation):
    """The critic step as the reference writes it: one critic call for real, one for fake."""

    def _critic_scores(self, images, edited):
        real_scores, estimated_aus = self.critic(images, training=True)
        fake_scores, _ = self.critic(edited, training=True)
        return real_scores, estimated_aus, fake_scores


def critic_terms_and_gradients(model, batch):
    images, real_aus, target_aus = batch["image"], batch["real_aus"], batch["target_aus"]
    edited = model.generator((images, target_aus), training=True)[0]
    with tf.GradientTape() as tape:
        terms = model.critic_loss_terms(images, edited, real_aus)
        loss = tf.add_n(list(terms.values()))
    return terms, tape.gradient(loss, model.critic.trainable_variables)


def test_one_critic_call_on_real_and_fake_equals_two_calls():
    model = tiny_ganimation(augmentations=("translation",))
    separate = SeparatePasses(model.generator, model.critic, seed=model.seed, augmentations=("translation",))
    batch = next(iter(random_batches(1, batch_size=3)))
    terms, gradients = critic_terms_and_gradients(model, batch)
    expected_terms, expected_gradients = critic_terms_and_gradients(separate, batch)
    assert terms.keys() == expected_terms.keys()
    for name in terms:
        np.testing.assert_allclose(terms[name], expected_terms[name], rtol=1e-5, err_msg=name)
    for got, want in zip(gradients, expected_gradients, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    assert any(np.abs(g).max() > 0 for g in gradients)  # Not trivially equal.
