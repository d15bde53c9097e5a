"""The admin page's files: served without a key, with their content types and a same-origin-only policy; nothing
outside the directory; not part of the API document."""

from __future__ import annotations

import falcon.testing
import pytest

from core.runtime import Runtime
from ingress import create_app
from ingress.admin import STATIC_DIR


@pytest.fixture
def client(make_settings, sqlite_url):
    runtime = Runtime.from_settings(make_settings(sqlite_url))
    yield falcon.testing.TestClient(create_app(runtime.settings, runtime))
    runtime.close()


@pytest.mark.parametrize(("path", "content_type"), [
    ("/admin", "text/html"), ("/admin/", "text/html"), ("/admin/app.js", "text/javascript"),
    ("/admin/style.css", "text/css"), ("/admin/sections/index.js", "text/javascript"),
])
def test_files_are_served_with_their_types_and_no_key(client, path, content_type):
    result = client.simulate_get(path)
    assert result.status_code == 200
    assert result.headers["content-type"].startswith(content_type)
    policy = result.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert result.headers["x-content-type-options"] == "nosniff"


def test_every_section_module_listed_exists():
    index = (STATIC_DIR / "sections" / "index.js").read_text()
    for line in index.splitlines():
        if line.startswith("import "):
            assert (STATIC_DIR / "sections" / line.split('"')[1]).is_file(), line


@pytest.mark.parametrize("path", [
    "/admin/../ingress/app.py", "/admin/%2e%2e/app.py", "/admin/sections/../../__init__.py", "/admin/..%2f..%2fapp.py",
    "/admin/nothing.js", "/admin//etc/passwd",
])
def test_nothing_outside_the_directory_and_no_guessing(client, path):
    assert client.simulate_get(path).status_code == 404


def test_the_page_is_not_an_api_route(client):
    paths = client.simulate_get("/openapi.json").json["paths"]
    assert not [p for p in paths if p.startswith("/admin")]
    assert paths["/api/v1/system/status"]["get"]["x-required-scope"] == "admin"
