"""The admin's shell: served without a key, safe headers, login with an admin key, logout, 401 back to login."""

from __future__ import annotations

import httpx


def test_static_files_are_served_with_their_types_and_no_key(imbridge):
    for path, content_type in [("/admin", "text/html"), ("/admin/", "text/html"), ("/admin/app.js", "text/javascript"),
                               ("/admin/style.css", "text/css"), ("/admin/sections/index.js", "text/javascript")]:
        answer = httpx.get(f"{imbridge.url}{path}")
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(content_type), path
        assert "default-src 'self'" in answer.headers["content-security-policy"]
    for path in ["/admin/../ingress/app.py", "/admin/%2e%2e/app.py", "/admin/sections/../../__init__.py",
                 "/admin/nothing.js"]:
        assert httpx.get(f"{imbridge.url}{path}").status_code == 404, path


def test_login_with_the_admin_key_and_logout(anonymous_page, imbridge, screenshot):
    page = anonymous_page
    page.wait_for_selector("#login:not([hidden])")
    screenshot("login")
    page.fill("#login-key", "imb_000000000000_wrong")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login .field.invalid")
    assert "unknown or revoked" in page.inner_text("#login .field-error")
    page.fill("#login-key", imbridge.api_key)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#nav a.active")
    assert page.is_hidden("#login")
    assert [a for a in page.locator("#nav a").all_inner_texts()][:2] == ["Notifications", "Robots"]
    page.click("#logout")
    page.wait_for_selector("#login:not([hidden])")
    assert page.evaluate("sessionStorage.length") == 0

