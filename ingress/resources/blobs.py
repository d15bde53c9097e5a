"""``/api/v1/blobs``: upload a file once, reference it by ``blobId`` in any number of media messages.

The body is the file itself (any Content-Type, which is kept), the name comes from ``?filename=``. Bytes are
stored content-addressed, so uploading the same file twice returns the same id.
"""

from __future__ import annotations

import re
from typing import Any

import falcon

from ingress.bodies import read_body
from ingress.errors import ApiError, unprocessable
from models import Database, Scope
from models.blobs import Blob, get_blob, put_blob

_FILENAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


def blob_view(blob: Blob) -> dict[str, Any]:
    return {"blobId": blob.id, "size": blob.size, "contentType": blob.content_type, "filename": blob.filename,
            "createdAt": blob.created_at.isoformat()}


class BlobCollection:
    scope = Scope.NOTIFY
    openapi = {"post": {"summary": "Store a file for media messages (body: the bytes; ?filename=)",
                        "parameters": [{"name": "filename", "in": "query", "required": True,
                                        "schema": {"type": "string"}}],
                        "requestBody": {"required": True, "content": {"application/octet-stream": {
                            "schema": {"type": "string", "format": "binary", "minLength": 1}}}},
                        "responses": {"201": "stored (or already stored: same id)"}}}

    def __init__(self, database: Database, max_bytes: int) -> None:
        self.database = database
        self.max_bytes = max_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        filename = req.get_param("filename") or ""
        if not _FILENAME.match(filename):
            raise unprocessable("the request is not valid", [{"field": "filename", "type": "value_error",
                                                             "message": "1 to 200 characters, no slashes"}])
        content = read_body(req, self.max_bytes)
        if not content:
            raise unprocessable("the request is not valid", [{"field": "body", "type": "missing",
                                                             "message": "the file is empty"}])
        content_type = (req.content_type or "application/octet-stream").split(";", 1)[0].strip()[:100]
        with self.database.session() as session:
            resp.media = blob_view(put_blob(session, content, filename, content_type))
        resp.status = falcon.HTTP_201


class BlobItem:
    scope = Scope.NOTIFY
    openapi = {"get": {"summary": "A stored file's description (not its bytes)"}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, blob_id: str) -> None:
        with self.database.session() as session:
            blob = get_blob(session, blob_id)
            if blob is None:
                raise ApiError(falcon.HTTP_404, f"no stored file {blob_id}", code="not_found")
            resp.media = blob_view(blob)
