"""The one redaction boundary: the function every emitted byte passes, and the streams that apply it.

Whatever pbcfg prints, writes as a report or raises as a message passes
:func:`redact` first, before any truncation. A server may echo a key whole,
cut, URL-encoded or JSON-escaped, so any run of
:data:`~pbcfg.secrets.masking.MIN_RUN` or more characters of a known secret
(:mod:`pbcfg.secrets.known`), in any of those forms, is masked, character for
character, so columns stay where they were. For a CLI run, :func:`guard_run`
makes ``sys.stdout`` and ``sys.stderr`` :class:`RedactingStream` streams, so
nothing written to them, by a reporter, Click, a diff or an exception's
message, goes around it.
"""

from __future__ import annotations

import sys

from pbcfg.secrets.known import REDACTOR, register_environment, register_what_is_found
from pbcfg.secrets.masking import MIN_RUN

__all__ = ["RedactingStream", "flush_output", "guard_run", "redact", "unguard_run"]


def redact(text: str) -> str:
    """``text`` as it may be shown: every known secret masked (see :class:`~pbcfg.secrets.known.Redactor`)."""
    return REDACTOR.redact(text)


def guard_run(env) -> tuple:
    """Start a CLI run: the environment's secrets registered, every file's registered as it is read, stdout and
    stderr masked. Returns the streams :func:`unguard_run` puts back."""
    register_environment(env)
    register_what_is_found()
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(sys.stdout), RedactingStream(sys.stderr)
    return streams


def flush_output() -> None:
    """Write out what stdout and stderr hold back."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            pass


def unguard_run(streams: tuple) -> None:
    """End a CLI run: what is held back written out, the streams :func:`guard_run` replaced put back."""
    flush_output()
    sys.stdout, sys.stderr = streams
    register_what_is_found(False)


class RedactingStream:
    """A text stream that masks every registered secret before it passes text on.

    A secret may arrive in pieces (one write each), so the last characters of an unfinished line are held back
    until the next write, a newline or a flush: at most :data:`~pbcfg.secrets.masking.MIN_RUN` - 1 of them, which
    are masked with the characters written before them as context. Its ``buffer`` masks too (Click writes
    shell completions as bytes), so nothing writes around it.
    """

    def __init__(self, stream) -> None:
        self._stream = stream
        self._context = ""  # the last characters passed on, as written: a run may have begun in them
        self._pending = ""  # held back: a run may go on in the next write

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        unfinished = self._pending + text
        keep = 0 if unfinished.endswith("\n") else min(MIN_RUN - 1, len(unfinished) - unfinished.rfind("\n") - 1)
        self._pass_on(unfinished, len(unfinished) - keep)
        self._pending = unfinished[len(unfinished) - keep :]
        return len(text)

    def _pass_on(self, text: str, count: int) -> None:
        """The first ``count`` characters of ``text``, masked as the characters around them say."""
        if count:
            start = len(self._context)
            self._stream.write(redact(self._context + text)[start : start + count])
            self._context = (self._context + text[:count])[-(MIN_RUN - 1) :]

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pending, self._pending = self._pending, ""
        self._pass_on(pending, len(pending))
        self._stream.flush()

    @property
    def buffer(self) -> _RedactingBytes:
        return _RedactingBytes(self)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class _RedactingBytes:
    """The binary side of a :class:`RedactingStream`: bytes are masked as UTF-8 text, after the text side's
    pending characters are passed on."""

    def __init__(self, text: RedactingStream) -> None:
        self._text = text

    def write(self, data) -> int:
        self._text.flush()
        shown = redact(bytes(data).decode("utf-8", "surrogateescape"))
        underlying = getattr(self._text._stream, "buffer", None)
        if underlying is None:
            self._text._stream.write(shown)
        else:
            underlying.write(shown.encode("utf-8", "surrogateescape"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()
        getattr(self._text._stream, "buffer", self._text._stream).flush()
