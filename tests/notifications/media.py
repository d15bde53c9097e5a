"""Small files of the right kinds for media messages."""

import base64
import hashlib

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
AMR = b"#!AMR\n" + bytes(range(32))
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(32)
PDF = b"%PDF-1.4\n%fake pdf for tests\n"


def inline(content: bytes, filename: str, content_type: str) -> dict:
    return {"base64": base64.b64encode(content).decode(), "filename": filename, "contentType": content_type}


def md5(content: bytes) -> str:
    return hashlib.md5(content).hexdigest()
