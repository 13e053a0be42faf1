"""Output of commands that print data rather than findings (a preset, a schema, an answer), through the reporters.

Their text is what they always printed; ``--format json`` gives the standard shape (``diagnostics``, ``summary``)
with the data under one documented key; ``github``, ``sarif`` and ``junit`` report their (empty) findings. The
default stays text even under GitHub Actions: the data is the point, and annotations would drop it.
"""

from __future__ import annotations

__all__ = ["emit_data"]


def emit_data(
    tool: str,
    key: str,
    data: object,
    text: str,
    *,
    fmt: str | None,
    output: str | None,
    fail_on: str = "error",
    color: bool | None = None,
    files: list[str] | tuple[str, ...] = (),
) -> int:
    """Print ``text`` (format text) or the report with ``{key: data}`` added; the exit code (0: no findings)."""
    from pbcfg.reporters import emit

    return emit(
        tool,
        list(files),
        [],
        fmt=fmt or "text",
        fail_on=fail_on,
        color=color,
        output=output,
        extra={key: data},
        text=text,
    )
