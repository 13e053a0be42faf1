"""The ``pbcfg`` entry point.

``main`` owns the promise that no input ever ends in a traceback: pbcfg's own
errors become one line and the exit code documented in :mod:`pbcfg.reporters.report`.
It offers the command line to the hot path (:mod:`pbcfg.cli.hotpath`) first, so
``pbcfg validate FILE...`` and ``pbcfg lint FILE...`` from pre-commit never
import Click; everything else goes through the Click group in
:mod:`pbcfg.cli.commands`.

Everything pbcfg prints passes one redaction boundary (:mod:`pbcfg.secrets.boundary`): for the length of
the run, ``sys.stdout`` and ``sys.stderr`` mask every secret in play, whoever writes to them: a reporter,
Click, a diff, an exception's message. The environment's secrets are registered first; the secrets of every
file the run reads or checks are registered as they are found.

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
    from pbcfg.secrets.boundary import guard_run, unguard_run

    streams = guard_run(os.environ)
    try:
        hot, code = _exit_code(argv)
        if hot and argv is None:
            _exit_now(code)
    finally:
        unguard_run(streams)
    sys.exit(code)


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
        _report_failure(argv, str(error), error.exit_code)
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
        _say(
            f"pbcfg: internal error: {type(error).__name__}: {error} "
            "(this is a bug; rerun with PBCFG_DEBUG=1 for the traceback)"
        )
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
        message = f"{_one_line(error.format_message())} (try `{command} --help`)"
        _say(f"pbcfg: error: {message}")
        _report_failure(argv, message, error.exit_code)
        return error.exit_code
    except click.ClickException as error:
        _say(f"pbcfg: error: {_one_line(error.format_message())}")
        _report_failure(argv, _one_line(error.format_message()), error.exit_code)
        return error.exit_code
    except click.Abort:
        _say("pbcfg: aborted")
        return 130
    return code if isinstance(code, int) else 0


def _exit_now(code: int) -> None:
    """Flush what was written, then end the process without the interpreter's teardown."""
    from pbcfg.secrets.boundary import flush_output

    flush_output()
    os._exit(code)


def _one_line(message: str) -> str:
    """Click's sentence ("No such option: --x.") as the rest of pbcfg's messages read: one lowercase clause."""
    message = " ".join(message.split()).rstrip(".")
    return message[:1].lower() + message[1:]


def _report_failure(argv: list[str] | None, message: str, code: int) -> None:
    """With --format json, sarif or junit, the failure goes to stdout too, as the one document the run prints."""
    from pbcfg.reporters import emit_failure

    emit_failure(sys.argv[1:] if argv is None else list(argv), message, code)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
