"""``/api/v1/blobs``: upload a file once, reference it by ``blobId`` in any number of media messages.

The body is the file itself (any Content-Type, which is kept), the name comes from ``?filename=``. Bytes are
stored content-addressed, so uploading the same file twice returns the same id.

A blob is its uploader's: another API client's id is a 404 here and an unknown ``blobId`` in a notification,
even when the bytes are stored (two clients uploading the same file share the bytes, each with its own name).
An admin key sees its own uploads and the owner-less ones (see :mod:`models.blobs`), not other clients'.
"""

from __future__ import annotations

import re
from typing import Any

import falcon
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select

from ingress.bodies import read_body
from ingress.bounds import MAX_PAGE
from ingress.errors import ApiError, unprocessable, validation_details
from models import Database, Scope
from models.blobs import BlobUpload, Viewer, find_upload, put_upload

_FILENAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


class BlobQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=50, ge=1, le=500)


def blob_view(upload: BlobUpload) -> dict[str, Any]:
    return {"blobId": upload.blob_id, "size": upload.blob.size, "contentType": upload.content_type,
            "filename": upload.filename, "createdAt": upload.created_at.isoformat()}


def viewer(req: falcon.Request) -> Viewer:
    client = req.context.api_client
    return Viewer(client.id, admin=client.scope == Scope.ADMIN)


def find_visible_upload(session: Any, req: falcon.Request, blob_id: str) -> BlobUpload:
    """The upload of ``blob_id`` the caller's key sees, else a 404 (the same for not yours and none)."""
    upload = find_upload(session, blob_id, viewer(req))
    if upload is None:
        raise ApiError(falcon.HTTP_404, f"no stored file {blob_id}", code="not_found")
    return upload


class BlobCollection:
    scope = Scope.NOTIFY
    openapi = {"post": {"summary": "Store a file for media messages (body: the bytes; ?filename=)",
                        "parameters": [{"name": "filename", "in": "query", "required": True,
                                        "schema": {"type": "string"}}],
                        "requestBody": {"required": True, "content": {"application/octet-stream": {
                            "schema": {"type": "string", "format": "binary", "minLength": 1}}}},
                        "responses": {"201": "stored (or already stored: same id)"}},
               "get": {"summary": "List the files this API key's client stored (newest first; page, limit)",
                       "query": BlobQuery}}

    def __init__(self, database: Database, max_bytes: int) -> None:
        self.database = database
        self.max_bytes = max_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            params = BlobQuery.model_validate(req.params)
        except ValidationError as exc:
            raise unprocessable("the query is not valid", validation_details(exc)) from exc
        seen = viewer(req).sees()
        with self.database.session() as session:
            total = session.scalar(select(func.count()).select_from(BlobUpload).where(seen))
            rows = session.scalars(select(BlobUpload).where(seen)
                                   .order_by(BlobUpload.created_at.desc(), BlobUpload.id.desc())
                                   .offset((params.page - 1) * params.limit).limit(params.limit)).all()
            resp.media = {"items": [blob_view(u) for u in rows], "page": params.page, "limit": params.limit,
                          "total": total}

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
            resp.media = blob_view(put_upload(session, content, filename, content_type, req.context.api_client.id))
        resp.status = falcon.HTTP_201


class BlobItem:
    scope = Scope.NOTIFY
    openapi = {"get": {"summary": "A stored file's description (not its bytes)"},
               "delete": {"summary": "Forget a stored file: its id no longer works for this client (the bytes stay "
                                     "for the notifications that use them)", "responses": {"204": "forgotten"}}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, blob_id: str) -> None:
        with self.database.session() as session:
            resp.media = blob_view(find_visible_upload(session, req, blob_id))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, blob_id: str) -> None:
        with self.database.session() as session:
            session.delete(find_visible_upload(session, req, blob_id))
        resp.status = falcon.HTTP_204
