"""The image starts: its entrypoint, run as an unprivileged user over the image's file permissions, answers
``/readyz``; where a container engine runs, the image itself is built and started."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.deploy.dockerfile import Image, read_image
from tests.processes import descendants
from tests.waiting import stop_group, wait_for, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
#: The unprivileged user the test runs the image's command as (the image has its own; both are nobody to root).
NOBODY = 65534


def test_the_image_is_built_for_a_service_that_runs_unprivileged():
    image = read_image(DOCKERFILE)
    assert image.user not in ("root", "0", "")
    assert image.volumes == [image.env["IMBRIDGE_VAR_DIR"]] == [image.workdir]
    assert any(f"-o {image.user.split(':')[0]}" in run and "-m 0700" in run and image.volumes[0] in run
               for run in image.runs), "the data volume belongs to the service user"
    assert image.exposed == ["8000"]
    assert image.healthcheck == ["imbridge", "healthcheck"]  # the ingress's /readyz
    assert image.command == ["imbridge", "ingress"]
    installs = [run for run in image.runs if "pip install" in run]
    assert installs and all("[" not in run for run in installs), "no extras: no dev tools, no embedded server"


def uid_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])


@pytest.fixture
def image_tree() -> Iterator[tuple[Image, Path, Path]]:
    """The image's files on this machine: its copies, root-owned and read-only to others, and its data volume,
    owned by the unprivileged user alone (0700), as the image's RUN lines make them."""
    image = read_image(DOCKERFILE)
    top = Path(tempfile.mkdtemp(prefix="imbridge-image-"))
    try:
        top.chmod(0o755)
        app = top / "app"
        app.mkdir(mode=0o755)
        for source, _ in image.copies:
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, app / source, ignore=shutil.ignore_patterns("__pycache__"))
        for path in [app, *app.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        assert not os.access(app, os.W_OK) or os.getuid() == 0  # (root-owned: only root could write there)
        volume = top / "var"
        volume.mkdir(mode=0o700)
        os.chown(volume, NOBODY, NOBODY)
        yield image, app, volume
    finally:
        shutil.rmtree(top, ignore_errors=True)


def interpreter_readable_by_nobody() -> bool:
    """Whether this interpreter and its standard library are readable by nobody (an image's are; one installed
    under root's home, 0700, is not)."""
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable,
                            "-c", "import sys; print(sys.version)"], capture_output=True, text=True, timeout=60)
    return probe.stdout.strip() == sys.version


def as_nobody(argv: list[str]) -> list[str]:
    """``argv`` run as nobody. Where this interpreter lives where nobody cannot read (root's home), nobody may read
    (CAP_DAC_READ_SEARCH) but still writes only where its permissions allow: what the image's layout decides."""
    reading = [] if interpreter_readable_by_nobody() else ["--inh-caps=+dac_read_search",
                                                          "--ambient-caps=+dac_read_search"]
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *reading, *argv]


@pytest.mark.skipif(os.getuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv to change user")
def test_the_entrypoint_as_an_unprivileged_user_serves_readyz(image_tree, redis_url):
    image, app, volume = image_tree
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_")}
    env.update(image.env)
    env.update(IMBRIDGE_VAR_DIR=str(volume), HOME=str(volume), PYTHONPATH=str(app),
               # What compose adds; the database is the image's default: SQLite on the volume.
               IMBRIDGE_REDIS__URL=redis_url, IMBRIDGE_SECURITY__SECRET_KEY="image-test-secret-key",
               IMBRIDGE_SANDBOX__ENABLED="false",
               # Here, not in a container: loopback only, one server process.
               IMBRIDGE_INGRESS__HOST="127.0.0.1", IMBRIDGE_INGRESS__PORT=str(port), IMBRIDGE_INGRESS__WORKERS="1")

    def command(argv: list[str]) -> list[str]:
        assert argv[0] == "imbridge"  # the console script pip installs: this tree's, through the interpreter
        return as_nobody([sys.executable, "-m", "imbridge", *argv[1:]])

    migrated = subprocess.run(command(["imbridge", "migrate"]), env=env, cwd=volume, capture_output=True, text=True,
                              timeout=120)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    log = volume.parent / "ingress.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command(image.command), env=env, cwd=volume, stdout=out, stderr=out,
                                  start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", server, path="/readyz", log=log, timeout=60)
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json()["status"] == "ready"
        served_by = wait_for(lambda: descendants(server.pid))
        assert {uid_of(pid) for pid in served_by | {server.pid}} == {NOBODY}
        health = subprocess.run(command(image.healthcheck), env=env, cwd=volume, capture_output=True, text=True,
                                timeout=60)
        assert health.returncode == 0, health.stderr
        deps = subprocess.run(command(["imbridge", "healthcheck", "--dependencies"]), env=env, cwd=volume,
                              capture_output=True, text=True, timeout=60)
        assert deps.returncode == 0, deps.stderr
    finally:
        stop_group(server)
    made = [volume / "imbridge.db", volume / "metrics"]
    assert all(path.exists() and path.stat().st_uid == NOBODY for path in made)
    assert not (app / "var").exists()  # nothing written into the code


def test_the_healthcheck_fails_while_the_ingress_is_down(redis_url, capsys):
    from imbridge.cli import main

    port = free_port()  # nothing listens there
    assert main(["healthcheck", "--url", f"http://127.0.0.1:{port}/readyz"]) == 1
    assert f"unhealthy: http://127.0.0.1:{port}/readyz" in capsys.readouterr().err


def container_engine() -> str | None:
    """Why no container engine can be used here, or None when ``docker info`` answers."""
    if not shutil.which("docker"):
        return "no docker client on this machine"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30)
    if info.returncode != 0:
        return f"no container engine runs here (docker info: {(info.stderr or info.stdout).strip()[:200]})"
    return None


@pytest.mark.skipif(container_engine() is not None, reason=str(container_engine()))
def test_the_image_builds_and_its_ingress_serves_readyz(redis_url):
    tag = f"imbridge-test:{uuid.uuid4().hex[:8]}"
    volume = f"imbridge-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    run_env = ["-e", f"IMBRIDGE_REDIS__URL={redis_url}", "-e", "IMBRIDGE_SECURITY__SECRET_KEY=image-test-secret-key",
               "-e", "IMBRIDGE_INGRESS__HOST=127.0.0.1", "-e", f"IMBRIDGE_INGRESS__PORT={port}",
               "--network", "host", "-v", f"{volume}:/var/lib/imbridge"]
    subprocess.run(["docker", "build", "-f", str(DOCKERFILE), "-t", tag, str(ROOT)], check=True, timeout=1200)
    container = None
    try:
        subprocess.run(["docker", "run", "--rm", *run_env, tag, "migrate"], check=True, timeout=300)
        container = subprocess.run(["docker", "run", "-d", *run_env, tag], check=True, capture_output=True,
                                   text=True, timeout=120).stdout.strip()
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200, timeout=90,
                 ignoring=httpx.HTTPError)
        uid = subprocess.run(["docker", "exec", container, "id", "-u"], check=True, capture_output=True, text=True)
        assert uid.stdout.strip() != "0"
        subprocess.run(["docker", "exec", container, "imbridge", "healthcheck"], check=True, timeout=60)
    finally:
        if container:
            subprocess.run(["docker", "rm", "-f", container], capture_output=True)
        subprocess.run(["docker", "volume", "rm", "-f", volume], capture_output=True)
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True)
