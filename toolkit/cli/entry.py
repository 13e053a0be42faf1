"""The ``pbcfg`` entry point.

``main`` owns the promise that no input ever ends in a traceback: pbcfg's own
errors become one line and the exit code documented in :mod:`pbcfg.report`.
It offers the command line to the hot path (:mod:`pbcfg.hotpath`) first, so
``pbcfg validate FILE...`` and ``pbcfg lint FILE...`` from pre-commit never
import Click; everything else goes through the Click group in
:mod:`pbcfg.commands`.

Everything pbcfg prints passes one redaction boundary: for the length of the
run, ``sys.stdout`` and ``sys.stderr`` are :class:`_Redacting` streams that
mask every secret in play (:mod:`pbcfg.util.redaction`), whoever writes to
them: a reporter, Click, a diff, an exception's message. The environment's
secrets are registered first; files register theirs as they are read.

A hot command run as the console script (``argv`` None) ends with
``os._exit`` once its output is flushed, as mypy does: the interpreter's
teardown frees every module one by one, about 5 ms of a 50 ms budget, for a
process that is done. Nothing on the hot path registers ``atexit`` work or
starts a thread, and its only writes are to stdout and stderr.
"""

from __future__ import annotations

import os
import sys

from pbcfg.errors import PbcfgError

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run pbcfg on ``argv`` (default: the process's arguments) and exit with the documented code."""
    from pbcfg.util.known_secrets import register_environment

    register_environment(os.environ)
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Redacting(sys.stdout), _Redacting(sys.stderr)
    try:
        hot, code = _exit_code(argv)
        if hot and argv is None:
            _exit_now(code)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can reach it
                pass
        sys.stdout, sys.stderr = streams
    sys.exit(code)


class _Redacting:
    """A text stream that masks every registered secret before it passes text on.

    A secret may arrive in pieces (one write each), so the last characters of an unfinished line are held back
    until the next write, a newline or a flush: at most :data:`~pbcfg.util.redaction.MIN_RUN` - 1 of them, which
    are masked with the characters written before them as context. Its ``buffer`` masks too (Click writes
    shell completions as bytes), so nothing writes around it.
    """

    def __init__(self, stream) -> None:
        self._stream = stream
        self._context = ""  # the last characters passed on, as written: a run may have begun in them
        self._pending = ""  # held back: a run may go on in the next write

    def write(self, text: str) -> int:
        from pbcfg.util.redaction import MIN_RUN

        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        unfinished = self._pending + text
        keep = 0 if unfinished.endswith("\n") else min(MIN_RUN - 1, len(unfinished) - unfinished.rfind("\n") - 1)
        self._pass_on(unfinished, len(unfinished) - keep)
        self._pending = unfinished[len(unfinished) - keep:]
        return len(text)

    def _pass_on(self, text: str, count: int) -> None:
        """The first ``count`` characters of ``text``, masked as the characters around them say."""
        from pbcfg.util.redaction import MIN_RUN, redact

        if count:
            start = len(self._context)
            self._stream.write(redact(self._context + text)[start : start + count])
            self._context = (self._context + text[:count])[-(MIN_RUN - 1):]

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pending, self._pending = self._pending, ""
        self._pass_on(pending, len(pending))
        self._stream.flush()

    @property
    def buffer(self) -> "_RedactingBytes":
        return _RedactingBytes(self)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class _RedactingBytes:
    """The binary side of a :class:`_Redacting` stream: bytes are masked as UTF-8 text, after the text side's
    pending characters are passed on."""

    def __init__(self, text: _Redacting) -> None:
        self._text = text

    def write(self, data) -> int:
        from pbcfg.util.redaction import redact

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


def _exit_code(argv: list[str] | None) -> tuple[bool, int]:
    """(whether the hot path ran, the exit code)."""
    try:
        from pbcfg.cli.hotpath import run_hot

        code = run_hot(sys.argv[1:] if argv is None else list(argv))
        return (False, _click_exit_code(argv)) if code is None else (True, code)
    except KeyboardInterrupt:
        _say("pbcfg: interrupted")
        return False, 130
    except PbcfgError as error:
        _say(f"pbcfg: error: {error}")
        return False, error.exit_code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return False, 1
    except Exception as error:  # a bug: say so in one line, keep the traceback for debugging
        if os.environ.get("PBCFG_DEBUG"):
            raise
        from pbcfg.util.oserrors import WRITE_ERRNOS, write_error

        if isinstance(error, OSError) and error.errno in WRITE_ERRNOS:  # e.g. stdout on a full disk: not a bug
            _say(f"pbcfg: error: {write_error(error, error.filename or 'output')}")
            return False, 2
        _say(f"pbcfg: internal error: {type(error).__name__}: {error} "
             "(this is a bug; rerun with PBCFG_DEBUG=1 for the traceback)")
        return False, 2


def _click_exit_code(argv: list[str] | None) -> int:
    """Run the Click group; ``argv`` stays None for Click's own reading of sys.argv."""
    import click

    from pbcfg.cli.commands import cli

    try:
        code = cli.main(args=argv, prog_name="pbcfg", standalone_mode=False)
    except click.exceptions.Exit as stop:
        return stop.exit_code
    except click.UsageError as error:  # one line, like every failure, and where to look
        command = error.ctx.command_path if error.ctx else "pbcfg"
        _say(f"pbcfg: error: {_one_line(error.format_message())} (try `{command} --help`)")
        return error.exit_code
    except click.ClickException as error:
        _say(f"pbcfg: error: {_one_line(error.format_message())}")
        return error.exit_code
    except click.Abort:
        _say("pbcfg: aborted")
        return 130
    return code if isinstance(code, int) else 0


def _exit_now(code: int) -> None:
    """Flush what was written, then end the process without the interpreter's teardown."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            pass
    os._exit(code)


def _one_line(message: str) -> str:
    """Click's sentence ("No such option: --x.") as the rest of pbcfg's messages read: one lowercase clause."""
    message = " ".join(message.split()).rstrip(".")
    return message[:1].lower() + message[1:]


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
