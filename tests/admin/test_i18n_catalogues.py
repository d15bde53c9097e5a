"""The pages' catalogues: 简体中文 and English have the same keys and placeholders, and every key the pages use
exists (a missing one would show its key instead of a text). No browser needed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingress.admin import STATIC_DIR

DEMO_PAGE = Path(__file__).resolve().parents[2] / "ingress" / "login" / "demo_page.html"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def admin_catalogues() -> dict[str, dict[str, str]]:
    return {name: json.loads((STATIC_DIR / "i18n" / f"{name}.json").read_text(encoding="utf-8"))
            for name in ("en", "zh-CN")}


def demo_catalogues() -> dict[str, dict[str, str]]:
    html = DEMO_PAGE.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', html, re.S)
    assert block, "the demo page keeps its texts in one JSON catalogue"
    return json.loads(block.group(1))


@pytest.mark.parametrize("catalogues", [admin_catalogues, demo_catalogues], ids=["admin", "qr-login"])
def test_both_languages_have_the_same_keys_and_placeholders(catalogues):
    found = catalogues()
    english, chinese = found["en"], found["zh-CN"]
    assert sorted(english) == sorted(chinese), {"only en": sorted(set(english) - set(chinese)),
                                                "only zh-CN": sorted(set(chinese) - set(english))}
    for key, text in english.items():
        assert bool(text.strip()) == bool(chinese[key].strip()), f"{key} is empty in one language only"
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(chinese[key])), key


def test_every_key_the_admin_page_uses_is_in_the_catalogue():
    keys = set(admin_catalogues()["en"])
    used: set[str] = set()
    for path in STATIC_DIR.rglob("*.js"):
        used |= set(re.findall(r'\bt(?:r)?\("([\w.]+)"', path.read_text(encoding="utf-8")))
    index = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    used |= set(re.findall(r'data-i18n(?:-[\w-]+)?="([\w.]+)"', index))
    assert used, "the pages name their texts by key"
    assert used <= keys, f"keys used but not in the catalogue: {sorted(used - keys)}"
    # Keys built from values (`status.${status}`, `channel.${channel}`...) exist for every value shown.
    channels = ["dingtalk_robot", "wecom_robot", "dingtalk_work", "wecom_app", "wechat_template", "wechat_custom",
                "wechat_subscribe", "applet_subscribe"]
    for prefix, values in {"channel": channels,
                           "status": ["queued", "sending", "retrying", "sent", "failed", "dead", "succeeded",
                                      "enabled", "disabled", "pending", "delivered"],
                           "media.kind": ["image", "voice", "video", "thumb"],
                           "menus.change": ["added", "removed", "changed"]}.items():
        assert {f"{prefix}.{value}" for value in values} <= keys, prefix


def test_every_key_the_qr_page_uses_is_in_its_catalogue():
    html = DEMO_PAGE.read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("(\w+)"', html)) | set(re.findall(r'data-i18n(?:-alt)?="(\w+)"', html))
    assert used and used <= set(demo_catalogues()["en"]), sorted(used - set(demo_catalogues()["en"]))
