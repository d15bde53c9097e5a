"""Materials can be viewed and downloaded: ``get_material`` through a job, an image/voice kept as a blob served by
``GET /api/v1/blobs/{id}/content`` to admin keys (an image inline for the list's thumbnail, a voice as an
attachment), a video's link and news articles in the job's result."""

from __future__ import annotations

import pytest

from tests.sandbox_support import journal
from tests.wechat_admin.test_media import MEDIA, MP3, MP4, PNG

CONTENT = "/api/v1/blobs/{}/content"


def upload(api, kind: str, filename: str, content: bytes, content_type: str, **fields: str) -> dict:
    accepted = api.upload({"media": (filename, content, content_type)}, {"type": kind, **fields})
    assert accepted.status_code == 202, accepted.text
    assert api.job(accepted.json["jobId"])["status"] == "succeeded"
    return api.get(f"{MEDIA}/{accepted.json['media']['id']}").json


def fetch(api, record_id: int) -> dict:
    accepted = api.post(f"{MEDIA}/{record_id}/fetch")
    assert accepted.status_code == 202, accepted.text
    job = api.job(accepted.json["jobId"])
    assert job["status"] == "succeeded" and job["kind"] == "wechat.media.fetch", job
    return job["result"]


@pytest.mark.parametrize(("kind", "filename", "content", "content_type", "disposition"), [
    ("image", "banner.png", PNG, "image/png", "inline"),
    ("voice", "hello.mp3", MP3, "audio/mpeg", "attachment")])
def test_a_file_material_is_fetched_and_served_to_admin_keys(api, worker, control, app, keys, kind, filename,
                                                             content, content_type, disposition):
    record = upload(api, kind, filename, content, content_type)
    result = fetch(api, record["id"])
    [call] = journal(control, "material/get_material")
    assert call["json"] == {"media_id": record["mediaId"]}
    assert result["contentType"] == content_type and result["size"] == len(content)
    served = app.simulate_get(result["contentUrl"], headers={"Authorization": f"Bearer {keys['admin']}"})
    assert served.status_code == 200 and served.content == content
    assert served.headers["Content-Type"] == content_type
    assert served.headers["Content-Disposition"].startswith(disposition)
    assert api.get(f"{MEDIA}/{record['id']}").json["blobId"] == result["blobId"]
    # A notify key cannot read the account's material, whatever id it learns.
    other = app.simulate_get(result["contentUrl"], headers={"Authorization": f"Bearer {keys['notify']}"})
    assert other.status_code == 404


def test_an_uploaded_image_has_a_thumbnail_at_once(api, worker, app, keys):
    record = upload(api, "image", "banner.png", PNG, "image/png")
    served = app.simulate_get(CONTENT.format(record["blobId"]), headers={"Authorization": f"Bearer {keys['admin']}"})
    assert served.status_code == 200 and served.content == PNG


def test_a_video_material_answers_its_link(api, worker, control):
    record = upload(api, "video", "intro.mp4", MP4, "video/mp4", title="公司介绍", introduction="三分钟")
    result = fetch(api, record["id"])
    assert result["material"]["title"] == "公司介绍" and result["material"]["description"] == "三分钟"
    assert result["material"]["down_url"].startswith("http")
    assert "blobId" not in result


def test_news_material_is_fetched_by_its_platform_id(api, worker, control):
    articles = [{"title": "第一篇", "content": "<p>正文</p>", "url": "http://mp.weixin.qq.com/s/1"}]
    media_id = control.post("/wechat/news-material", json={"news_item": articles}).json()["media_id"]
    job = api.run("post", f"{MEDIA}/fetch", {"mediaId": media_id})
    assert job["status"] == "succeeded", job
    assert job["result"]["material"] == {"news_item": articles} and job["result"]["mediaId"] == media_id


def test_fetch_refusals(api, worker, control, runtime):
    temporary = upload(api, "image", "today.png", PNG, "image/png", permanent="false")
    refused = api.post(f"{MEDIA}/{temporary['id']}/fetch")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    assert api.post(f"{MEDIA}/999999/fetch").status_code == 404
    for bad in ({}, {"mediaId": ""}, {"mediaId": "../x"}, {"mediaId": "a", "extra": 1}):
        answer = api.post(f"{MEDIA}/fetch", bad)
        assert answer.status_code == 422, bad
    unknown = api.run("post", f"{MEDIA}/fetch", {"mediaId": "no-such-material"})
    assert unknown["status"] == "failed" and unknown["errcode"] == 40007
