"""The stable machine-readable shape: ``{"diagnostics": [...], "summary": {...}}``, and for some commands one
more documented key (``status``: ``"endpoints"``; ``resolve``: ``"plan"``; ``doctor``: ``"verdicts"``)."""

from __future__ import annotations

import json

__all__ = ["render"]


def render(report) -> str:
    body = {"diagnostics": [d.as_dict() for d in report.diagnostics], "summary": report.summary.as_dict(),
            **(report.extra or {})}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
