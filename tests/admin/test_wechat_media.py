"""Media in a browser: an image dropped on the page is uploaded (a job) and listed ready; a file WeChat would
refuse shows the API's reasons at the form's fields."""

from __future__ import annotations

import base64
import struct
import zlib

from playwright.sync_api import expect

MEDIA = "#section-wechat-media"


def png(width: int = 8, height: int = 8) -> bytes:
    """A small valid PNG (solid blue), made here so the test needs no fixture file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x25\x63\xeb" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def drop(page, selector: str, name: str, content: bytes, mime: str) -> None:
    """Drop a file on ``selector`` as a user dragging it from the desktop would."""
    transfer = page.evaluate_handle("""([name, b64, mime]) => {
        const transfer = new DataTransfer();
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], name, { type: mime }));
        return transfer;
    }""", [name, base64.b64encode(content).decode(), mime])
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_a_dropped_image_is_uploaded_and_listed(page, imbridge, screenshot):
    page.goto(page.url.split("#")[0] + "#/wechat-media")
    drop(page, "#media-dropzone", "banner.png", png(), "image/png")
    form = page.locator(f"{MEDIA} .upload-row form")
    assert form.locator("select[name=type]").input_value() == "image"
    assert page.locator(f"{MEDIA} img.upload-preview").count() == 1
    screenshot("wechat-media-drop")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"{MEDIA} .job-progress.job-succeeded")
    row = page.locator(f"{MEDIA} tr", has_text="banner.png").first
    row.locator(".badge-ready").wait_for()
    assert "image" in row.inner_text() and "permanent" in row.inner_text()
    # Its thumbnail: the stored bytes, fetched with the page's key (an <img src> alone could not send it).
    thumb = row.locator("img.media-thumb")
    thumb.wait_for()
    page.wait_for_function("(img) => img.complete && img.naturalWidth === 8", arg=thumb.element_handle())
    page.click(f"{MEDIA} .tabs button[data-kind=voice]")
    page.wait_for_selector(f"{MEDIA} .empty")
    page.click(f"{MEDIA} .tabs button[data-kind=image]")
    page.locator(f"{MEDIA} tr", has_text="banner.png").first.wait_for()
    screenshot("wechat-media")
    assert any(entry["path"].endswith("material/add_material") for entry in imbridge.journal("add_material"))


def test_a_file_wechat_refuses_shows_the_reasons_inline(page, screenshot):
    page.goto(page.url.split("#")[0] + "#/wechat-media")
    page.set_input_files(f"{MEDIA} input[type=file]", files=[
        {"name": "voice-note.ogg", "mimeType": "audio/ogg", "buffer": b"OggS" + b"\x00" * 64}])
    form = page.locator(f"{MEDIA} .upload-row form")
    form.locator("select[name=type]").select_option("voice")
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-field=media] .field-error")).to_contain_text("permanent voice files are amr/mp3/wav/wma")
    expect(form.locator(".form-error")).to_contain_text("the upload is not valid")
    screenshot("wechat-media-invalid")
