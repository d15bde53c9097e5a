"""``GET /api/v1/blobs/{id}/content``: the owner gets its bytes back (right type, length and ETag); nobody else
does, whatever id they learn; and a stored page never runs on the API's origin (attachment, nosniff, no CSP
exception), so a blob cannot be turned into stored XSS against the admin page."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import insert

from models.blobs import Blob, BlobUpload
from tests.notifications.conftest import bearer
from tests.notifications.media import PDF

BLOBS = "/api/v1/blobs"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + b"\0" * 16
PAGE = b"<html><body><script>fetch('/api/v1/apikeys')</script></body></html>"


def store(app, key: str, filename: str, content: bytes, content_type: str) -> str:
    stored = app.simulate_post(BLOBS, params={"filename": filename}, body=content,
                               headers={**bearer(key), "Content-Type": content_type})
    assert stored.status_code == 201, stored.text
    return stored.json["blobId"]


def content(app, key: str, blob_id: str, **headers: str):
    return app.simulate_get(f"{BLOBS}/{blob_id}/content", headers={**bearer(key), **headers})


def test_the_owner_gets_the_bytes_with_type_length_and_etag(app, keys):
    blob_id = store(app, keys["notify"], "pixel.png", PNG, "image/png")
    got = content(app, keys["notify"], blob_id)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Length"] == str(len(PNG))
    assert got.headers["ETag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("inline;")  # an image may be shown (thumbnails)
    again = content(app, keys["notify"], blob_id, **{"If-None-Match": got.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_another_keys_blob_and_an_unknown_id_are_both_404(app, keys):
    blob_id = store(app, keys["notify"], "salaries.pdf", PDF, "application/pdf")
    for key, wanted in ((keys["other"], blob_id), (keys["notify"], "0" * 64), (keys["notify"], "not-a-digest")):
        got = content(app, key, wanted)
        assert got.status_code == 404 and got.json["error"]["code"] == "not_found"
        assert PDF not in got.content
    # The other client storing the same bytes gets its own upload, and then may read them.
    store(app, keys["other"], "mine-too.pdf", PDF, "application/pdf")
    assert content(app, keys["other"], blob_id).status_code == 200
    assert app.simulate_get(f"{BLOBS}/{blob_id}/content").status_code == 401  # no key at all


@pytest.mark.parametrize(("filename", "content_type"), [
    ("page.html", "text/html"), ("drawing.svg", "image/svg+xml"), ("lie.png", "text/html; charset=utf-8"),
    ("quote\";.html", "application/xhtml+xml")])
def test_a_stored_page_is_served_as_an_attachment_that_runs_nothing(app, keys, filename, content_type):
    blob_id = store(app, keys["notify"], filename, PAGE, content_type)
    got = content(app, keys["notify"], blob_id)
    assert got.status_code == 200 and got.content == PAGE
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.count('"') == 2  # the name cannot break out of its quotes
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]


def test_admin_keys_read_owner_less_blobs_and_notify_keys_do_not(app, keys, runtime):
    digest = hashlib.sha256(PDF).hexdigest()
    with runtime.database.session() as session:  # stored by a broker producer: nobody's upload
        session.execute(insert(Blob).values(id=digest, content=PDF, size=len(PDF), content_type="application/pdf",
                                            filename="legacy.pdf"))
        session.execute(insert(BlobUpload).values(blob_id=digest, client_id=None, filename="legacy.pdf",
                                                  content_type="application/pdf"))
    got = content(app, keys["admin"], digest)
    assert got.status_code == 200 and got.content == PDF
    assert 'filename="legacy.pdf"' in got.headers["Content-Disposition"]
    assert content(app, keys["notify"], digest).status_code == 404
