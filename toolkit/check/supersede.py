"""Which findings another finding at the same place makes redundant, as the catalog's ``supersedes`` says: the one
place validate and lint leave them out."""

from __future__ import annotations

from pbcfg.catalog import EVERY_OTHER, RULES
from pbcfg.check.loader_findings import ROOT_CAUSES
from pbcfg.diagnostics import Diagnostic

__all__ = ["supersede"]


def supersede(diagnostics: list, place=None) -> list:
    """``diagnostics`` without those another finding at the same place supersedes. A root cause superseded by
    :data:`~pbcfg.catalog.EVERY_OTHER` stays (it speaks of the whole file) with the superseding finding's hint, so
    the two never advise different fixes. ``place`` maps an item to its diagnostic (lint's findings, whose root
    causes were given that hint when validate ran)."""
    shown = [place(item) if place else item for item in diagnostics]
    covering: dict[tuple, list[Diagnostic]] = {}
    for d in shown:
        if RULES[d.rule].supersedes:
            covering.setdefault((d.file, d.pointer), []).append(d)
    if not covering:
        return diagnostics
    kept = []
    for item, d in zip(diagnostics, shown):
        over = [
            c
            for c in covering.get((d.file, d.pointer), ())
            if c.rule != d.rule and (d.rule in RULES[c.rule].supersedes or RULES[c.rule].supersedes == EVERY_OTHER)
        ]
        if not over:
            kept.append(item)
        elif d.rule in ROOT_CAUSES and all(RULES[c.rule].supersedes == EVERY_OTHER for c in over):
            kept.append(item if place else d._replace(hint=over[0].hint))
    return kept
