"""``/api/v1/wechat/media``: permanent material and temporary media (admin scope).

An upload is multipart: the file in ``media`` (its name's extension tells WeChat the format), ``type``
(image, voice, video, thumb), ``permanent`` (default true) and, for a permanent video, ``title`` and
``introduction``. Type, extension and size are checked against WeChat's limits before anything is stored or
enqueued (one 422 lists every problem); the bytes go to the blob store, so a failed upload job can be run again.
This route alone takes bodies up to ``ingress.media_max_body_bytes``.
"""

from __future__ import annotations

import mimetypes
from typing import Any

import falcon
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select

from core import job_kinds
from core.accounts import Accounts
from core.tasks import Tasks
from ingress.bodies import read_model
from ingress.bounds import MAX_PAGE
from ingress.errors import ApiError, unprocessable, validation_details
from ingress.platform_gate import row_account
from ingress.resources.accounts import ACCOUNT_PARAMETER, query_account
from ingress.resources.jobs import JOB_ACCEPTED, enqueue_job, job_accepted
from ingress.uploads import UploadForm, read_upload
from models import Database, Scope
from models.blobs import put_upload
from models.jobs import Job, JobStatus, create_job
from models.wechat.media import MediaStatus, WeChatMedia, media_view
from platforms.wechat.media_rules import MAX_MEDIA_BYTES, PERMANENT_RULES, media_problems

#: The text fields an upload may carry (the file goes in ``media``).
FIELDS = ("type", "permanent", "title", "introduction")
MAX_TITLE = 64
MAX_INTRODUCTION = 2000
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def _problem(field: str, message: str, kind: str = "value_error") -> dict[str, str]:
    return {"field": field, "message": message, "type": kind}


def is_permanent(form: UploadForm) -> bool | None:
    """The ``permanent`` field (default true); None when it is neither true nor false."""
    text = form.fields.get("permanent", "true").strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def upload_problems(form: UploadForm) -> list[dict[str, str]]:
    """Every reason the upload cannot go to WeChat as it is."""
    problems = [_problem(name, "given more than once") for name in dict.fromkeys(form.repeated)]
    problems += [_problem(name, "not a field of a media upload (type, permanent, title, introduction, media)")
                 for name in form.fields if name not in FIELDS and name != "media"]
    problems += [_problem(name, "not a file field: the file goes in 'media'") for name in form.files if name != "media"]
    if "media" in form.fields:
        problems.append(_problem("media", "must be a file part (with a filename)"))
    kind = form.fields.get("type", "").strip()
    permanent = is_permanent(form)
    if permanent is None:
        problems.append(_problem("permanent", "true or false"))
    if not kind:
        problems.append(_problem("type", f"required: one of {', '.join(PERMANENT_RULES)}", "missing"))
    file = form.files.get("media")
    if file is None and "media" not in form.fields:
        problems.append(_problem("media", "the file is missing", "missing"))
    if kind:
        found = media_problems(kind, permanent is not False, file.filename if file else None,
                               file.size if file else None)
        problems += [_problem("type" if what == "type" else f"media.{what}", message) for what, message in found]
    video = permanent is not False and kind == "video"
    for name, limit in (("title", MAX_TITLE), ("introduction", MAX_INTRODUCTION)):
        value = form.fields.get(name)
        if video and not (value or "").strip():
            problems.append(_problem(name, "a permanent video needs a title and an introduction", "missing"))
        elif value is not None and not video:
            problems.append(_problem(name, "only a permanent video has a title and an introduction"))
        elif value is not None and len(value) > limit:
            problems.append(_problem(name, f"at most {limit} characters"))
    return problems


def _content_type(filename: str, declared: str | None) -> str:
    if declared and declared != "text/plain":  # falcon's default for a part without a Content-Type
        return declared[:100]
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class MediaQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str | None = Field(default=None, max_length=8)
    permanent: bool | None = None
    status: MediaStatus | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=50, ge=1, le=500)


def _get(session: Any, record_id: int) -> WeChatMedia:
    media = session.get(WeChatMedia, record_id)
    if media is None:
        raise ApiError(falcon.HTTP_404, f"no media record {record_id}", code="not_found")
    return media


class MediaCollection:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {
        "get": {"summary": "List an account's local media records (filters: type, permanent, status; page, limit)",
                "query": MediaQuery, "parameters": [ACCOUNT_PARAMETER]},
        "post": {"summary": "Upload permanent material or temporary media (a job)",
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["type", "media"], "properties": {
                         "media": {"type": "string", "format": "binary"},
                         "type": {"type": "string", "enum": list(PERMANENT_RULES)},
                         "permanent": {"type": "boolean", "default": True},
                         "title": {"type": "string"}, "introduction": {"type": "string"}}}}}},
                 "parameters": [ACCOUNT_PARAMETER],
                 "responses": {"202": ("queued", JOB_ACCEPTED), "413": "over ingress.media_max_body_bytes",
                               "422": "every problem: type, extension, size, video title and introduction"}}}

    def __init__(self, database: Database, max_body_bytes: int, tasks: Tasks, accounts: Accounts) -> None:
        self.database = database
        self.tasks = tasks
        self.accounts = accounts
        #: Read by the BodyLimit middleware: this route takes files.
        self.large_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        try:
            params = MediaQuery.model_validate({k: v for k, v in req.params.items() if k != "account"})
        except ValidationError as exc:
            raise unprocessable("the query is not valid", validation_details(exc)) from exc
        query = select(WeChatMedia).where(WeChatMedia.account == account)
        if params.type:
            query = query.where(WeChatMedia.type == params.type)
        if params.permanent is not None:
            query = query.where(WeChatMedia.permanent.is_(params.permanent))
        if params.status:
            query = query.where(WeChatMedia.status == params.status.value)
        with self.database.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            rows = session.scalars(query.order_by(WeChatMedia.id.desc())
                                   .offset((params.page - 1) * params.limit).limit(params.limit)).all()
            resp.media = {"items": [media_view(m) for m in rows], "page": params.page, "limit": params.limit,
                          "total": total}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        form = read_upload(req, MAX_MEDIA_BYTES)
        problems = upload_problems(form)
        if problems:
            raise unprocessable("the upload is not valid", problems)
        file = form.files["media"]
        permanent = bool(is_permanent(form))
        content_type = _content_type(file.filename, file.content_type)
        with self.database.session() as session:
            # Owner-less: every admin key may view it (``/api/v1/blobs/{id}/content``, the list's thumbnails).
            upload = put_upload(session, file.content, file.filename, content_type, None)
            row = WeChatMedia(permanent=permanent, type=form.fields["type"].strip(), name=file.filename,
                              title=form.fields.get("title"), introduction=form.fields.get("introduction"),
                              blob_id=upload.blob_id, size=file.size, content_type=content_type,
                              status=MediaStatus.UPLOADING.value, source="upload", account=account)
            session.add(row)
            session.flush()
            job = create_job(session, job_kinds.MEDIA_UPLOAD, {"mediaId": row.id}, account=account)
            row.job_id = job.id
            session.flush()
            view = media_view(row)
        enqueue_job(self.database, self.tasks, job.id)
        job_accepted(resp, job.id, media=view)


class MediaItem:
    scope = Scope.ADMIN
    needs_platform = {"DELETE": "wechat"}
    openapi = {"get": {"summary": "One media record"},
               "delete": {"summary": "Delete: permanent material through a job (del_material), anything else "
                                     "locally (temporary media expire on their own)",
                          "responses": {"202": ("queued", JOB_ACCEPTED), "204": "deleted locally",
                                        "409": "being uploaded or deleted"}}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database = database
        self.tasks = tasks

    def account_of(self, record_id: int) -> str | None:
        return row_account(self.database, WeChatMedia, record_id)

    def on_get(self, req: falcon.Request, resp: falcon.Response, record_id: int) -> None:
        with self.database.session() as session:
            resp.media = media_view(_get(session, record_id))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, record_id: int) -> None:
        with self.database.session() as session:
            media = _get(session, record_id)
            if media.status in (MediaStatus.UPLOADING, MediaStatus.DELETING):
                raise ApiError(falcon.HTTP_409, f"media record {record_id} is being "
                                                f"{'uploaded' if media.status == MediaStatus.UPLOADING else 'deleted'}",
                               code="conflict")
            if not (media.permanent and media.media_id):
                session.delete(media)
                job_id = None
            else:
                job_id = create_job(session, job_kinds.MEDIA_DELETE, {"mediaId": record_id}, account=media.account).id
                media.status, media.job_id = MediaStatus.DELETING.value, job_id
        if job_id is None:
            resp.status = falcon.HTTP_204
            return
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)


class MediaFetch:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Fetch a permanent material's content (a job: get_material). An image, voice or "
                                   "thumb is stored: the result's contentUrl (GET /api/v1/blobs/{blobId}/content) "
                                   "serves it; a video's result holds {title, description, down_url}, news its "
                                   "news_item", "responses": {"202": ("queued", JOB_ACCEPTED),
                                                              "409": "not a material on the platform (yet)"}}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database = database
        self.tasks = tasks

    def account_of(self, record_id: int) -> str | None:
        return row_account(self.database, WeChatMedia, record_id)

    def on_post(self, req: falcon.Request, resp: falcon.Response, record_id: int) -> None:
        with self.database.session() as session:
            media = _get(session, record_id)
            if not (media.permanent and media.media_id):
                raise ApiError(falcon.HTTP_409, f"media record {record_id} is not a permanent material on the "
                                                "platform (temporary, or not uploaded yet)", code="conflict")
            job_id = create_job(session, job_kinds.MEDIA_FETCH, {"mediaId": record_id}, account=media.account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)


class FetchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: A platform media_id (news material has no local row: a menu's media_id button, a sync's listing).
    mediaId: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_=-]+$")


class MaterialFetch:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Fetch any permanent material by its platform mediaId (a job: get_material), "
                                   "news included; the result as for /api/v1/wechat/media/{id}/fetch",
                        "body": FetchRequest, "example": {"mediaId": "<a permanent material's media_id>"},
                        "parameters": [ACCOUNT_PARAMETER], "responses": {"202": ("queued", JOB_ACCEPTED)}}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts) -> None:
        self.database = database
        self.tasks = tasks
        self.accounts = accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        body = read_model(req, FetchRequest)
        with self.database.session() as session:
            job_id = create_job(session, job_kinds.MEDIA_FETCH, {"platformMediaId": body.mediaId},
                                account=account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)


class MediaCounts:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "An account's local records per kind and type, and the platform's counts from "
                                  "its last sync", "parameters": [ACCOUNT_PARAMETER]}}

    def __init__(self, database: Database, accounts: Accounts) -> None:
        self.database = database
        self.accounts = accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        counts: dict[str, dict[str, int]] = {"permanent": {k: 0 for k in PERMANENT_RULES},
                                             "temporary": {k: 0 for k in PERMANENT_RULES}}
        with self.database.session() as session:
            rows = session.execute(select(WeChatMedia.permanent, WeChatMedia.type, func.count())
                                   .where(WeChatMedia.account == account)
                                   .group_by(WeChatMedia.permanent, WeChatMedia.type))
            for permanent, kind, count in rows:
                counts["permanent" if permanent else "temporary"][kind] = count
            last_sync = session.scalars(select(Job).where(Job.kind == job_kinds.MEDIA_SYNC, Job.account == account,
                                                          Job.status == JobStatus.SUCCEEDED.value)
                                        .order_by(Job.finished_at.desc()).limit(1)).one_or_none()
            remote = (last_sync.result or {}).get("remoteCounts") if last_sync else None
            resp.media = {"local": counts, "remote": remote, "remoteSyncJobId": last_sync.id if last_sync else None}


class MediaSync:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Sync permanent material from the platform (a job: batchget_material, "
                                   "get_materialcount)", "parameters": [ACCOUNT_PARAMETER],
                        "responses": {"202": ("queued", JOB_ACCEPTED)}}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts) -> None:
        self.database = database
        self.tasks = tasks
        self.accounts = accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts)
        with self.database.session() as session:
            job_id = create_job(session, job_kinds.MEDIA_SYNC, account=account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)
