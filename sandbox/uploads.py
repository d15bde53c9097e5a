"""Checks every platform applies to an uploaded media file: the part is there, the type is known, the file name's
extension fits the type (the platforms judge the format by it) and the size is within the type's limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.call import Call, UploadedFile
from sandbox.errors import ErrcodeAnswer

MB = 1024 * 1024


@dataclass(frozen=True)
class MediaRule:
    extensions: frozenset[str]
    max_bytes: int
    min_bytes: int = 1


def rules(min_bytes: int = 1, **kinds: tuple[str, int]) -> dict[str, MediaRule]:
    """``rules(image=("jpg jpeg png", 10 * MB))`` -> {type: MediaRule}; ``"*"`` accepts any extension."""
    return {kind: MediaRule(frozenset(exts.split()), size, min_bytes) for kind, (exts, size) in kinds.items()}


@dataclass(frozen=True)
class UploadErrors:
    """The platform's (errcode, errmsg) for each way an upload can be wrong."""

    bad_type: tuple[int, str]
    missing: tuple[int, str]
    bad_extension: tuple[int, str]
    bad_size: tuple[int, str]


def checked_upload(call: Call, media_type: str | None, allowed: dict[str, MediaRule],
                   errors: UploadErrors, field: str = "media") -> UploadedFile:
    """The uploaded file when acceptable, else the first error the platform would give."""
    if media_type not in allowed:
        raise ErrcodeAnswer(*errors.bad_type)
    upload = call.body.files.get(field)
    if upload is None or not upload.data:
        raise ErrcodeAnswer(*errors.missing)
    rule = allowed[media_type]
    if "*" not in rule.extensions and upload.extension not in rule.extensions:
        raise ErrcodeAnswer(*errors.bad_extension)
    if not rule.min_bytes <= upload.size <= rule.max_bytes:
        raise ErrcodeAnswer(*errors.bad_size)
    return upload
