"""What WeChat's template messages and subscription messages share: the message names a synced template, by the
platform's id or by the code an operator gave it, and its ``data`` fills exactly the template's keys.

Each kind keeps its own fields and words (:mod:`models.notifications.wechat_template`,
:mod:`models.notifications.wechat_subscribe`); finding the template and checking ``data`` against its keys is
written once here, so the two cannot drift apart in what they accept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

ProblemList = list[dict[str, str]]


class SyncedTemplate(Protocol):
    """What a synced template row offers here (both kinds' rows have it)."""

    id: int
    template_id: str
    code: str | None
    name: str
    enabled: bool
    keys: list[str]


T = TypeVar("T", bound=SyncedTemplate)


def problem(field: str, message: str, kind: str = "value_error") -> dict[str, str]:
    return {"field": field, "message": message, "type": kind}


def as_text(value: Any) -> Any:
    """A number sent as a data value is meant as its text (``42`` fills ``{{amount.DATA}}`` as ``"42"``)."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def wrap_bare_values(value: Any) -> Any:
    """``{"k": "v"}`` is short for ``{"k": {"value": "v"}}``."""
    if isinstance(value, dict):
        return {k: v if isinstance(v, dict | BaseModel) else {"value": v} for k, v in value.items()}
    return value


@dataclass(frozen=True)
class TemplateWords:
    """How the problems name this kind of template: ``noun`` ("WeChat template"), ``scope`` (" of this account"
    where templates belong to an account), ``sync`` (the route that syncs them)."""

    noun: str
    sync: str
    scope: str = ""


def find_named_template(template_id: str | None, template_code: str | None, words: TemplateWords, *,
                        by_id: Callable[[str], T | None],
                        by_code: Callable[[str], T | None]) -> tuple[T | None, ProblemList]:
    """The template a message names (by id, by code, or both naming the same one) when it can be sent; else the
    problems: unknown, two different ones, disabled."""
    template = found_by_id = None
    problems: ProblemList = []
    if template_id is not None:
        template = found_by_id = by_id(template_id)
        if found_by_id is None:
            problems.append(problem("message.template_id", f"no synced {words.noun} '{template_id}'{words.scope} "
                                                           f"(sync with {words.sync})"))
    if template_code is not None:
        found_by_code = by_code(template_code)
        if found_by_code is None:
            problems.append(problem("message.template_code", f"no {words.noun} with code "
                                                             f"'{template_code}'{words.scope}"))
        elif found_by_id is not None and found_by_code.id != found_by_id.id:
            problems.append(problem("message.template_code", "names another template than template_id"))
        template = template or found_by_code
    if template is None or problems:
        return None, problems
    if not template.enabled:
        field = "message.template_code" if template_code else "message.template_id"
        problems.append(problem(field, f"the {words.noun} '{template.code or template.template_id}' is disabled"))
    return template, problems


def data_problems(template: SyncedTemplate, values: Mapping[str, str],
                  rule: Callable[[str, str], str | None] | None = None) -> ProblemList:
    """``values`` (key -> value) against the template's keys: none unknown, none missing, each within ``rule``
    (why a value cannot fill its key, or None) when the kind has one."""
    problems: ProblemList = []
    keys = template.keys
    for key, value in values.items():
        if key not in keys:
            problems.append(problem(f"message.data.{key}", f"not a key of template '{template.name}' "
                                                           f"(its keys: {', '.join(keys) or 'none'})", "unknown_key"))
        elif rule is not None and (reason := rule(key, value)):
            problems.append(problem(f"message.data.{key}.value", reason))
    for key in keys:
        if key not in values:
            problems.append(problem(f"message.data.{key}", f"template '{template.name}' needs a value for {key}",
                                    "missing"))
    return problems
