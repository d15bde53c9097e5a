"""Published articles and drafts: a sync job pages through WeChat's lists (20 at a time, without the HTML) into
the local table, which the API lists page by page."""

from __future__ import annotations

from tests.sandbox_support import journal

ARTICLES = "/api/v1/wechat/articles"


def test_sync_reads_every_page_and_lists_page_by_page(api, worker, control):
    job = api.run("post", f"{ARTICLES}/sync")
    assert job["status"] == "succeeded" and job["kind"] == "wechat.articles.sync"
    assert job["result"] == {"published": {"total": 25, "deleted": 0}, "draft": {"total": 1, "deleted": 0}}
    pages = journal(control, "/cgi-bin/freepublish/batchget")
    assert [p["json"] for p in pages] == [{"offset": 0, "count": 20, "no_content": 1},
                                          {"offset": 20, "count": 20, "no_content": 1}]
    first = api.get(ARTICLES, params={"kind": "published", "limit": 10}).json
    assert first["total"] == 25 and len(first["items"]) == 10
    newest = first["items"][0]
    assert newest["articleId"] == "DemoArticle0000" and newest["title"] == "周报 第30期"
    assert "content" not in newest["articles"][0] and newest["articles"][0]["digest"]
    last = api.get(ARTICLES, params={"kind": "published", "limit": 10, "offset": 20}).json
    assert [item["articleId"] for item in last["items"]][-1] == "DemoArticle0024"
    [draft] = api.get(ARTICLES, params={"kind": "draft"}).json["items"]
    assert draft["mediaId"] == "DemoDraft0001" and len(draft["articles"]) == 2
    assert api.get(ARTICLES, params={"q": "第29期"}).json["total"] == 1
    assert api.run("post", f"{ARTICLES}/sync")["result"]["published"] == {"total": 25, "deleted": 0}
    assert api.get(ARTICLES).json["total"] == 26  # a second sync updates, never duplicates


def test_bad_queries_are_422_naming_the_field(api):
    for params, field in (({"kind": "all"}, "kind"), ({"limit": "0"}, "limit"), ({"offset": "-1"}, "offset"),
                          ({"colour": "x"}, "colour")):
        refused = api.get(ARTICLES, params=params)
        assert refused.status_code == 422 and refused.json["error"]["details"][0]["field"] == field


def test_the_migrations_mirror_the_models_of_this_issue(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base, Database

    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        database.dispose()
    tables = ("wechat_subscribe_templates", "wechat_mass_sends", "wechat_articles")
    assert [d for d in differences if any(table in str(d) for table in tables)] == []
