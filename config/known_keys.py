"""Which keys the settings know: unknown sections and keys are named, with the known key they most resemble.

A misspelt section (``ingres:``) or key (``app-scret``) would otherwise be dropped or reported as pydantic's bare
"Extra inputs are not permitted"; an operator needs the spelling that works.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from config.settings import Settings

#: Top-level keys the loader takes itself rather than the model: the seed's wrapper block.
LOADER_KEYS = frozenset({"bootx"})
#: Environment variables with the settings' prefix that are not settings.
NON_SETTING_ENV = frozenset({"IMBRIDGE_CONFIG"})


def spelled(key: str) -> str:
    """How the config file spells a field: ``app_key`` -> ``app-key``."""
    return key.replace("_", "-")


def did_you_mean(key: str, known: Iterable[str]) -> str:
    """`` (did you mean ingress?)`` when one known key is close to ``key``, else an empty string."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {spelled(close[0])}?)" if close else ""


def section_model(loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model holding the last key of ``loc`` (a path into :class:`Settings`), if the path leads to one."""
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def unknown_key(loc: Sequence[str | int]) -> str:
    """``ingres: unknown section (did you mean ingress?)`` for a key no model at ``loc`` knows."""
    where = ".".join(spelled(str(p)) for p in loc)
    model = section_model(loc)
    kind = "section" if len(loc) == 1 or (len(loc) == 2 and loc[0] == "third") else "key"
    hint = did_you_mean(str(loc[-1]), model.model_fields) if model else ""
    return f"{where}: unknown {kind}{hint}"


def unknown_sections(data: Mapping[str, Any]) -> list[str]:
    """A problem line for each top-level key of the (folded) file that is no section of the settings."""
    return [unknown_key([key]) for key in data if key not in Settings.model_fields and key not in LOADER_KEYS]


def unknown_environment(environ: Mapping[str, str]) -> list[str]:
    """``IMBRIDGE_INGRES__PORT``-style variables that name no setting (pydantic-settings ignores them)."""
    problems = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith("IMBRIDGE_") or upper in NON_SETTING_ENV:
            continue
        path = upper.removeprefix("IMBRIDGE_").lower().split("__")
        model: type[BaseModel] | None = Settings
        for depth, part in enumerate(path):
            if model is None or part not in model.model_fields:
                if model is not None:
                    problems.append(f"{name}: unknown {'section' if depth == 0 else 'key'} {spelled(part)}"
                                    f"{did_you_mean(part, model.model_fields)}")
                break
            annotation = model.model_fields[part].annotation
            model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return problems
