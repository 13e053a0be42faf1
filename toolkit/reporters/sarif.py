"""SARIF 2.1.0, for GitHub code scanning and other SARIF consumers."""

from __future__ import annotations

import json
import os

from pbcfg.catalog import RULES

__all__ = ["render"]

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    if os.path.isabs(path):
        from pathlib import Path

        return Path(path).as_uri()
    return path.replace(os.sep, "/")


def render(report) -> str:
    from pbcfg import __version__

    rule_ids = sorted({d.rule for d in report.diagnostics})
    rules = []
    for rule in rule_ids:
        entry = RULES[rule]
        rules.append(
            {
                "id": rule,
                "shortDescription": {"text": entry.summary},
                "fullDescription": {"text": entry.explanation},
                "help": {"text": entry.explanation},
                "defaultConfiguration": {"level": _LEVEL[entry.severity.label]},
            }
        )
    results = []
    for d in report.diagnostics:
        location: dict = {"artifactLocation": {"uri": _uri(d.file)}}
        if d.span:
            location["region"] = {"startLine": d.line, "startColumn": d.column}
        text = d.message + (f" Hint: {d.hint}" if d.hint else "")
        result = {
            "ruleId": d.rule,
            "ruleIndex": rule_ids.index(d.rule),
            "level": _LEVEL[d.severity.label],
            "message": {"text": text},
            "locations": [{"physicalLocation": location}],
        }
        if d.pointer is not None:
            result["properties"] = {"pointer": d.pointer}
        results.append(result)
    run: dict = {"tool": {"driver": {"name": "pbcfg", "version": __version__, "rules": rules}}, "results": results}
    facts = report.summary.hidden_lines() + list(report.summary.notes)
    if facts:  # the diagnostics past the cap and the summary's notes: facts about the run, not results
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [{"level": "note", "message": {"text": fact}} for fact in facts],
            }
        ]
    if report.failure:
        run["invocations"] = [
            {
                "executionSuccessful": False,
                "exitCode": report.failure["exitCode"],
                "toolExecutionNotifications": [{"level": "error", "message": {"text": report.failure["message"]}}],
            }
        ]
    if report.extra and "diffs" in report.extra:  # lint --diff: what --fix would change, in the run's property bag
        run["properties"] = {"diffs": report.extra["diffs"]}
    sarif = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"
