"""``file:line:col: severity rule message``, the caret snippet, then the hint."""

from __future__ import annotations

__all__ = ["render"]

_COLORS = {"error": "31", "warning": "33", "info": "36"}


def _paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def render(report) -> str:
    lines = []
    for d in report.diagnostics:
        where = f"{d.file}:{d.line}:{d.column}" if d.span else d.file
        severity = _paint(d.severity.label, "1;" + _COLORS[d.severity.label], report.color)
        lines.append(f"{_paint(where, '1', report.color)}: {severity} {d.rule} {d.message}")
        if d.snippet:
            lines.extend("    " + line for line in d.snippet.split("\n"))
        if d.hint:
            lines.append(f"  {_paint('hint:', '32', report.color)} {d.hint}")
    if not report.quiet:
        lines.extend(report.summary.lines())
    return "".join(line + "\n" for line in lines)
