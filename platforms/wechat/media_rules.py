"""What WeChat accepts as media: the types, the file extensions (the platform judges the format by the file
name) and the size limits, for temporary media and for permanent material.

Checked before anything is sent, so a file the platform would refuse (40004 type, 40005 format, 40006 size)
is a readable 422 instead of a failed job.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class MediaRule:
    extensions: frozenset[str]
    max_bytes: int

    def describe(self) -> str:
        size = f"{self.max_bytes // MB} MB" if self.max_bytes >= MB else f"{self.max_bytes // 1024} KB"
        return f"{'/'.join(sorted(self.extensions))}, at most {size}"


def _rule(extensions: str, max_bytes: int) -> MediaRule:
    return MediaRule(frozenset(extensions.split()), max_bytes)


#: Permanent material (``material/add_material``).
PERMANENT_RULES: dict[str, MediaRule] = {
    "image": _rule("bmp png jpeg jpg gif", 10 * MB),
    "voice": _rule("mp3 wma wav amr", 2 * MB),
    "video": _rule("mp4", 10 * MB),
    "thumb": _rule("jpg jpeg", 64 * 1024),
}
#: Temporary media (``media/upload``), kept three days.
TEMPORARY_RULES: dict[str, MediaRule] = {
    **PERMANENT_RULES,
    "voice": _rule("amr mp3", 2 * MB),
}
#: The largest file any rule accepts: bytes beyond it are never worth keeping.
MAX_MEDIA_BYTES = max(rule.max_bytes for rule in PERMANENT_RULES.values())


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def media_problems(kind: str, permanent: bool, filename: str | None, size: int | None) -> list[tuple[str, str]]:
    """``(what, message)`` for every rule the file breaks; ``what`` is ``type``, ``filename`` or ``size``.

    Without a file (``filename`` and ``size`` None) only the type is checked.
    """
    rules = PERMANENT_RULES if permanent else TEMPORARY_RULES
    rule = rules.get(kind)
    if rule is None:
        return [("type", f"one of {', '.join(rules)}, not {kind!r}")]
    if filename is None or size is None:
        return []
    problems = []
    where = "permanent" if permanent else "temporary"
    if extension(filename) not in rule.extensions:
        problems.append(("filename", f"{where} {kind} files are {rule.describe()}: "
                                     f"{filename!r} is not one of {', '.join(sorted(rule.extensions))}"))
    if size == 0:
        problems.append(("size", "the file is empty"))
    elif size > rule.max_bytes:
        problems.append(("size", f"the file is {size} bytes; {where} {kind} files are {rule.describe()} "
                                 f"({rule.max_bytes} bytes)"))
    return problems
