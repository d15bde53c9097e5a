"""A platform request as the sandbox's handlers see it.

The body is read once, up front, by :func:`read_body`, so the journal can record exactly what arrived
(JSON, form fields, uploaded files) whatever the handler then does with it, and so injected faults can answer
without a handler ever running.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import falcon
from falcon.media import MultipartFormHandler

from sandbox.errors import INVALID_JSON, ErrcodeAnswer

#: Multipart parsing limits: one media part, generous for the largest platform limit (20 MB files).
_MULTIPART = MultipartFormHandler()
_MULTIPART.parse_options.max_body_part_count = 16
_MULTIPART.parse_options.max_body_part_buffer_size = 32 * 1024 * 1024


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart upload."""

    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def md5(self) -> str:
        return hashlib.md5(self.data).hexdigest()

    @property
    def extension(self) -> str:
        name = self.filename or ""
        return name.rsplit(".", 1)[-1].lower() if "." in name else ""

    def describe(self) -> dict[str, Any]:
        """What the journal shows of the file (never its bytes)."""
        return {"filename": self.filename, "size": self.size, "content_type": self.content_type, "md5": self.md5}


@dataclass
class RequestBody:
    """The parsed body: at most one of ``json``/``form``+``files`` is filled."""

    raw: bytes = b""
    json: Any = None
    json_error: bool = False
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)


def read_body(req: falcon.Request) -> RequestBody:
    """Read and parse the whole body.

    Like WeChat's servers, a body that parses as a JSON object or array is JSON whatever the Content-Type says
    (clients that post JSON as form data still work there); otherwise multipart and urlencoded forms are parsed.
    """
    chunked = (req.get_header("Transfer-Encoding") or "").lower() == "chunked"
    raw = req.bounded_stream.read() if req.content_length else (req.stream.read() if chunked else b"")
    body = RequestBody(raw=raw)
    content_type = (req.content_type or "").lower()
    if not raw:
        return body
    if content_type.startswith("multipart/form-data"):
        _read_multipart(body, req.content_type or "")
        return body
    if raw.lstrip()[:1] in (b"{", b"["):
        try:
            body.json = json.loads(raw)
            return body
        except ValueError:
            body.json_error = True
    if content_type.startswith("application/x-www-form-urlencoded"):
        parsed = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        body.form = {k: v[-1] for k, v in parsed.items()}
    else:
        body.json_error = True
    return body


def _read_multipart(body: RequestBody, content_type: str) -> None:
    try:
        form = _MULTIPART.deserialize(io.BytesIO(body.raw), content_type, len(body.raw))
        for part in form:
            if part.filename is not None:
                body.files[part.name] = UploadedFile(part.filename, part.content_type, part.stream.read())
            else:
                body.form[part.name] = part.get_text() or ""
    except (falcon.HTTPError, falcon.MediaMalformedError, ValueError):
        body.json_error = True


@dataclass
class Call:
    """Everything a handler may look at."""

    platform: str
    method: str
    path: str
    query: dict[str, str]
    body: RequestBody
    content_type: str
    remote_addr: str
    #: Request headers, names in lower case.
    headers: dict[str, str] = field(default_factory=dict)

    def param(self, name: str) -> str | None:
        return self.query.get(name)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json_object(self) -> dict[str, Any]:
        """The JSON body, which must be an object; otherwise the platform's "data format error"."""
        if not isinstance(self.body.json, dict):
            raise ErrcodeAnswer(*INVALID_JSON[self.platform])
        return self.body.json

    def fields(self) -> dict[str, Any]:
        """The JSON object, or the urlencoded form (DingTalk's /topapi accepts both)."""
        if self.body.form and not self.body.files:
            return dict(self.body.form)
        return self.json_object()


def query_dict(req: falcon.Request) -> dict[str, str]:
    """The query string, last value winning for repeated names (as the platforms' servers do)."""
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in req.params.items()}
