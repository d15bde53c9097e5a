import base64
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from platforms.crypto import MessageCrypto
from platforms.errors import DecryptError, MessageFormatError, SignatureError

# wechatpy's published test vector.
TOKEN = "123456"
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
APPID = "wx49f0ab532d5d035a"
TIMESTAMP, NONCE = "1411443780", "437374425"
ECHOSTR = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
MSG_SIGNATURE = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"

MESSAGE = (
    "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>"
    "<CreateTime>1411443780</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[你好 ]]]]><![CDATA[> world]]></Content><MsgId>1</MsgId></xml>"
)


@pytest.fixture
def crypto() -> MessageCrypto:
    return MessageCrypto(TOKEN, KEY, APPID)


def raw_encrypt(payload: bytes) -> str:
    """Encrypt bytes exactly as given (no padding added), to build malformed ciphertexts."""
    key = base64.b64decode(KEY + "=")
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(payload) + encryptor.finalize()).decode()


def test_wechatpy_vector_signature(crypto):
    assert crypto.signature(TIMESTAMP, NONCE, ECHOSTR) == MSG_SIGNATURE
    crypto.check_signature(MSG_SIGNATURE, TIMESTAMP, NONCE, ECHOSTR)


def test_wechatpy_vector_decrypts_echostr(crypto):
    assert crypto.decrypt(ECHOSTR) == "5927782489442352469"
    assert crypto.verify_url(MSG_SIGNATURE, TIMESTAMP, NONCE, ECHOSTR) == "5927782489442352469"


def test_plain_signature_is_sha1_of_sorted_token_timestamp_nonce(crypto):
    import hashlib

    expected = hashlib.sha1("".join(sorted([TOKEN, TIMESTAMP, NONCE])).encode()).hexdigest()
    assert crypto.signature(TIMESTAMP, NONCE) == expected


@pytest.mark.parametrize("text", ["", "a", "x" * 11, "x" * 12, "x" * 13, "中文" * 100, MESSAGE])
def test_encrypt_decrypt_round_trip(crypto, text):
    ciphertext = crypto.encrypt(text)
    assert len(base64.b64decode(ciphertext)) % 32 == 0
    assert crypto.decrypt(ciphertext) == text


def test_encryption_is_randomised(crypto):
    assert crypto.encrypt("same") != crypto.encrypt("same")


def test_message_envelope_round_trip(crypto):
    body, signature = crypto.encrypt_message(MESSAGE, TIMESTAMP, NONCE)
    assert crypto.decrypt_message(body, signature, TIMESTAMP, NONCE) == MESSAGE


def test_wecom_envelope_carries_agent_id(crypto):
    body, _ = crypto.encrypt_message(MESSAGE, TIMESTAMP, NONCE, agent_id=1000002)
    assert "<AgentID><![CDATA[1000002]]></AgentID>" in body


def test_encrypted_reply_envelope_verifies(crypto):
    from platforms.xml import parse_xml

    envelope = parse_xml(crypto.encrypt_reply(MESSAGE, TIMESTAMP, NONCE))
    assert envelope["TimeStamp"] == TIMESTAMP and envelope["Nonce"] == NONCE
    crypto.check_signature(envelope["MsgSignature"], TIMESTAMP, NONCE, envelope["Encrypt"])
    assert crypto.decrypt(envelope["Encrypt"]) == MESSAGE


def test_wrong_signature_raises(crypto):
    with pytest.raises(SignatureError):
        crypto.check_signature("0" * 40, TIMESTAMP, NONCE, ECHOSTR)
    body, signature = crypto.encrypt_message(MESSAGE, TIMESTAMP, NONCE)
    with pytest.raises(SignatureError):
        crypto.decrypt_message(body, signature, TIMESTAMP, "other-nonce")


def test_tampered_ciphertext_raises(crypto):
    data = bytearray(base64.b64decode(crypto.encrypt(MESSAGE)))
    data[-20] ^= 0x01  # garbles the last block: padding and ReceiveId
    with pytest.raises(DecryptError):
        crypto.decrypt(base64.b64encode(bytes(data)).decode())


@pytest.mark.parametrize("ciphertext", ["not base64!", "", base64.b64encode(b"short").decode()])
def test_malformed_ciphertext_raises(crypto, ciphertext):
    with pytest.raises(DecryptError):
        crypto.decrypt(ciphertext)


@pytest.mark.parametrize("pad", [b"\x00" * 32, b"\x21" * 32, b"\x03" * 31 + b"\x04"])
def test_bad_padding_raises(crypto, pad):
    body = b"<xml/>" + APPID.encode()
    plain = b"r" * 16 + struct.pack(">I", 6) + body
    plain += b"p" * (-len(plain) % 32) + pad
    with pytest.raises(DecryptError, match="padding"):
        crypto.decrypt(raw_encrypt(plain))


def test_length_field_beyond_plaintext_raises(crypto):
    plain = b"r" * 16 + struct.pack(">I", 10_000) + b"<xml/>"
    pad = 32 - len(plain) % 32
    with pytest.raises(DecryptError):
        crypto.decrypt(raw_encrypt(plain + bytes([pad]) * pad))


def test_wrong_receive_id_raises(crypto):
    other = MessageCrypto(TOKEN, KEY, "wx_someone_else")
    with pytest.raises(DecryptError, match="ReceiveId"):
        crypto.decrypt(other.encrypt(MESSAGE))


def test_envelope_with_dtd_is_refused(crypto):
    body = '<!DOCTYPE xml [<!ENTITY e "boom">]><xml><Encrypt>&e;</Encrypt></xml>'
    with pytest.raises(MessageFormatError):
        crypto.decrypt_message(body, "sig", TIMESTAMP, NONCE)


def test_envelope_without_encrypt_is_refused(crypto):
    with pytest.raises(MessageFormatError):
        crypto.decrypt_message("<xml><ToUserName>x</ToUserName></xml>", "sig", TIMESTAMP, NONCE)


@pytest.mark.parametrize("key", ["short", "!" * 43, base64.b64encode(b"k" * 30).decode().rstrip("=")])
def test_bad_aes_key_is_rejected_up_front(key):
    with pytest.raises(ValueError):
        MessageCrypto(TOKEN, key, APPID)
