"""Reporters: one module per output format, each a ``render(report) -> str``.

Only the chosen reporter is imported, so ``--format text`` never pays for
SARIF or XML.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

from ..diagnostics import Diagnostic
from ..report import Summary

__all__ = ["FORMATS", "Report", "render"]

FORMATS = ("text", "json", "github", "sarif", "junit")


class Report(NamedTuple):
    tool: str  # the command that produced it, e.g. "validate"
    files: list[str]
    diagnostics: list[Diagnostic]
    color: bool = False

    @property
    def summary(self) -> Summary:
        return Summary.of(len(self.files), self.diagnostics)


def render(fmt: str, report: Report) -> str:
    return importlib.import_module(f"{__name__}.{fmt}").render(report)
