"""A stored file is its uploader's: another API client's blob id (a content digest anyone may learn) is a 404
to read or delete, an unknown ``blobId`` in a notification, and absent from lists. Two clients storing the same
bytes share the bytes, each with its own name. Blobs from before owners existed are owner-less: admin keys' only."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, select

from models import Base, Database
from models.blobs import Blob
from models.migrate import MIGRATIONS_DIR, upgrade
from models.notifications import IntakeRules, accept
from tests.notifications.conftest import bearer
from tests.notifications.media import PDF, inline

BLOBS = "/api/v1/blobs"


def store(app, key: str, filename: str, content: bytes = PDF):
    stored = app.simulate_post(BLOBS, params={"filename": filename}, body=content,
                               headers={**bearer(key), "Content-Type": "application/pdf"})
    assert stored.status_code == 201, stored.text
    return stored.json


def file_notification(blob_id: str) -> dict:
    return {"channel": "dingtalk_work", "to": {"users": ["u1"]},
            "message": {"msgtype": "file", "file": {"media": {"blobId": blob_id}}}}


def names(app, key: str) -> list[str]:
    listed = app.simulate_get(BLOBS, headers=bearer(key))
    assert listed.status_code == 200, listed.text
    assert listed.json["total"] == len(listed.json["items"])
    return [item["filename"] for item in listed.json["items"]]


def test_another_clients_blob_cannot_be_read_listed_deleted_or_used(app, keys, post):
    mine = store(app, keys["notify"], "salaries-2025.pdf")["blobId"]
    other = bearer(keys["other"])
    assert app.simulate_get(f"{BLOBS}/{mine}", headers=other).status_code == 404
    assert app.simulate_delete(f"{BLOBS}/{mine}", headers=other).status_code == 404
    assert names(app, keys["other"]) == []
    used = post(file_notification(mine), key="other")
    assert used.status_code == 422
    assert [p["field"] for p in used.json["error"]["details"]] == ["message.file.media.blobId"]
    # The owner still has it, and may use it.
    assert app.simulate_get(f"{BLOBS}/{mine}", headers=bearer(keys["notify"])).json["filename"] == "salaries-2025.pdf"
    assert names(app, keys["notify"]) == ["salaries-2025.pdf"]
    assert post(file_notification(mine)).status_code == 202


def test_two_clients_storing_the_same_bytes_each_see_only_their_own_name(app, keys, runtime):
    first = store(app, keys["notify"], "report.pdf")
    second = store(app, keys["other"], "invoice.pdf")
    assert first["blobId"] == second["blobId"] and second["filename"] == "invoice.pdf"
    blob_id = first["blobId"]
    assert app.simulate_get(f"{BLOBS}/{blob_id}", headers=bearer(keys["notify"])).json["filename"] == "report.pdf"
    assert app.simulate_get(f"{BLOBS}/{blob_id}", headers=bearer(keys["other"])).json["filename"] == "invoice.pdf"
    assert names(app, keys["notify"]) == ["report.pdf"] and names(app, keys["other"]) == ["invoice.pdf"]
    # Storing again keeps one's first name; the bytes are stored once.
    from models.blobs import BlobUpload

    assert store(app, keys["other"], "again.pdf")["filename"] == "invoice.pdf"
    with runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Blob)) == 1
        assert session.scalar(select(func.count()).select_from(BlobUpload)) == 2
    # One forgetting its upload leaves the other's.
    assert app.simulate_delete(f"{BLOBS}/{blob_id}", headers=bearer(keys["other"])).status_code == 204
    assert app.simulate_get(f"{BLOBS}/{blob_id}", headers=bearer(keys["other"])).status_code == 404
    assert app.simulate_get(f"{BLOBS}/{blob_id}", headers=bearer(keys["notify"])).status_code == 200


def test_inline_media_is_the_senders_upload(app, keys, post):
    accepted = post({"channel": "dingtalk_work", "to": {"users": ["u1"]},
                     "message": {"msgtype": "file", "file": {"media": inline(PDF, "inline.pdf", "application/pdf")}}})
    assert accepted.status_code == 202
    assert names(app, keys["notify"]) == ["inline.pdf"] and names(app, keys["other"]) == []


def test_admin_keys_see_their_own_and_the_owner_less_blobs_not_other_clients(app, keys, runtime):
    store(app, keys["notify"], "crm.pdf")
    store(app, keys["admin"], "ops.pdf", b"%PDF-1.4\n% the operator's own\n")
    with runtime.database.session() as session:  # a broker producer's (or imbridge send's): no API client
        accept(session, {"channel": "dingtalk_work", "to": {"users": ["u1"]}, "message": {
            "msgtype": "file", "file": {"media": inline(b"%PDF-1.4\n% broker\n", "broker.pdf", "application/pdf")}}},
            IntakeRules.from_settings(runtime.settings), source="broker")
    assert sorted(names(app, keys["admin"])) == ["broker.pdf", "ops.pdf"]
    assert names(app, keys["notify"]) == ["crm.pdf"]


def test_blobs_stored_before_owners_become_owner_less(database_url):
    from models.blobs import BlobUpload

    database = Database(database_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "notifications_0002")  # before the blob uploads
        with database.session() as session:
            session.execute(insert(Blob.__table__).values(id="a" * 64, content=PDF, size=len(PDF), filename="old.pdf",
                                                          content_type="application/pdf", created_at=func.now()))
        upgrade(database)
        with database.session() as session:
            [upload] = session.scalars(select(BlobUpload)).all()
            assert (upload.blob_id, upload.client_id, upload.filename) == ("a" * 64, None, "old.pdf")
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert [d for d in differences if "blob" in str(d) or "group" in str(d)] == []
    finally:
        database.dispose()
