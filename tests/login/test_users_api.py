"""``/api/v1/users``: create, list, get, update users; bind and unbind their WeChat accounts."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import Base, Database
from tests.login.conftest import OPENID


def test_the_users_migration_mirrors_the_models(database_url):
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        database.dispose()
    mine = [d for d in differences if "users" in str(d) or "third_party_bindings" in str(d)]
    assert mine == []


def test_create_list_get_and_update_users(client, admin):
    created = client.simulate_post("/api/v1/users", headers=admin, json={"username": "ann", "displayName": "Ann"})
    assert created.status_code == 201
    user = created.json
    assert user["username"] == "ann" and user["displayName"] == "Ann" and user["enabled"] is True
    assert user["bindings"] == []
    client.simulate_post("/api/v1/users", headers=admin, json={"username": "bert"})

    listed = client.simulate_get("/api/v1/users", headers=admin).json
    assert [u["username"] for u in listed["items"]] == ["ann", "bert"] and listed["total"] == 2
    found = client.simulate_get("/api/v1/users", headers=admin, params={"q": "AN"}).json
    assert [u["username"] for u in found["items"]] == ["ann"]

    changed = client.simulate_patch(f"/api/v1/users/{user['id']}", headers=admin,
                                    json={"displayName": "Ann B.", "enabled": False})
    assert changed.status_code == 200 and changed.json["displayName"] == "Ann B." and not changed.json["enabled"]
    assert client.simulate_get(f"/api/v1/users/{user['id']}", headers=admin).json["displayName"] == "Ann B."


def test_bad_user_input_is_a_clear_4xx_that_changes_nothing(client, admin):
    client.simulate_post("/api/v1/users", headers=admin, json={"username": "ann"})
    taken = client.simulate_post("/api/v1/users", headers=admin, json={"username": "ann"})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "username_taken"
    for body in ({}, {"username": ""}, {"username": "has space"}, {"username": "x", "extra": 1}):
        assert client.simulate_post("/api/v1/users", headers=admin, json=body).status_code == 422, body
    assert client.simulate_get("/api/v1/users/999", headers=admin).status_code == 404
    other = client.simulate_post("/api/v1/users", headers=admin, json={"username": "bo"}).json
    renamed = client.simulate_patch(f"/api/v1/users/{other['id']}", headers=admin, json={"username": "ann"})
    assert renamed.status_code == 409
    nulled = client.simulate_patch(f"/api/v1/users/{other['id']}", headers=admin, json={"enabled": None})
    assert nulled.status_code == 422
    assert client.simulate_get("/api/v1/users", headers=admin).json["total"] == 2
    assert client.simulate_get("/api/v1/users").status_code == 401


def test_bind_and_unbind(client, admin):
    ann = client.simulate_post("/api/v1/users", headers=admin, json={"username": "ann"}).json
    bob = client.simulate_post("/api/v1/users", headers=admin, json={"username": "bob"}).json
    path = f"/api/v1/users/{ann['id']}/bindings"
    bound = client.simulate_post(path, headers=admin, json={"platform": "wechat", "openid": OPENID})
    assert bound.status_code == 201
    assert bound.json == {"id": bound.json["id"], "userId": ann["id"], "platform": "wechat", "openid": OPENID,
                          "unionid": None, "account": "default"}
    again = client.simulate_post(path, headers=admin, json={"platform": "wechat", "openid": OPENID, "unionid": "u1"})
    assert again.status_code == 200 and again.json["unionid"] == "u1"  # idempotent, fills the unionid
    elsewhere = client.simulate_post(f"/api/v1/users/{bob['id']}/bindings", headers=admin,
                                     json={"platform": "wechat", "openid": OPENID})
    assert elsewhere.status_code == 409 and elsewhere.json["error"]["details"] == {"userId": ann["id"]}
    # The same openid string on the other platform is another account.
    applet = client.simulate_post(f"/api/v1/users/{bob['id']}/bindings", headers=admin,
                                  json={"platform": "wechat_applet", "openid": OPENID})
    assert applet.status_code == 201
    assert client.simulate_post(path, headers=admin, json={"platform": "qq", "openid": "x"}).status_code == 422

    listed = client.simulate_get(path, headers=admin).json["items"]
    assert [b["openid"] for b in listed] == [OPENID]
    assert client.simulate_delete(f"{path}/{applet.json['id']}", headers=admin).status_code == 404  # bob's
    assert client.simulate_delete(f"{path}/{bound.json['id']}", headers=admin).status_code == 204
    assert client.simulate_get(path, headers=admin).json["items"] == []
    rebound = client.simulate_post(f"/api/v1/users/{bob['id']}/bindings", headers=admin,
                                   json={"platform": "wechat", "openid": OPENID})
    assert rebound.status_code == 201


def test_the_openapi_document_lists_the_login_paths(client):
    paths = client.simulate_get("/openapi.json").json["paths"]
    for path in ("/token/wechat/qr/applyQrCode", "/token/wechat/qr/getStatus", "/token/login", "/token/logout",
                 "/user/third/bind", "/api/v1/users", "/api/v1/users/{user_id}/bindings/{binding_id}"):
        assert path in paths, path
    assert paths["/token/login"]["post"]["security"] == []
