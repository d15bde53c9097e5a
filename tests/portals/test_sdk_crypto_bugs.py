"""The sandbox signs and encrypts callbacks with code of its own (``sandbox.crypto``), so a bug in the SDK's
``platforms.crypto`` is refused end to end, as WeChat's real callbacks would be. While the sandbox built its
callbacks with the SDK's own signer and cipher, each of these bugs agreed with itself and every callback passed."""

from __future__ import annotations

import hashlib
import struct

import pytest

import platforms.crypto
from sandbox import callbacks
from tests.portals.conftest import post_wechat


def unsorted_signature(self, timestamp: str, nonce: str, *parts: str) -> str:
    """The classic slip: the parts joined in the order given instead of sorted."""
    return hashlib.sha1("".join([self.token, str(timestamp), str(nonce), *parts]).encode()).hexdigest()


class LittleEndian:
    """``struct`` for ``platforms.crypto`` with the plaintext's length field read and written little-endian."""

    @staticmethod
    def pack(fmt: str, *values: int) -> bytes:
        return struct.pack(fmt.replace(">", "<"), *values)

    @staticmethod
    def unpack(fmt: str, data: bytes) -> tuple:
        return struct.unpack(fmt.replace(">", "<"), data)


BUGS = {
    "signature": (platforms.crypto.CallbackSigner, "signature", unsorted_signature, 401),
    "length-field": (platforms.crypto, "struct", LittleEndian, 400),
}


@pytest.mark.parametrize("bug", BUGS, ids=list(BUGS))
@pytest.mark.usefixtures("nothing_processed")
def test_a_crypto_bug_in_the_sdk_refuses_the_sandboxs_callback(client, runtime, monkeypatch, bug):
    settings = runtime.settings
    target, name, replacement, status = BUGS[bug]
    monkeypatch.setattr(target, name, replacement)
    result = post_wechat(client, settings, callbacks.text_fields(settings, "hello"), safe=True)
    assert result.status_code == status, result.text


def test_without_the_bug_the_same_callback_is_taken(client, runtime):
    result = post_wechat(client, runtime.settings, callbacks.text_fields(runtime.settings, "hello"), safe=True)
    assert result.status_code == 200, result.text
