"""Ids that break in PonyBunny because its JavaScript reads them as object internals.

Measured with PonyBunny's own code: ``__proto__`` as a model, agent or endpoint
id makes its merge set the section's prototype, and its schema check then
throws on every load; as a tier id it silently disappears. An endpoint id that
every plain object inherits (``constructor``, ``toString``, …) crashes Path B's
credential lookup. ``constructor`` and ``prototype`` as model, agent or tier
ids, and ``prototype`` as an endpoint id, work: they are not reported.
"""

from __future__ import annotations

from pbcfg.diagnostics import Diagnostic
from pbcfg.ponybunny.js_names import INHERITED
from pbcfg.source.document import Document
from pbcfg.util.shapes import mapping

__all__ = ["check_prototype_ids"]

_MERGE = (
    "PonyBunny's merge makes '__proto__' the prototype of {section} instead of {a}: its schema check then reads "
    "that object's fields as {plural} and throws ConfigValidationError, so every LLM call fails"
)
_SECTIONS = {
    "models": ("a model", "model ids"),
    "agents": ("an agent", "agent ids"),
    "endpoints": ("an endpoint", "endpoint ids"),
}


def check_prototype_ids(document: Document) -> list[Diagnostic]:
    data = mapping(document.data)
    found = []
    for section in ("endpoints", "models", "tiers", "agents"):
        for name in mapping(data.get(section)):
            reason = _reason(section, name)
            if reason:
                found.append(
                    document.diagnostic(
                        [section, name],
                        "ids.prototype-name",
                        reason,
                        f"rename {name!r} (and every reference to it)",
                        key=True,
                    )
                )
    return found


def _reason(section: str, name: str) -> str | None:
    if name == "__proto__":
        if section == "tiers":
            return (
                "PonyBunny's merge makes '__proto__' the prototype of tiers instead of a tier, so PonyBunny never "
                "has a tier of that name"
            )
        a, plural = _SECTIONS[section]
        return _MERGE.format(section=section, a=a, plural=plural)
    if section == "endpoints" and name in INHERITED:
        return (
            f"PonyBunny's Path B looks endpoint ids up in a plain object and finds the inherited {name!r}, so "
            "every call that reaches a model on this endpoint fails with a TypeError (requiredFields.every is "
            "not a function); Path A never uses a custom endpoint id"
        )
    return None
