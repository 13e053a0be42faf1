"""The stable machine-readable shape: ``{"diagnostics": [...], "summary": {...}}``, and for most commands the
documented keys of their data: ``status``: ``"endpoints"``; ``resolve``: ``"plan"`` (with ``--as ponybunny``:
``"files"``, ``"scenarios"``, ``"notes"``); ``doctor``: ``"verdicts"``, ``"causes"``; ``chat``: ``"answer"``;
``presets``: ``"presets"``; ``lint --list-rules``/``--explain``: ``"rules"``; ``schema``: ``"schema"``,
``"vscode"`` or ``"written"``; ``completion``: ``"completion"``; ``codegen``: ``"codegen"``; ``rename`` and
``remove``: ``"changes"``, ``"diffs"``, ``"written"``; ``render``: ``"render"``; ``migrate --list``:
``"migrations"``; ``migrate --diff``: ``"moves"``, ``"diffs"``; ``lint --diff``: ``"changes"``, ``"diffs"``; ``add``:
``"written"``. A run that fails (exit 2, or a refusal with no findings to show) has ``"error"``:
``{"message": ..., "exitCode": ...}``."""

from __future__ import annotations

import json

__all__ = ["render"]


def render(report) -> str:
    body = {
        "diagnostics": [d.as_dict() for d in report.diagnostics],
        "summary": report.summary.as_dict(),
        **(report.extra or {}),
        **({"error": report.failure} if report.failure else {}),
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
