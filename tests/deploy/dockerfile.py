"""What a Dockerfile says, read the way the tests need it: what it copies, its environment, user, volume and
commands. Enough of the syntax for ``deploy/Dockerfile`` (continuations, JSON command forms); not a general parser."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Image:
    copies: list[tuple[str, str]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    user: str = "root"
    workdir: str = "/"
    volumes: list[str] = field(default_factory=list)
    exposed: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)

    @property
    def command(self) -> list[str]:
        return [*self.entrypoint, *self.cmd]


def instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` pairs, continuation lines joined, comments dropped."""
    found, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = (pending + stripped).strip()
        pending = ""
        keyword, _, rest = whole.partition(" ")
        found.append((keyword.upper(), rest.strip()))
    return found


def read_image(path: Path) -> Image:
    image = Image()
    for keyword, rest in instructions(path.read_text()):
        if keyword == "COPY":
            *sources, target = shlex.split(rest)
            image.copies += [(source, target) for source in sources]
        elif keyword == "ENV":
            image.env.update(part.split("=", 1) for part in shlex.split(rest))
        elif keyword == "USER":
            image.user = rest
        elif keyword == "WORKDIR":
            image.workdir = rest
        elif keyword == "VOLUME":
            image.volumes += json.loads(rest)
        elif keyword == "EXPOSE":
            image.exposed += rest.split()
        elif keyword == "HEALTHCHECK":
            image.healthcheck = json.loads(rest.split(" CMD ", 1)[1])
        elif keyword == "ENTRYPOINT":
            image.entrypoint = json.loads(rest)
        elif keyword == "CMD":
            image.cmd = json.loads(rest)
        elif keyword == "RUN":
            image.runs.append(rest)
    return image
