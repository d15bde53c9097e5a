"""``up``'s supervisor: a crashing child is reported and restarted, then gives up; stop kills whole groups."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from imbridge import supervisor as supervisor_module
from imbridge.supervisor import Child, Supervisor
from tests.waiting import wait_for


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


def parent_script(pid_file: Path, then: str = "time.sleep(60)") -> str:
    """A child that starts a grandchild (sleeping a minute), writes its pid to ``pid_file``, then runs ``then``."""
    return (
        "import subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        f"{then}\n"
    )


def grandchild_pid(pid_file: Path) -> int:
    return int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), timeout=10))


def gone(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_stop_kills_grandchildren_too(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    supervisor = Supervisor([Child("parent", [sys.executable, "-c", parent_script(pid_file)])], dict(os.environ))
    supervisor.start()
    grandchild = grandchild_pid(pid_file)
    supervisor.stop()
    wait_for(lambda: gone(grandchild), timeout=5)


def test_a_crashed_childs_leftovers_are_killed_before_it_is_restarted(tmp_path, monkeypatch):
    # A server's leader killed outright leaves its workers listening on the port its successor needs.
    monkeypatch.setattr(supervisor_module, "MAX_RESTARTS", 0)
    pid_file = tmp_path / "grandchild.pid"
    crasher = Child("crasher", [sys.executable, "-c", parent_script(pid_file, "time.sleep(0.5); sys.exit(9)")])
    supervisor = Supervisor([crasher], dict(os.environ))
    supervisor.start()
    try:
        grandchild = grandchild_pid(pid_file)
        assert supervisor.watch(interval=0.05) == 1  # it crashed (and, with no restarts allowed, ends the watch)
        wait_for(lambda: gone(grandchild), timeout=5)
    finally:
        supervisor.stop()
