"""``get_current_selfmenu_info`` answers in the ``menu/get`` shape: API buttons as they are, console buttons
with an API equivalent converted, the rest made click buttons and listed for review."""

from __future__ import annotations

from platforms.wechat import selfmenu_as_menu


def test_api_made_buttons_convert_unchanged_and_sub_button_lists_unwrap():
    answer = {"is_menu_open": 1, "selfmenu_info": {"button": [
        {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
        {"name": "菜单", "sub_button": {"list": [
            {"type": "view", "name": "搜索", "url": "http://www.soso.com/"},
            {"type": "miniprogram", "name": "小程序", "url": "http://x", "appid": "wx1", "pagepath": "p/i"},
            {"type": "img", "name": "图", "value": "MEDIA"}]}}]}}
    converted = selfmenu_as_menu(answer)
    assert converted.live == {"menu": {"button": [
        {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
        {"name": "菜单", "sub_button": [
            {"type": "view", "name": "搜索", "url": "http://www.soso.com/"},
            {"type": "miniprogram", "name": "小程序", "url": "http://x", "appid": "wx1", "pagepath": "p/i"},
            {"type": "click", "name": "图", "key": "SELFMENU_IMG_1_2"}]}]}}
    assert converted.review == [{"path": "1.2", "name": "图", "type": "img", "value": "MEDIA",
                                 "becameKey": "SELFMENU_IMG_1_2"}]


def test_a_closed_or_empty_menu_is_no_menu():
    assert selfmenu_as_menu({"is_menu_open": 0, "selfmenu_info": {"button": [{"type": "click", "name": "a",
                                                                              "key": "k"}]}}).live is None
    assert selfmenu_as_menu({"is_menu_open": 1, "selfmenu_info": {"button": []}}).live is None
    assert selfmenu_as_menu({"is_menu_open": 1}).live is None
    assert selfmenu_as_menu({"is_menu_open": 1, "selfmenu_info": "junk"}).live is None
