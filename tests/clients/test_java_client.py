"""The Java client (``clients/java``, plain ``javac``, no jars) built and run against a running imbridge."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from models.webhooks import new_secret
from workers.webhooks import sign_standard

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "clients" / "java" / "src" / "main" / "java"
CHECK = Path(__file__).parent / "java" / "ClientCheck.java"

pytestmark = pytest.mark.skipif(shutil.which("javac") is None or shutil.which("java") is None,
                                reason="no JDK here (javac and java); .ci/run installs default-jdk-headless")


@pytest.fixture(scope="module")
def classes(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("java-classes")
    sources = [str(p) for p in sorted(SOURCES.rglob("*.java"))] + [str(CHECK)]
    built = subprocess.run(["javac", "-Xlint:all", "-Werror", "-d", str(out), *sources], capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    return out


def test_the_java_client_sends_waits_batches_fans_out_and_reports_errors(classes, imbridge):
    secret = new_secret()
    body = json.dumps({"type": "notification.sent", "status": "sent"}).encode()
    stamp = str(int(time.time()))
    signature = sign_standard(secret, "wd_1", stamp, body)  # as the worker signs an outcome callback
    ran = subprocess.run(["java", "-cp", str(classes), "ClientCheck", imbridge.url, imbridge.notify_key, secret,
                          "wd_1", stamp, signature], input=body.decode(), capture_output=True, text=True,
                         timeout=240)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    assert seen["sent"] == "sent" and seen["hasKey"] is True
    assert seen["markdown"] == {"title": "部署", "text": "**crm** 已上线"}, "UTF-8 both ways"
    assert seen["replayed"] is True
    assert seen["error"]["status"] == 422 and seen["error"]["code"] == "validation_error"
    assert {"robot", "message.text.content"} <= set(seen["error"]["fields"])
    assert seen["batch"] == ["sent", "sent"]
    assert seen["group"] == "sent"
    assert (seen["callback"], seen["tampered"]) == ("sent", "refused")
