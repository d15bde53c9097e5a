"""``wechat.media.fetch``: one permanent material's content, for operators to view or download.

``get_material`` answers an image, voice or thumb with the file itself: it is kept in the blob store as an
owner-less upload (admin keys' own, see :mod:`models.blobs`), the media row points at it (so the admin list
shows a thumbnail) and ``GET /api/v1/blobs/{blobId}/content`` serves it. A video is answered with its title,
description and ``down_url``, news with its articles (``news_item``): those go into the job's result.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.blobs import put_upload
from models.wechat.media import WeChatMedia
from platforms.wechat import FetchedMaterial
from workers.jobs.kinds import JobKind, JobRefused, Params

FETCH = job_kinds.MEDIA_FETCH


def content_url(blob_id: str) -> str:
    return f"/api/v1/blobs/{blob_id}/content"


def fetch_call(runtime: Runtime, params: Params) -> FetchedMaterial:
    """Params: ``{"mediaId": <row id>}`` for a local row, or ``{"platformMediaId": ...}`` for any material."""
    if params.get("platformMediaId"):
        return runtime.clients.wechat_for(params.get("account")).material.get(str(params["platformMediaId"]))
    with runtime.database.session() as session:
        row = session.get(WeChatMedia, params["mediaId"])
        if row is None:
            raise JobRefused(f"media {params['mediaId']} no longer exists")
        if not (row.permanent and row.media_id):
            raise JobRefused(f"media {row.id} is not a permanent material on the platform (yet)")
        media_id = row.media_id
    return runtime.clients.wechat_for(params.get("account")).material.get(media_id)


def fetch_record(session: Session, params: Params, fetched: FetchedMaterial) -> dict[str, Any]:
    row = session.get(WeChatMedia, params["mediaId"]) if params.get("mediaId") is not None else None
    platform_id = params.get("platformMediaId") or (row.media_id if row else None)
    result: dict[str, Any] = {"id": params.get("mediaId"), "mediaId": platform_id}
    if fetched.content is None:
        return {**result, "material": fetched.info}
    content_type = (fetched.content_type or "application/octet-stream").split(";", 1)[0].strip()[:100]
    name = row.name if row is not None else f"material-{platform_id}"[:200]
    upload = put_upload(session, fetched.content, name, content_type, None)
    if row is not None:
        row.blob_id, row.size, row.content_type = upload.blob_id, len(fetched.content), content_type
    return {**result, "blobId": upload.blob_id, "contentType": content_type, "size": len(fetched.content),
            "contentUrl": content_url(upload.blob_id)}


KINDS = [JobKind(FETCH, fetch_call, fetch_record)]
