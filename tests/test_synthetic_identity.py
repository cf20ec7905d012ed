"""Identity: sampling is reproducible and the dict form round-trips through JSON."""

import dataclasses
import json

import numpy as np
import pytest

from tfganimation.synthetic import HAIR_STYLES, Identity, sample_identity


def test_sampling_is_reproducible_and_varied():
    first = [sample_identity(np.random.default_rng(seed)) for seed in range(20)]
    again = [sample_identity(np.random.default_rng(seed)) for seed in range(20)]
    assert first == again
    assert len(set(first)) == 20
    assert {identity.hair_style for identity in first} == set(HAIR_STYLES)
    assert len({identity.skin for identity in first}) == 20


def test_dict_round_trips_through_json():
    identity = sample_identity(np.random.default_rng(3))
    restored = Identity.from_dict(json.loads(json.dumps(identity.to_dict())))
    assert restored == identity
    assert isinstance(restored.skin, tuple) and isinstance(restored.shift, tuple)


def test_from_dict_rejects_missing_and_unknown_keys():
    data = sample_identity(np.random.default_rng(0)).to_dict()
    with pytest.raises(ValueError, match="missing \\['skin'\\]"):
        Identity.from_dict({key: value for key, value in data.items() if key != "skin"})
    with pytest.raises(ValueError, match="unknown \\['freckles'\\]"):
        Identity.from_dict({**data, "freckles": True})


def test_unknown_hair_style_is_rejected():
    identity = sample_identity(np.random.default_rng(0))
    with pytest.raises(ValueError, match="hair_style"):
        dataclasses.replace(identity, hair_style="mohawk")
