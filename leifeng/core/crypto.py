"""Field-level encryption of personal data (DOMAIN.md §10): AES-GCM with rotating keys, and a
keyed hash so that exact look-ups and uniqueness work without the plain value in the database.

A sealed value reads "k1$<base64 nonce+ciphertext>": the key id says which key opens it, so a
new key can be put first in LEIFENG_DATA_KEYS while old values still open.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12


class DecryptionError(Exception):
    """The value was sealed with an unknown key, or was altered."""


@cache
def _keys(raw: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    current = ""
    for item in raw.split(","):
        key_id, _, encoded = item.strip().partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded)
        except ValueError:
            key = b""
        if not key_id or "$" in key_id or len(key) != 32:
            raise ImproperlyConfigured(
                "LEIFENG_DATA_KEYS must be 'id:key' items separated by commas, each key 32 bytes "
                "in URL-safe base64."
            )
        keys[key_id] = AESGCM(key)
        current = current or key_id
    return current, keys


def seal(value: str) -> str:
    """Encrypt `value` with the current key."""
    current, keys = _keys(settings.LEIFENG_DATA_KEYS)
    nonce = os.urandom(NONCE_BYTES)
    data = keys[current].encrypt(nonce, value.encode(), current.encode())
    return f"{current}${base64.urlsafe_b64encode(nonce + data).decode()}"


def unseal(token: str) -> str:
    key_id, _, encoded = token.partition("$")
    _current, keys = _keys(settings.LEIFENG_DATA_KEYS)
    if key_id not in keys:
        raise DecryptionError(f"no key {key_id!r} in LEIFENG_DATA_KEYS")
    raw = base64.urlsafe_b64decode(encoded)
    try:
        return keys[key_id].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode()).decode()
    except InvalidTag:
        raise DecryptionError("the value was altered or sealed with another key") from None


def current_key_id() -> str:
    return _keys(settings.LEIFENG_DATA_KEYS)[0]


def needs_new_key(token: str) -> bool:
    """Sealed with an older key: re-seal it when convenient (key rotation)."""
    return token.partition("$")[0] != current_key_id()


def lookup_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value: equal values match, the value itself stays unknown."""
    key = settings.LEIFENG_LOOKUP_KEY.encode()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def code_digest(code: str) -> str:
    """How a one-time code sent by SMS is kept: its SHA-256, never the code."""
    return hashlib.sha256(code.strip().encode()).hexdigest()
