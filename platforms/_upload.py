"""The one multipart upload every platform's media resource shares: field ``media``, ``?type=<kind>``."""

from __future__ import annotations

from collections.abc import Collection

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport


def upload_media(
    transport: Transport,
    token: TokenSource | None,
    path: str,
    *,
    kinds: Collection[str],
    kind: str,
    filename: str,
    content: bytes,
    content_type: str,
    id_fields: tuple[str, ...] = ("media_id",),
    params: dict[str, str] | None = None,
) -> str:
    """Upload ``content`` as ``kind`` and return the id the platform answered in the first of ``id_fields``."""
    if kind not in kinds:
        raise ValueError(f"media kind must be one of {sorted(kinds)}, not {kind!r}")
    body = transport.request(
        "POST",
        path,
        params={**(params or {}), "type": kind},
        files={"media": (filename, content, content_type)},
        token=token,
    )
    media_id = next((body[field] for field in id_fields if body.get(field)), None)
    if not media_id:
        raise PermanentError(transport.platform, None, f"{path} answered without a {id_fields[0]}")
    return str(media_id)
