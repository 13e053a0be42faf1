"""GitHub Actions workflow commands: one ``::error file=…,line=…,col=…,title=RULE::message`` each."""

from __future__ import annotations

__all__ = ["render"]

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report) -> str:
    lines = []
    for d in report.diagnostics:
        props = [f"file={_property(d.file)}"]
        if d.span:
            props += [f"line={d.line}", f"col={d.column}"]
        props.append(f"title={_property(d.rule)}")
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        lines.append(f"::{_COMMAND[d.severity.label]} {','.join(props)}::{_data(message)}")
    lines.extend(report.summary.hidden_lines())  # plain log lines, not annotations
    lines.extend(f"note: {note}" for note in report.summary.notes)
    return "".join(line + "\n" for line in lines)
