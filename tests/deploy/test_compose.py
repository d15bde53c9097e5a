"""The compose deployment as written: every service checked for health, fixed host ports, Caddy on 80/443 with its
domain from the .env, configuration from the environment only, and every file it mounts or builds from present."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from config.known_keys import unknown_environment

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
#: Services that run once and exit (no health to check).
ONE_SHOT = {"migrate"}


def env_example() -> dict[str, str]:
    lines = (DEPLOY / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_top_level_compose_file_runs_the_deploy_one():
    top = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert top == {"include": ["deploy/docker-compose.yml"]}


@pytest.mark.parametrize("name", sorted(set(SERVICES) - ONE_SHOT))
def test_every_service_has_a_healthcheck(name):
    check = SERVICES[name].get("healthcheck", {})
    assert check.get("test") and not check.get("disable"), name


def test_the_imbridge_services_are_checked_by_imbridge_and_wait_for_what_they_need():
    assert SERVICES["ingress"]["healthcheck"]["test"] == ["CMD", "imbridge", "healthcheck"]
    for name in ("worker", "scheduler"):
        assert SERVICES[name]["healthcheck"]["test"] == ["CMD", "imbridge", "healthcheck", "--dependencies"]
    for name in ("ingress", "worker", "scheduler"):
        needs = SERVICES[name]["depends_on"]
        assert needs["redis"]["condition"] == needs["postgres"]["condition"] == "service_healthy"
        assert needs["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["caddy"]["depends_on"]["ingress"]["condition"] == "service_healthy"


def test_host_ports_are_fixed_and_only_caddy_is_public():
    published = {name: service.get("ports", []) for name, service in SERVICES.items()}
    for name, ports in published.items():
        for port in ports:
            assert re.fullmatch(r"(127\.0\.0\.1:)?\d+:\d+(/udp)?", port), f"{name}: {port} is not a fixed host port"
    assert {"80:80", "443:443"} <= set(published["caddy"])
    assert all(port.startswith("127.0.0.1:") for name, ports in published.items() if name != "caddy"
               for port in ports)


def test_configuration_is_the_environment_only_and_every_mounted_file_ships():
    for name, service in SERVICES.items():
        assert "IMBRIDGE_CONFIG" not in service.get("environment", {}), name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), f"{name} mounts {source}, which does not ship"
    build = SERVICES["ingress"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"


def test_the_env_example_names_every_variable_compose_needs_and_only_settings_imbridge_knows():
    needed = set(re.findall(r"\$\{(\w+):\?", (DEPLOY / "docker-compose.yml").read_text()))
    example = env_example()
    assert needed <= example.keys()
    assert SERVICES["caddy"]["environment"]["DOMAIN"].startswith("${DOMAIN")
    assert unknown_environment(example) == []  # its IMBRIDGE_* lines reach imbridge as settings
    commented = [line.lstrip("# ").split("=", 1)[0] for line in (DEPLOY / ".env.example").read_text().splitlines()
                 if line.startswith("# IMBRIDGE_") and "=" in line]
    assert commented and unknown_environment(dict.fromkeys(commented, "x")) == []


@pytest.mark.skipif(not shutil.which("caddy"), reason="caddy is not installed here (apt-get install caddy)")
def test_the_caddyfile_is_valid_and_serves_the_domain_of_the_env():
    adapted = subprocess.run(["caddy", "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                             env={**os.environ, "DOMAIN": "imbridge.example.org"}, capture_output=True, text=True,
                             timeout=60, check=True).stdout
    assert '"host":["imbridge.example.org"]' in adapted
    assert '"dial":"ingress:8000"' in adapted
