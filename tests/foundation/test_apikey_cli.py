"""``imbridge apikey``: one live key per name, a listing that never shows a key, and the version."""

from __future__ import annotations

import falcon.testing
import pytest

from imbridge.cli import main
from ingress import create_app
from models import Database, Scope
from models.api_clients import create_api_client


@pytest.fixture
def config(tmp_path, sqlite_url, redis_url):
    path = tmp_path / "imbridge.yaml"
    path.write_text(f"database:\n  url: {sqlite_url}\nredis:\n  url: {redis_url}\n")
    return str(path)


def test_a_second_live_key_of_the_same_name_is_refused_so_revoke_cannot_take_both(config, capsys):
    assert main(["--config", config, "apikey", "create", "--name", "billing", "--scope", "notify"]) == 0
    first_key = capsys.readouterr().out.splitlines()[-1]
    assert main(["--config", config, "apikey", "create", "--name", "billing", "--scope", "admin"]) == 1
    assert "already named 'billing'" in capsys.readouterr().err
    assert main(["--config", config, "apikey", "revoke", "billing"]) == 0
    assert "revoked 1 key(s)" in capsys.readouterr().out
    # once revoked, the name is free again
    assert main(["--config", config, "apikey", "create", "--name", "billing", "--scope", "notify"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] != first_key


def test_list_shows_every_key_with_its_state_and_never_the_key(config, capsys):
    main(["--config", config, "apikey", "create", "--name", "crm", "--scope", "notify"])
    key = capsys.readouterr().out.splitlines()[-1]
    main(["--config", config, "apikey", "create", "--name", "ops", "--scope", "admin"])
    main(["--config", config, "apikey", "revoke", "ops"])
    capsys.readouterr()
    assert main(["--config", config, "apikey", "list"]) == 0
    listing = capsys.readouterr().out
    rows = {line.split()[1]: line.split() for line in listing.splitlines()[1:]}
    assert (rows["crm"][2], rows["crm"][-1]) == ("notify", "live")
    assert (rows["ops"][2], rows["ops"][-1]) == ("admin", "revoked")
    assert key not in listing and key.split("_", 2)[2] not in listing


def test_the_api_refuses_a_duplicate_name_with_409_naming_the_field(make_settings, sqlite_url):
    settings = make_settings(sqlite_url)
    database = Database(sqlite_url)
    with database.session() as session:
        _, admin = create_api_client(session, "operator", Scope.ADMIN)
    client = falcon.testing.TestClient(create_app(settings))
    headers = {"Authorization": f"Bearer {admin}"}
    taken = client.simulate_post("/api/v1/apikeys", json={"name": "operator", "scope": "notify"}, headers=headers)
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "name_taken"
    assert taken.json["error"]["details"] == [{"field": "name"}]
    assert len(client.simulate_get("/api/v1/apikeys", headers=headers).json["items"]) == 1


def test_version_is_printed(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("imbridge ")
