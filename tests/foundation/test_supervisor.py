"""``up``'s supervisor: a crashing child is reported and restarted, then gives up; stop kills whole groups."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from imbridge import supervisor as supervisor_module
from imbridge.supervisor import Child, Supervisor


def test_a_child_that_keeps_crashing_is_reported_and_stops_everything(capsys, monkeypatch):
    monkeypatch.setattr(supervisor_module, "MAX_RESTARTS", 2)
    crashing = Child("crasher", [sys.executable, "-c", "raise SystemExit(3)"])
    steady = Child("steady", [sys.executable, "-c", "import time; time.sleep(60)"])
    supervisor = Supervisor([crashing, steady], dict(os.environ))
    supervisor.start()
    try:
        assert supervisor.watch(interval=0.05) == 1
    finally:
        supervisor.stop()
    err = capsys.readouterr().err
    assert "crasher exited with code 3" in err
    assert "crasher keeps failing; stopping everything" in err
    assert steady.exited() is not None


def test_stop_kills_grandchildren_too(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)\n"
    )
    parent = Child("parent", [sys.executable, "-c", script])
    supervisor = Supervisor([parent], dict(os.environ))
    supervisor.start()
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())
    supervisor.stop()
    time.sleep(0.2)
    stat = Path(f"/proc/{grandchild}/stat")
    assert not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
