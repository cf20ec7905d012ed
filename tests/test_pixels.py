"""Pixel conversions: the networks' [-1, 1] and 0..1 maps to uint8 and back, the same everywhere."""

import numpy as np
import pytest

from tfganimation.pixels import attention_to_grey, enlarge, to_signed, to_uint8


def test_to_uint8_rounds_half_to_even_and_clips():
    np.testing.assert_array_equal(to_uint8([-2.0, -1.0, 0.0, 1.0, 3.0]), [0, 0, 128, 255, 255])
    # (x + 1) * 127.5 = 0.5 and 2.5: half to even, as the exported graph rounds.
    assert to_uint8([0.5 / 127.5 - 1.0, 2.5 / 127.5 - 1.0]).tolist() == [0, 2]


def test_to_signed_is_the_inverse_of_to_uint8_on_every_byte():
    every_byte = np.arange(256, dtype=np.uint8)
    signed = to_signed(every_byte)
    assert signed.dtype == np.float32 and signed.min() == -1.0 and signed.max() == 1.0
    np.testing.assert_array_equal(to_uint8(signed), every_byte)


@pytest.mark.parametrize("shape", [(1, 3, 1), (1, 3)], ids=["with-channel", "without"])
def test_attention_to_grey_is_grey_rgb_and_clipped(shape):
    grey = attention_to_grey(np.array([-0.5, 0.5, 1.5], np.float32).reshape(shape))
    assert grey.dtype == np.uint8 and grey.shape == (1, 3, 3)
    assert grey[0].tolist() == [[0, 0, 0], [128, 128, 128], [255, 255, 255]]


def test_attention_to_grey_keeps_a_batch():
    assert attention_to_grey(np.zeros((4, 8, 8, 1))).shape == (4, 8, 8, 3)


def test_enlarge_repeats_each_pixel():
    image = np.arange(6, dtype=np.uint8).reshape(2, 3)
    enlarged = enlarge(image, 2)
    assert enlarged.shape == (4, 6)
    np.testing.assert_array_equal(enlarged[::2, ::2], image)
    np.testing.assert_array_equal(enlarged[1::2, 1::2], image)
    assert enlarge(np.zeros((2, 2, 3)), 3).shape == (6, 6, 3)
    assert enlarge(image, 1) is image


@pytest.mark.parametrize("factor", [0, 1.5, True])
def test_enlarge_refuses_a_factor_that_is_not_a_whole_number(factor):
    with pytest.raises(ValueError, match="factor"):
        enlarge(np.zeros((2, 2)), factor)
