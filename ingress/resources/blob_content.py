"""``GET /api/v1/blobs/{id}/content``: a stored file's bytes, to its owner only.

Scoped as the description is (:mod:`ingress.resources.blobs`): another client's id is a 404, an admin key
sees its own uploads and the owner-less ones (a worker's downloads of WeChat material are owner-less).

The type served is the one the uploader declared, so it is not trusted to be harmless: every answer says
``X-Content-Type-Options: nosniff`` and a ``Content-Security-Policy`` that runs nothing, and only raster
images (which a browser cannot run) are served inline; everything else, SVG and HTML included, is an
attachment, so a stored page can never execute on the API's origin. The blob id is the content's SHA-256,
so it is the ETag as it is, and an ``If-None-Match`` that names it answers 304.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import falcon

from ingress.resources.blobs import find_visible_upload
from models import Database, Scope

#: Types a browser only ever draws: served inline (the admin page's thumbnails use them).
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
_UNSAFE_IN_QUOTES = re.compile(r'[^A-Za-z0-9._ ()-]')


def content_disposition(filename: str, inline: bool) -> str:
    """``inline``/``attachment`` with an ASCII fallback name and the real one RFC 5987-encoded."""
    fallback = _UNSAFE_IN_QUOTES.sub("_", filename)[:200] or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class BlobContent:
    scope = Scope.NOTIFY
    openapi = {"get": {
        "summary": "A stored file's bytes (raster images inline, anything else as an attachment; ETag = the id)",
        "responses": {"200": "the bytes, with the type they were stored with", "304": "If-None-Match matched",
                      "404": "no such file for this key"}}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, blob_id: str) -> None:
        with self.database.session() as session:
            upload = find_visible_upload(session, req, blob_id)
            etag = f'"{upload.blob_id}"'
            resp.set_header("ETag", etag)
            resp.set_header("Cache-Control", "private, max-age=3600")
            resp.set_header("X-Content-Type-Options", "nosniff")
            resp.set_header("Content-Security-Policy", "default-src 'none'; sandbox")
            if any(tag in (upload.blob_id, "*") for tag in req.if_none_match or ()):  # weak comparison
                resp.status = falcon.HTTP_304
                return
            content_type = upload.content_type or "application/octet-stream"
            inline = content_type.split(";", 1)[0].strip().lower() in INLINE_TYPES
            resp.content_type = content_type if inline else _attachment_type(content_type)
            resp.set_header("Content-Disposition", content_disposition(upload.filename, inline))
            resp.data = upload.blob.content


def _attachment_type(content_type: str) -> str:
    """The declared type, unless it is not a well-formed ``type/subtype`` (then plain bytes)."""
    if re.fullmatch(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;.*)?", content_type):
        return content_type
    return "application/octet-stream"
