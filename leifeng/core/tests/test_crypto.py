import base64
import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from leifeng.core.crypto import DecryptionError, lookup_hash, needs_new_key, seal, unseal


def new_key(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"


@pytest.fixture
def keys(settings):
    old, new = new_key("k1"), new_key("k2")
    settings.LEIFENG_DATA_KEYS = old
    return settings, old, new


def test_sealed_values_open_again_and_do_not_show_the_value(keys):
    token = seal("11010519491231002X")
    assert "11010519491231002X" not in token and token.startswith("k1$")
    assert unseal(token) == "11010519491231002X"
    assert seal("11010519491231002X") != token  # a fresh nonce every time


def test_altered_values_are_detected(keys):
    token = seal("13800000001")
    raw = bytearray(base64.urlsafe_b64decode(token.split("$")[1]))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError):
        unseal("k1$" + base64.urlsafe_b64encode(bytes(raw)).decode())


def test_keys_rotate(keys):
    settings, old, new = keys
    token = seal("13800000001")
    settings.LEIFENG_DATA_KEYS = f"{new},{old}"
    assert unseal(token) == "13800000001"
    assert needs_new_key(token)
    assert seal("x").startswith("k2$")
    settings.LEIFENG_DATA_KEYS = new
    with pytest.raises(DecryptionError):
        unseal(token)


@pytest.mark.parametrize("bad", ["k1:short", "nokey", "k$1:" + "A" * 44])
def test_malformed_keys_are_refused_clearly(settings, bad):
    settings.LEIFENG_DATA_KEYS = bad
    with pytest.raises(ImproperlyConfigured):
        seal("x")


def test_lookup_hashes_are_keyed_and_normalised(settings):
    settings.LEIFENG_LOOKUP_KEY = "one"
    first = lookup_hash("11010519491231002x ")
    assert first == lookup_hash("11010519491231002X")
    settings.LEIFENG_LOOKUP_KEY = "two"
    assert lookup_hash("11010519491231002X") != first
