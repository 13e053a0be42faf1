"""Probes, plans and verdicts as :class:`~pbcfg.diagnostics.Diagnostic` s, each placed where its fix lies.

A finding about an endpoint sits at the file and JSON pointer its value came
from (a :class:`~pbcfg.ponybunny.effective.Value`'s source, such as
``credentials.json /endpoints/box/baseUrl``), with line and column when the
file exists; a value from the environment or PonyBunny's defaults sits at the
endpoint's entry in the file that would override it, or at the file itself.
So ``status`` and ``resolve`` report through the same reporters as ``validate``.
"""

from __future__ import annotations

import os

from pbcfg.catalog import diagnostic
from pbcfg.diagnostics import Diagnostic
from pbcfg.runtime.plan import Plan
from pbcfg.runtime.status import EndpointStatus, State
from pbcfg.secrets.boundary import redact
from pbcfg.util.pointer import join, split
from pbcfg.workflows.readiness import Readiness, Ready

__all__ = ["config_files", "place", "plan_findings", "readiness_findings", "status_findings", "status_hint"]

# what to do about a probe that failed in a way with no hint of its own
_FALLBACK_HINTS = {
    State.ERROR: "the server failed on GET /models: its own log says why",
    State.CONFIG_ERROR: "correct the value where this finding points (pbcfg sent nothing)",
}

_NAMES = {"credentials": "credentials.json", "llm-config": "llm-config.json"}


def config_files(runtime) -> list[str]:
    """The config files as the reports name them: those read, else where they would be."""
    return [document.name for document in runtime.documents.values()] or [
        os.path.join(runtime.directory, name) for name in _NAMES.values()
    ]


def _reaches(data: object, tokens: list[str]) -> bool:
    for token in tokens:
        if not isinstance(data, dict) or token not in data:
            return False
        data = data[token]
    return True


def place(
    runtime, rule: str, message: str, hint: str | None, source: str | None, fallback: tuple[str, list[str]]
) -> Diagnostic:
    """A diagnostic at the place ``source`` names, else at ``fallback`` (kind, pointer tokens); in a file that
    exists, at the deepest part of the pointer the file has. Message and hint pass the redactor."""
    kind, tokens = fallback
    name, _, pointer = (source or "").partition(" ")
    if name.startswith(("credentials", "llm-config")) and pointer.startswith("/"):
        kind, tokens = ("credentials" if name.startswith("credentials") else "llm-config"), split(pointer)
    message, hint = redact(message), redact(hint) if hint else None
    document = runtime.documents.get(kind)
    if document is None:
        return diagnostic(rule, os.path.join(runtime.directory, _NAMES[kind]), message, hint, pointer=join(tokens))
    while tokens and not _reaches(document.data, tokens):
        tokens = tokens[:-1]
    return document.diagnostic(tokens, rule, message, hint)


def _where_from(source: str | None) -> str:
    """What the message adds when the file cannot show the value: it came from the environment or the defaults."""
    if source and source.startswith("env "):
        return f" (base URL from ${source[4:]})"
    return " (base URL: PonyBunny's default)" if source == "built-in default" else ""


def status_hint(status: EndpointStatus) -> str | None:
    """The probe's hint; for a failure without one, what to do about it (a value from the environment is fixed
    in its variable, which no finding can point at)."""
    source = status.source or ""
    if not status.hint and status.state is State.CONFIG_ERROR and source.startswith("env "):
        return f"correct ${source[4:]} (pbcfg sent nothing)"
    return status.hint or _FALLBACK_HINTS.get(status.state)


def status_findings(runtime, statuses: list[EndpointStatus]) -> list[Diagnostic]:
    """One ``status.<state>`` finding per endpoint that is not ok."""
    found = []
    for status in statuses:
        if status.state is State.OK:
            continue
        fallback = (
            "credentials" if "credentials" in runtime.documents else "llm-config",
            ["endpoints", status.endpoint],
        )
        message = f"{status.endpoint}: {status.detail}" + _where_from(status.source)
        found.append(place(runtime, f"status.{status.state}", message, status_hint(status), status.source, fallback))
    return found


def plan_findings(runtime, plan: Plan, target: tuple[str, str]) -> list[Diagnostic]:
    """``resolve.no-route`` when nothing is usable, and one ``resolve.dropped`` per pair left out."""
    section, name = target
    found = []
    if not plan.attempts:
        tokens = [section, name] if section != "model" else ["models", name]
        first = plan.dropped[0] if plan.dropped else None
        why = f"first: {first.model} @ {first.endpoint or '-'}: {first.reason}" if first else "its chain names no model"
        found.append(
            place(
                runtime,
                "resolve.no-route",
                f"no usable endpoint for {name!r}; {why}",
                "each dropped pair is listed with its reason",
                None,
                ("llm-config", tokens),
            )
        )
    for dropped in plan.dropped:
        fallback = (
            "llm-config",
            ["models", dropped.model] if not dropped.endpoint else ["endpoints", dropped.endpoint],
        )
        pair = f"{dropped.model} @ {dropped.endpoint}" if dropped.endpoint else dropped.model
        found.append(place(runtime, "resolve.dropped", f"{pair}: {dropped.reason}", None, dropped.source, fallback))
    return found


def readiness_findings(runtime, verdicts: list[Readiness]) -> list[Diagnostic]:
    """``doctor.cannot-run`` and ``doctor.falls-back`` for the tiers and agents the user configured."""
    found = []
    for verdict in verdicts:
        if not verdict.configured or verdict.state in (Ready.OK, Ready.UNTESTED):
            continue
        rule = "doctor.cannot-run" if verdict.state is Ready.CANNOT_RUN else "doctor.falls-back"
        runs = "" if verdict.state is Ready.CANNOT_RUN else f" (it runs on {verdict.model} @ {verdict.endpoint})"
        found.append(
            place(
                runtime,
                rule,
                f"{verdict.label}: {verdict.state}{runs}; fix first: {verdict.fix}",
                None,
                None,
                ("llm-config", [verdict.section, verdict.name]),
            )
        )
    return found
