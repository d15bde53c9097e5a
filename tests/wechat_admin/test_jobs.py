"""Jobs: the same retry and token rules as notifications, the lists, manual retries, the sweep, and admin scope
on every route."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from models.base import utcnow
from models.jobs import Job
from scheduler.jobs.admin_jobs import stranded_jobs, sweep_jobs
from tests.sandbox_support import journal

SYNC = "/api/v1/wechat/templates/sync"


def fault(control, pattern: str, **rule) -> None:
    control.post("/faults", json={"pattern": pattern, **rule}).raise_for_status()


def test_a_busy_platform_is_retried_with_backoff_until_it_answers(api, worker, control):
    fault(control, "/wechat/cgi-bin/template/get_all_private_template", kind="errcode", errcode=-1, times=2)
    job = api.run("post", SYNC)
    assert job["status"] == "succeeded" and job["attempts"] == 3 and job["error"] is None
    assert len(journal(control, "get_all_private_template")) == 3


@pytest.mark.parametrize("rule", [{"kind": "http", "status": 503}, {"kind": "errcode", "errcode": 45011}],
                         ids=["http-503", "45011"])
def test_transport_failures_and_throttling_are_retried(rule, api, worker, control):
    fault(control, "/wechat/cgi-bin/menu/delete", times=1, **rule)
    job = api.run("post", "/api/v1/wechat/menus/clear")
    assert job["status"] == "succeeded" and job["attempts"] == 2


def test_a_rejected_token_is_refreshed_once_within_the_run(api, worker, control):
    api.run("post", SYNC)
    control.delete("/tokens", params={"platform": "wechat"}).raise_for_status()
    job = api.run("post", SYNC)
    assert job["status"] == "succeeded" and job["attempts"] == 1
    listings = journal(control, "get_all_private_template")
    assert [e["response"].get("errcode") for e in listings] == [None, 40001, None]
    assert len(journal(control, "stable_token")) == 2


def test_a_permanent_error_fails_at_once_with_the_errcode(api, worker, control):
    fault(control, "/wechat/cgi-bin/template/get_all_private_template", kind="errcode", errcode=48001,
          errmsg="api unauthorized")
    job = api.run("post", SYNC)
    assert job["status"] == "failed" and job["attempts"] == 1 and job["errcode"] == 48001
    assert "api unauthorized" in job["error"] and job["finishedAt"]


@pytest.fixture
def job_settings():
    return {"backoff_base_seconds": 0.05, "backoff_max_seconds": 0.1, "max_attempts": 3, "sweep_grace_seconds": 1.0}


def test_the_retry_budget_ends_in_failed_and_a_manual_retry_starts_afresh(api, worker, control):
    fault(control, "/wechat/cgi-bin/template/get_all_private_template", kind="errcode", errcode=-1, times=3)
    job = api.run("post", SYNC)
    assert job["status"] == "failed" and job["attempts"] == 3 and job["errcode"] == -1
    assert job["error"].startswith("gave up after 3 failed attempts; last: wechat errcode -1")
    assert api.post(f"/api/v1/jobs/{job['id']}/retry").status_code == 202
    again = api.job(job["id"])
    assert again["status"] == "succeeded" and again["attempts"] == 1
    assert again["result"]["inserted"] == 3
    assert api.post(f"/api/v1/jobs/{job['id']}/retry").status_code == 409


def test_jobs_are_listed_newest_first_and_filtered(api, worker):
    ids = [api.run("post", SYNC)["id"], api.run("post", "/api/v1/wechat/menus/clear")["id"],
           api.run("post", SYNC)["id"]]
    listed = api.get("/api/v1/jobs", params={"limit": 2}).json
    assert listed["total"] == 3 and [j["id"] for j in listed["items"]] == [ids[2], ids[1]]
    assert api.get("/api/v1/jobs", params={"limit": 2, "page": 2}).json["items"][0]["id"] == ids[0]
    syncs = api.get("/api/v1/jobs", params={"kind": "wechat.templates.sync", "status": "succeeded"}).json
    assert {j["id"] for j in syncs["items"]} == {ids[0], ids[2]}
    bad = api.get("/api/v1/jobs", params={"status": "done", "limit": 0})
    assert bad.status_code == 422 and {d["field"] for d in bad.json["error"]["details"]} == {"status", "limit"}
    assert api.get("/api/v1/jobs/no-such-job").status_code == 404


def test_a_job_accepted_while_the_broker_is_down_is_enqueued_by_the_sweep(runtime, tasks, api, monkeypatch,
                                                                          request):
    from core.tasks import Tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(Tasks, "run_job", down)
    accepted = api.post(SYNC)
    assert accepted.status_code == 202
    assert api.get(f"/api/v1/jobs/{accepted.json['jobId']}").json["enqueuedAt"] is None
    monkeypatch.undo()
    assert stranded_jobs(runtime) == [accepted.json["jobId"]]
    assert sweep_jobs(runtime, tasks) == 1 and stranded_jobs(runtime) == []
    request.getfixturevalue("worker")
    assert api.job(accepted.json["jobId"])["status"] == "succeeded"


def test_a_job_whose_worker_died_is_run_again_after_its_lease(runtime, tasks, api, request):
    accepted = api.post(SYNC)
    with runtime.database.session() as session:  # a worker claimed it, then died
        session.execute(update(Job).values(status="running", lease_until=utcnow() - timedelta(seconds=1),
                                           attempts=1))
    assert stranded_jobs(runtime) == [accepted.json["jobId"]]
    request.getfixturevalue("worker")
    sweep_jobs(runtime, tasks)
    job = api.job(accepted.json["jobId"])
    assert job["status"] == "succeeded" and job["attempts"] == 2


def test_a_finished_job_is_not_run_twice(runtime, api, actor_context, worker, control):
    job = api.run("post", SYNC)
    assert actor_context.jobs.run(job["id"]).outcome == "skipped"
    assert len(journal(control, "get_all_private_template")) == 1


ROUTES = [
    ("get", "/api/v1/jobs"), ("get", "/api/v1/jobs/x"), ("post", "/api/v1/jobs/x/retry"),
    ("get", "/api/v1/wechat/templates"), ("post", "/api/v1/wechat/templates/sync"),
    ("get", "/api/v1/wechat/templates/1"), ("patch", "/api/v1/wechat/templates/1"),
    ("post", "/api/v1/wechat/template-messages"),
    ("get", "/api/v1/wechat/menus"), ("post", "/api/v1/wechat/menus"), ("get", "/api/v1/wechat/menus/published"),
    ("post", "/api/v1/wechat/menus/import"), ("post", "/api/v1/wechat/menus/clear"),
    ("get", "/api/v1/wechat/menus/1"), ("put", "/api/v1/wechat/menus/1"), ("patch", "/api/v1/wechat/menus/1"),
    ("delete", "/api/v1/wechat/menus/1"), ("post", "/api/v1/wechat/menus/1/publish"),
    ("get", "/api/v1/wechat/menus/1/diff"),
    ("get", "/api/v1/wechat/media"), ("post", "/api/v1/wechat/media"), ("get", "/api/v1/wechat/media/counts"),
    ("post", "/api/v1/wechat/media/sync"), ("get", "/api/v1/wechat/media/1"), ("delete", "/api/v1/wechat/media/1"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_needs_an_admin_key(method, path, app, notify_api, runtime):
    result = getattr(notify_api.client, f"simulate_{method}")(path, headers=notify_api.headers, json={})
    assert result.status_code == 403 and result.json["error"]["code"] == "forbidden"
    assert getattr(app, f"simulate_{method}")(path).status_code == 401


def test_every_route_is_in_the_openapi_document(app):
    paths = app.simulate_get("/openapi.json").json["paths"]
    for method, path in ROUTES:
        template = path.replace("/x", "/{job_id}").replace("templates/1", "templates/{template_id}") \
            .replace("menus/1", "menus/{menu_id}").replace("media/1", "media/{record_id}")
        assert method in paths[template], (method, template)
        assert paths[template][method]["security"] == [{"bearer": []}]


def test_the_scheduler_sweeps_jobs_and_syncs_templates_on_its_interval(runtime):
    from config.settings import WeChatAdminSettings
    from core.runtime import Runtime
    from scheduler.process import SchedulerProcess

    jobs = {job.id: job for job in SchedulerProcess(runtime).build().get_jobs()}
    assert jobs["wechat-template-sync"].trigger.interval.total_seconds() == 3600
    assert jobs["wechat-subscribe-template-sync"].trigger.interval.total_seconds() == 3600
    assert jobs["jobs-sweep"].trigger.interval.total_seconds() == runtime.settings.jobs.sweep_seconds
    settings = runtime.settings.model_copy(update={"wechat_admin": WeChatAdminSettings(template_sync_seconds=None)})
    on_demand = SchedulerProcess(Runtime(settings, runtime.redis, runtime.database)).build().get_jobs()
    assert {"wechat-template-sync", "wechat-subscribe-template-sync"}.isdisjoint(job.id for job in on_demand)
