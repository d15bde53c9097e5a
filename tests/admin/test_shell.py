"""The admin's shell in the browser: login with an admin key, logout, a refused key back to login.

(How the files are served is tested without a browser in tests/foundation/test_admin_static.py.)
"""

from __future__ import annotations


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



def test_a_key_the_api_refuses_returns_to_login(page):
    page.evaluate("sessionStorage.setItem('imbridge.admin.apiKey', 'imb_000000000000_wrong')")
    page.click("#nav a[data-section=robots]")
    page.wait_for_selector("#login:not([hidden])")
    assert "Signed out: the API key is unknown or revoked" in page.inner_text("#login .form-error")
