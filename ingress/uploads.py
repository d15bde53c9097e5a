"""Multipart uploads (falcon's multipart form support), read with bounded memory.

Text fields are small; a file part is streamed: its bytes are kept up to ``keep_bytes`` and counted beyond,
so a file too large for the platform is reported with its real size (a 422 that says why) without ever
holding it in memory. The whole body is bounded by the route's ``large_body_bytes`` (:class:`BodyLimit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import falcon
from falcon.media.multipart import MultipartFormHandler, MultipartParseError

from ingress.errors import ApiError
from ingress.nul import NUL

#: Text fields longer than this are refused (they are names, titles and flags).
MAX_FIELD_BYTES = 64 * 1024
#: Parts per form: a file and a few fields.
MAX_PARTS = 16
_CHUNK = 64 * 1024
_UNSAFE = re.compile(r"[\x00-\x1f/\\]")


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str | None
    #: The first ``keep_bytes`` bytes (all of them when ``size`` is no larger); a bytearray, not copied into bytes
    #: (hashing and the database take it as it is), so a file is held once.
    content: bytearray
    size: int

    @property
    def complete(self) -> bool:
        return len(self.content) == self.size


@dataclass
class UploadForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    #: Field names given more than once.
    repeated: list[str] = field(default_factory=list)


def _handler() -> MultipartFormHandler:
    handler = MultipartFormHandler()
    handler.parse_options.max_body_part_count = MAX_PARTS
    handler.parse_options.max_body_part_buffer_size = MAX_FIELD_BYTES
    return handler


_HANDLER = _handler()


def safe_filename(name: str) -> str:
    """The last path segment of a client's file name, without control characters, at most 200 characters."""
    base = re.split(r"[/\\]", name)[-1]
    return _UNSAFE.sub("", base).strip()[:200]


def read_upload(req: falcon.Request, keep_bytes: int) -> UploadForm:
    """The form's fields and files; 415 unless multipart, 411 without a length, 400 when malformed."""
    content_type = req.content_type or ""
    if content_type.split(";", 1)[0].strip().lower() != falcon.MEDIA_MULTIPART:
        raise ApiError(falcon.HTTP_415, "send the file as multipart/form-data", code="unsupported_media_type")
    if req.content_length is None:
        raise ApiError(falcon.HTTP_411, "send a Content-Length with the upload", code="length_required")
    form = UploadForm()
    try:
        for part in _HANDLER.deserialize(req.bounded_stream, content_type, req.content_length):
            name = part.name or ""
            if NUL in name:
                raise ApiError(falcon.HTTP_400, "a field name may not contain NUL characters", code="invalid_multipart")
            if name in form.fields or name in form.files:
                form.repeated.append(name)
            if part.filename is not None:
                form.files[name] = _read_file(part, keep_bytes)
            else:
                text = part.get_text() or ""
                if NUL in text:
                    raise ApiError(falcon.HTTP_400, f"the field {name!r} may not contain NUL characters",
                                   code="invalid_multipart")
                form.fields[name] = text
    except (MultipartParseError, falcon.MediaMalformedError, falcon.HTTPInvalidHeader, UnicodeDecodeError) as exc:
        detail = getattr(exc, "description", None) or str(exc)
        raise ApiError(falcon.HTTP_400, f"the multipart body is malformed: {detail}", code="invalid_multipart") from exc
    return form


def _read_file(part: object, keep_bytes: int) -> UploadedFile:
    stream = part.stream  # type: ignore[attr-defined]
    kept = bytearray()
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if len(kept) <= keep_bytes:
            kept += chunk[:keep_bytes + 1 - len(kept)]
    return UploadedFile(safe_filename(part.filename or ""), part.content_type,  # type: ignore[attr-defined]
                        kept, size)
