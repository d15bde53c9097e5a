"""Media: multipart uploads of every kind checked before anything is queued, the bytes kept for retries, list,
counts, delete and sync, with the journal showing exactly what reached the platform."""

from __future__ import annotations

import hashlib
import json

import falcon.testing
import httpx
import pytest

from core.runtime import Runtime
from ingress import create_app
from tests.sandbox_support import journal
from tests.wechat_admin.conftest import Api, job_count, queued_messages

MEDIA = "/api/v1/wechat/media"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
MP3 = b"ID3\x03\x00" + bytes(64)
AMR = b"#!AMR\n" + bytes(64)
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
MB = 1024 * 1024


def md5(content: bytes) -> str:
    return hashlib.md5(content).hexdigest()


UPLOADS = [
    # (permanent, type, filename, content, form fields)
    (True, "image", "banner.png", PNG, {}),
    (True, "voice", "hello.mp3", MP3, {}),
    (True, "video", "intro.mp4", MP4, {"title": "公司介绍", "introduction": "三分钟了解我们"}),
    (True, "thumb", "cover.jpg", JPEG, {}),
    (False, "image", "today.jpg", JPEG, {}),
    (False, "voice", "note.amr", AMR, {}),
    (False, "video", "clip.mp4", MP4, {}),
    (False, "thumb", "small.jpg", JPEG, {}),
]


@pytest.mark.parametrize(("permanent", "kind", "filename", "content", "fields"), UPLOADS,
                         ids=[f"{'permanent' if u[0] else 'temporary'}-{u[1]}" for u in UPLOADS])
def test_each_kind_is_uploaded_from_the_kept_bytes(permanent, kind, filename, content, fields, api, worker, control):
    accepted = api.upload({"media": (filename, content, "application/octet-stream")},
                          {"type": kind, "permanent": str(permanent).lower(), **fields})
    assert accepted.status_code == 202, accepted.text
    record = accepted.json["media"]
    assert record["status"] == "uploading" and record["size"] == len(content) and record["blobId"]
    job = api.job(accepted.json["jobId"])
    assert job["status"] == "succeeded" and job["kind"] == "wechat.media.upload", job
    path = "material/add_material" if permanent else "media/upload"
    [upload] = journal(control, path)
    assert upload["method"] == "POST" and upload["query"]["type"] == kind
    assert upload["files"] == {"media": {"filename": filename, "size": len(content), "md5": md5(content),
                                         "content_type": upload["files"]["media"]["content_type"]}}
    if permanent and kind == "video":
        assert json.loads(upload["form"]["description"]) == {"title": "公司介绍", "introduction": "三分钟了解我们"}
    else:
        assert upload["form"] == {}
    answer = upload["response"]
    stored = api.get(f"{MEDIA}/{record['id']}").json
    assert stored["status"] == "ready" and stored["permanent"] is permanent
    assert stored["mediaId"] == (answer.get("media_id") or answer.get("thumb_media_id"))
    assert stored["url"] == answer.get("url")
    assert (stored["url"] is not None) == (permanent and kind == "image")
    assert (stored["expiresAt"] is not None) == (not permanent)
    assert job["result"]["mediaId"] == stored["mediaId"]


def test_list_counts_and_delete(api, worker, control):
    ids = {}
    for permanent, kind, filename, content, fields in UPLOADS:
        accepted = api.upload({"media": (filename, content, "x/y")},
                              {"type": kind, "permanent": str(permanent).lower(), **fields})
        api.job(accepted.json["jobId"])
        ids[(permanent, kind)] = accepted.json["media"]["id"]
    listed = api.get(MEDIA, params={"permanent": "true", "limit": 2})
    assert listed.json["total"] == 4 and len(listed.json["items"]) == 2
    assert api.get(MEDIA, params={"type": "voice"}).json["total"] == 2
    counts = api.get(f"{MEDIA}/counts").json
    assert counts["local"] == {"permanent": {"image": 1, "voice": 1, "video": 1, "thumb": 1},
                               "temporary": {"image": 1, "voice": 1, "video": 1, "thumb": 1}}
    image = api.get(f"{MEDIA}/{ids[(True, 'image')]}").json
    deleted = api.delete(f"{MEDIA}/{image['id']}")
    assert deleted.status_code == 202
    assert api.get(f"{MEDIA}/{image['id']}").json["status"] == "deleting"
    job = api.job(deleted.json["jobId"])
    assert job["status"] == "succeeded" and job["result"] == {"id": image["id"], "mediaId": image["mediaId"],
                                                              "alreadyGone": False}
    [delete] = journal(control, "material/del_material")
    assert delete["json"] == {"media_id": image["mediaId"]} and delete["response"]["errcode"] == 0
    assert api.get(f"{MEDIA}/{image['id']}").status_code == 404
    # Temporary media cannot be deleted on the platform (they expire): the record goes at once.
    assert api.delete(f"{MEDIA}/{ids[(False, 'image')]}").status_code == 204
    assert len(journal(control, "del_material")) == 1
    assert api.get(MEDIA).json["total"] == 6


def test_deleting_material_the_platform_no_longer_has_succeeds(api, worker, control):
    accepted = api.upload({"media": ("a.png", PNG, "image/png")}, {"type": "image"})
    record = api.get(f"{MEDIA}/{api.job(accepted.json['jobId'])['result']['id']}").json
    token = journal(control, "stable_token")[0]["response"]["access_token"]
    base = str(control.base_url).removesuffix("/_sandbox/")
    httpx.post(f"{base}/wechat/cgi-bin/material/del_material", params={"access_token": token},
               json={"media_id": record["mediaId"]}).raise_for_status()
    job = api.run("delete", f"{MEDIA}/{record['id']}")
    assert job["status"] == "succeeded" and job["result"]["alreadyGone"] is True
    assert api.get(f"{MEDIA}/{record['id']}").status_code == 404


def test_sync_inserts_updates_and_deletes_permanent_material(api, worker, control):
    token_holder = api.upload({"media": ("mine.png", PNG, "image/png")}, {"type": "image"})
    mine = api.job(token_holder.json["jobId"])["result"]
    token = journal(control, "stable_token")[0]["response"]["access_token"]
    base = str(control.base_url).removesuffix("/_sandbox/")

    def add(kind: str, filename: str, content: bytes, form: dict | None = None) -> str:
        answer = httpx.post(f"{base}/wechat/cgi-bin/material/add_material",
                            params={"access_token": token, "type": kind},
                            files={"media": (filename, content)}, data=form).json()
        return answer["media_id"]

    # Added in the platform's console: 23 images (two pages), a voice and a video.
    images = [add("image", f"console{i}.jpg", JPEG) for i in range(23)]
    voice = add("voice", "v.mp3", MP3)
    add("video", "v.mp4", MP4, {"description": json.dumps({"title": "t", "introduction": "i"})})
    job = api.run("post", f"{MEDIA}/sync")
    assert job["status"] == "succeeded"
    # Our own upload is "updated": the platform's update_time is learnt from the list.
    assert job["result"] == {"inserted": 25, "updated": 1, "deleted": 0, "unchanged": 0,
                             "remoteCounts": {"voice_count": 1, "video_count": 1, "image_count": 24,
                                              "news_count": 0}}
    pages = [(e["json"]["type"], e["json"]["offset"], e["json"]["count"]) for e in journal(control, "batchget")]
    assert pages == [("image", 0, 20), ("image", 20, 20), ("voice", 0, 20), ("video", 0, 20)]
    assert api.get(MEDIA, params={"type": "image"}).json["total"] == 24
    assert api.get(f"{MEDIA}/{mine['id']}").json["name"] == "mine.png"
    # Two deleted in the console: the next sync deletes their records.
    for media_id in (images[0], voice):
        httpx.post(f"{base}/wechat/cgi-bin/material/del_material", params={"access_token": token},
                   json={"media_id": media_id}).raise_for_status()
    again = api.run("post", f"{MEDIA}/sync")
    assert {k: again["result"][k] for k in ("inserted", "updated", "deleted", "unchanged")} == {
        "inserted": 0, "updated": 0, "deleted": 2, "unchanged": 24}
    assert api.get(MEDIA, params={"type": "voice"}).json["total"] == 0
    counts = api.get(f"{MEDIA}/counts").json
    assert counts["remote"]["image_count"] == 23 and counts["remoteSyncJobId"] == again["id"]
    assert counts["local"]["permanent"]["image"] == 23


def refused_upload(api, runtime, files, data) -> list[dict]:
    jobs, queued, total = job_count(runtime), queued_messages(runtime), api.get(MEDIA).json["total"]
    refused = api.upload(files, data)
    assert refused.status_code == 422, refused.text
    assert (job_count(runtime), api.get(MEDIA).json["total"]) == (jobs, total) and queued_messages(runtime) <= queued
    return refused.json["error"]["details"]


def test_a_30_mb_image_is_422_with_its_size_and_nothing_is_queued(runtime, api):
    details = refused_upload(api, runtime, {"media": ("huge.png", b"\x89PNG" + bytes(30 * MB), "image/png")},
                             {"type": "image"})
    assert [d["field"] for d in details] == ["media.size"]
    assert f"{30 * MB + 4} bytes" in details[0]["message"] and "10 MB" in details[0]["message"]


def test_a_wrong_file_type_is_422(runtime, api):
    details = refused_upload(api, runtime, {"media": ("notes.txt", b"hello", "text/plain")}, {"type": "image"})
    assert [d["field"] for d in details] == ["media.filename"]
    assert "bmp/gif/jpeg/jpg/png" in details[0]["message"]
    wma = refused_upload(api, runtime, {"media": ("a.wma", MP3, "audio/x-ms-wma")},
                         {"type": "voice", "permanent": "false"})
    assert [d["field"] for d in wma] == ["media.filename"] and "amr/mp3" in wma[0]["message"]


def test_every_problem_of_an_upload_is_listed(runtime, api):
    details = refused_upload(api, runtime, {"media": ("big.png", bytes(65 * 1024), "image/png"),
                                            "other": ("x.jpg", JPEG, "image/jpeg")},
                             {"type": "thumb", "permanent": "maybe", "title": "t", "colour": "red"})
    assert {(d["field"], d["type"]) for d in details} == {
        ("colour", "value_error"), ("other", "value_error"), ("permanent", "value_error"),
        ("media.filename", "value_error"), ("media.size", "value_error"), ("title", "value_error")}
    video = refused_upload(api, runtime, {"media": ("v.mp4", MP4, "video/mp4")}, {"type": "video"})
    assert {d["field"] for d in video} == {"title", "introduction"}
    nothing = refused_upload(api, runtime, {"other": ("v.mp4", MP4, "video/mp4")}, {"type": "gif"})
    assert {d["field"] for d in nothing} == {"other", "media", "type"}


def test_uploads_must_be_multipart_with_a_length(api):
    assert api.post(MEDIA, {"type": "image"}).status_code == 415
    broken = api.client.simulate_post(MEDIA, body=b"--x\r\nnonsense", headers={
        **api.headers, "Content-Type": "multipart/form-data; boundary=x"})
    assert broken.status_code == 400 and broken.json["error"]["code"] == "invalid_multipart"


def test_media_routes_take_larger_bodies_than_the_rest(runtime, api, worker):
    image = b"\x89PNG" + bytes(3 * MB)
    accepted = api.upload({"media": ("big.png", image, "image/png")}, {"type": "image"})
    assert accepted.status_code == 202, accepted.text
    assert api.job(accepted.json["jobId"])["status"] == "succeeded"
    too_big = api.client.simulate_post("/api/v1/wechat/menus", body="x" * (MB + 1),
                                       headers={**api.headers, "Content-Type": "application/json"})
    assert too_big.status_code == 413
    settings = runtime.settings.model_copy(update={"ingress": runtime.settings.ingress.model_copy(
        update={"media_max_body_bytes": 2 * MB})})
    limited = Runtime(settings, runtime.redis, runtime.database)
    small = Api(falcon.testing.TestClient(create_app(settings, limited)), api.headers["Authorization"][7:])
    over = small.upload({"media": ("big.png", image, "image/png")}, {"type": "image"})
    assert over.status_code == 413 and over.json["error"]["code"] == "payload_too_large"


def test_a_failed_upload_is_retried_from_the_kept_bytes(api, worker, control):
    control.post("/faults", json={"pattern": "/wechat/cgi-bin/material/add_material", "kind": "errcode",
                                  "errcode": 40007, "errmsg": "invalid media type", "times": 1}).raise_for_status()
    accepted = api.upload({"media": ("a.png", PNG, "image/png")}, {"type": "image"})
    failed = api.job(accepted.json["jobId"])
    assert failed["status"] == "failed" and failed["errcode"] == 40007
    record = api.get(f"{MEDIA}/{accepted.json['media']['id']}").json
    assert record["status"] == "failed" and record["errcode"] == 40007
    assert api.delete(f"{MEDIA}/{record['id']}").status_code != 409  # a failed upload is not busy
    accepted = api.upload({"media": ("a.png", PNG, "image/png")}, {"type": "image"})
    control.post("/faults", json={"pattern": "/wechat/cgi-bin/material/add_material", "kind": "errcode",
                                  "errcode": 40007, "times": 1}).raise_for_status()
    assert api.job(accepted.json["jobId"])["status"] == "failed"
    retried = api.post(f"/api/v1/jobs/{accepted.json['jobId']}/retry")
    assert retried.status_code == 202
    assert api.job(accepted.json["jobId"])["status"] == "succeeded"
    assert api.get(f"{MEDIA}/{accepted.json['media']['id']}").json["status"] == "ready"
    uploads = journal(control, "add_material")
    assert [u["files"]["media"]["md5"] for u in uploads] == [md5(PNG)] * 3
