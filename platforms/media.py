"""Temporary media: the one multipart upload every platform shares (field ``media``, ``?type=<kind>``).

The three platforms differ only in the path, the kinds they take and the field the id comes back in, so one
:class:`Media` serves each app client and :func:`upload_media` the WeCom robot's own upload.
"""

from __future__ import annotations

from collections.abc import Collection

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport


class Media:
    """An app's temporary media (three days on WeChat and WeCom; see :mod:`platforms.dingtalk.client` for why a
    DingTalk media_id is used once).

    :param path: the upload endpoint, e.g. ``/cgi-bin/media/upload``.
    :param kinds: the ``type`` values the endpoint takes.
    :param id_fields: where the answer may carry the id, first match wins.
    """

    def __init__(
        self,
        transport: Transport,
        token: TokenSource,
        path: str,
        kinds: Collection[str],
        *,
        id_fields: tuple[str, ...] = ("media_id",),
    ) -> None:
        self._transport = transport
        self._token = token
        self.path = path
        self.kinds = frozenset(kinds)
        self._id_fields = id_fields

    def upload(self, kind: str, filename: str, content: bytes, content_type: str) -> str:
        """Upload ``content`` as media of ``kind`` and return its media_id."""
        return upload_media(self._transport, self._token, self.path, kinds=self.kinds, kind=kind, filename=filename,
                            content=content, content_type=content_type, id_fields=self._id_fields)


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
        success=id_fields,
    )
    media_id = next((body[field] for field in id_fields if body.get(field)), None)
    if not media_id:
        raise PermanentError(transport.platform, None, f"{path} answered without a {id_fields[0]}")
    return str(media_id)
