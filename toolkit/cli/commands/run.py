"""``pbcfg resolve``, ``status`` and ``chat``: the runtime, from the command line."""

from __future__ import annotations

import sys

import click

from pbcfg.cli.commands.options import SECONDS, config_dir_argument, config_dir_option, report_options
from pbcfg.diagnostics import plural

__all__ = ["chat", "probe_timeout_option", "resolve", "status"]


def target_options(command):
    for option in reversed(
        [
            click.option("--tier", help="A tier: simple, medium, complex, or one of yours."),
            click.option("--agent", help="An agent, e.g. execution."),
            click.option("--model", help="One model id."),
        ]
    ):
        command = option(command)
    return command


def _target(tier, agent, model) -> dict:
    from pbcfg.errors import UsageError

    given = {name: value for name, value in (("tier", tier), ("agent", agent), ("model", model)) if value is not None}
    if len(given) != 1:
        raise UsageError("give exactly one of --tier, --agent or --model")
    return given


def _words(target: dict) -> list[str]:
    """The target as it was typed: ``["--tier", "simple"]``."""
    return [word for name, value in target.items() for word in (f"--{name}", value)]


def _runtime(config_dir, storage=None, **options):
    from pbcfg.runtime import load_runtime

    return load_runtime(config_dir, rate_limit_storage=storage, **options)


def _shown(value) -> str:
    """A value as it may be printed: a Secret shows its mask, anything else passes the redactor."""
    from pbcfg.secrets.boundary import redact

    return redact(str(value.value))


def _plan(plan) -> dict:
    """The plan as data: the ``"plan"`` key of ``resolve --format json``."""
    attempts = [
        {
            "model": c.model,
            "endpoint": c.endpoint.id,
            "priority": c.endpoint.priority,
            "protocol": c.endpoint.protocol,
            "baseUrl": {"value": _shown(c.endpoint.base_url), "source": c.endpoint.base_url.source},
            "credentials": {
                f: {"value": _shown(v), "source": v.source} for f, v in c.endpoint.fields.items() if f != "baseUrl"
            },
        }
        for c in plan.attempts
    ]
    dropped = [
        {"model": d.model, "endpoint": d.endpoint or None, "reason": d.reason, "source": d.source} for d in plan.dropped
    ]
    return {"chain": plan.chain, "attempts": attempts, "dropped": dropped}


def _plan_text(shown: dict) -> str:
    lines = [
        f"chain: {' → '.join(shown['chain']) or '(empty)'}",
        "attempts, in order:" if shown["attempts"] else "attempts: none, nothing is usable",
    ]
    for number, attempt in enumerate(shown["attempts"], 1):
        lines.append(f"  {number}. {attempt['model']} @ {attempt['endpoint']} (priority {attempt['priority']})")
        lines.append(f"     baseUrl {attempt['baseUrl']['value']}  ← {attempt['baseUrl']['source']}")
        lines += [
            f"     {field} {value['value']}  ← {value['source']}" for field, value in attempt["credentials"].items()
        ]
    if shown["dropped"]:
        lines.append("dropped:")
        lines += [f"  - {d['model']} @ {d['endpoint'] or '-'}: {d['reason']}" for d in shown["dropped"]]
    return "\n".join(lines) + "\n"


@click.command()
@target_options
@config_dir_argument
@report_options
@click.option(
    "--as",
    "as_",
    type=click.Choice(["pbcfg", "ponybunny"]),
    default="pbcfg",
    show_default=True,
    help="ponybunny: also show what PonyBunny's Path B (its conversation agent) will really try.",
)
@click.pass_context
def resolve(ctx, tier, agent, model, directory, config_dir, fmt, output, fail_on, color, as_) -> None:
    """Print the plan of DIR (default: the config directory): the ordered (model, endpoint) attempts, with where
    each value came from.

    Every dropped pair is a resolve.dropped finding, an empty plan a resolve.no-route error (exit 1), each at the
    file and pointer where its fix lies; --format json adds the plan itself under "plan". With --as ponybunny,
    pbcfg's plan beside what PonyBunny's Path B will try, a `!` line wherever they differ; --format json gives
    them under "files", "scenarios" and "notes". A tier, agent or model the config does not name is a usage error
    (exit 2).

    \b
    Examples:
      pbcfg resolve --tier simple                   the attempts, in order, and where each value comes from
      pbcfg resolve ./conf --tier simple            the config in ./conf
      pbcfg resolve --agent conversation --as ponybunny
      pbcfg resolve --model llama3.1:8b --format json
    """
    from pbcfg.cli.config_dirs import chosen_config_dir
    from pbcfg.cli.names import checked_target
    from pbcfg.reporters import emit
    from pbcfg.secrets.boundary import redact
    from pbcfg.workflows.findings import config_files, plan_findings

    target = _target(tier, agent, model)
    words = ["resolve", *_words(target)] + (["--as", as_] if as_ != "pbcfg" else [])
    chosen = chosen_config_dir(directory, config_dir, words)
    if as_ == "ponybunny":
        compared = _compared_with_path_b(chosen.path, target)
        ctx.exit(
            emit(
                "resolve",
                compared.config_files,
                [],
                fmt=fmt or "text",
                fail_on=fail_on,
                color=color,
                output=output,
                extra=compared.extra(),
                text=chosen.header() + compared.text(),
            )
        )
    ((what, name),) = target.items()
    with _runtime(chosen.path) as runtime:
        checked_target(runtime.config, target, chosen.path)
        plan = runtime.plan(**target)
        shown = _plan(plan)
        findings = plan_findings(runtime, plan, ({"tier": "tiers", "agent": "agents"}.get(what, what), name))
        code = emit(
            "resolve",
            config_files(runtime),
            findings,
            fmt=fmt,
            fail_on=fail_on,
            color=color,
            output=output,
            extra={"plan": shown},
            text=redact(chosen.header() + _plan_text(shown)),
        )
    ctx.exit(code)


def _compared_with_path_b(directory: str, target: dict):
    """The comparison of ``resolve --as ponybunny``; a name the config lacks is a usage error."""
    import os

    from pbcfg.check.ponybunny_view import ponybunny_view
    from pbcfg.cli.names import checked_target
    from pbcfg.workflows.path_b_comparison import compare_with_path_b

    view = ponybunny_view(directory)
    if not view.config_error:
        checked_target(view.merged, target, directory)
    return compare_with_path_b(directory, target, dict(os.environ), view)


def _status_text(results) -> str:
    from pbcfg.workflows.findings import status_hint

    lines = []
    for r in results:
        latency = f"{r.latency_ms:.0f} ms" if r.latency_ms is not None else "-"
        lines.append(f"{r.endpoint:<20} {r.state:<13} {latency:>8}  {r.detail}")
        if status_hint(r):
            lines.append(f"{'':<20} hint: {status_hint(r)}")
    return "\n".join(lines) + "\n"


def probe_timeout_option(command):
    """``--timeout``: the whole of each ``GET /models`` probe (status, doctor)."""
    return click.option(
        "--timeout",
        type=SECONDS,
        default=5.0,
        show_default=True,
        help="Seconds for each endpoint's probe, all of it (a positive number).",
    )(command)


@click.command()
@config_dir_argument
@report_options
@probe_timeout_option
@click.pass_context
def status(ctx, directory, config_dir, fmt, output, fail_on, color, timeout) -> None:
    """Probe every enabled endpoint of DIR (default: the config directory) with GET {baseUrl}/models, which
    spends no tokens.

    An endpoint that is not ok is a status.<state> finding at the file and pointer its base URL comes from (exit 1);
    --format json adds every endpoint's result under "endpoints".

    \b
    Examples:
      pbcfg status                                   every enabled endpoint of the config directory
      pbcfg status ./pb --timeout 2
      pbcfg status --format github                   annotations in a CI job
    """
    from pbcfg.cli.config_dirs import chosen_config_dir
    from pbcfg.reporters import emit
    from pbcfg.secrets.boundary import redact
    from pbcfg.workflows.findings import config_files, status_findings

    chosen = chosen_config_dir(directory, config_dir, ["status"])
    with _runtime(chosen.path) as runtime:
        if sys.stderr.isatty() and fmt in (None, "text") and output is None:
            click.echo(f"probing {plural(sum(e.enabled for e in runtime.endpoints.values()), 'endpoint')}…", err=True)
        results = runtime.status(timeout)
        endpoints = [{**r._asdict(), "served": list(r.served), "absent": list(r.absent), "ok": r.ok} for r in results]
        code = emit(
            "status",
            config_files(runtime),
            status_findings(runtime, results),
            fmt=fmt,
            fail_on=fail_on,
            color=color,
            output=output,
            extra={"endpoints": endpoints},
            text=redact(chosen.header() + _status_text(results)),
        )
    ctx.exit(code)


@click.command()
@target_options
@click.argument("words", nargs=-1, required=True, metavar="[DIR] PROMPT")
@config_dir_option
@click.option("--stream/--no-stream", default=False, help="Print the answer as it arrives.")
@click.option(
    "--timeout",
    type=SECONDS,
    default=None,
    help="Seconds for each attempt, all of it (default: defaults.timeout of llm-config.json, 120).",
)
@click.option(
    "--deadline",
    type=SECONDS,
    default=None,
    help="Seconds for the whole call: every attempt, retry, wait and the stream end by it.",
)
@click.option(
    "--max-wait",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds to wait when every endpoint is over its rate limit.",
)
@click.option(
    "--rate-limit-storage",
    metavar="URI",
    help="Share rate limits and cooldowns with other workers: redis://host:6379 (or $PBCFG_RATE_LIMIT_STORAGE).",
)
@click.option("-v", "--verbose", is_flag=True, help="Print every attempt, with its outcome and hint, on stderr.")
@report_options
def chat(
    tier,
    agent,
    model,
    words,
    config_dir,
    stream,
    timeout,
    deadline,
    max_wait,
    rate_limit_storage,
    verbose,
    fmt,
    output,
    fail_on,
    color,
) -> None:
    """Run PROMPT through the runtime with the config of DIR (default: the config directory); print the answer
    and who served it.

    --format json gives the answer under "answer": content, model, endpoint, usage, cost, finish reason and every
    attempt (a stream is printed once it ends).

    \b
    Examples:
      pbcfg chat --tier simple "Say hi"
      pbcfg chat ./conf --tier simple "Say hi"       the config in ./conf
      pbcfg chat --agent execution --stream -v "Summarise README.md"
      pbcfg chat --tier simple --timeout 20 --deadline 60 "hi"
      pbcfg chat --model llama3.1:8b --rate-limit-storage redis://127.0.0.1:6379 "hi"
    """
    from pbcfg.cli.config_dirs import chosen_config_dir
    from pbcfg.cli.names import checked_target
    from pbcfg.errors import UsageError
    from pbcfg.runtime import RuntimeFailure

    if len(words) > 2:
        raise UsageError(f"chat takes [DIR] PROMPT, not {len(words)} words: quote the prompt")
    directory, prompt = (None, words[0]) if len(words) == 1 else words
    target = _target(tier, agent, model)
    chosen = chosen_config_dir(directory, config_dir, ["chat", *_words(target), prompt])
    click.echo(chosen.header(), nl=False, err=True)
    messages = [{"role": "user", "content": prompt}]
    options = {"timeout": timeout} if timeout is not None else {}
    printed = False  # part of an answer is on the line: end it before any error
    as_text = fmt in (None, "text") and output is None
    with _runtime(chosen.path, rate_limit_storage) as runtime:
        checked_target(runtime.config, target, chosen.path)
        try:
            result = runtime.complete(
                messages, stream=stream, max_wait=max_wait, deadline=deadline, **target, **options
            )
            if stream:
                with result:
                    for delta in result:
                        if as_text:
                            click.echo(delta, nl=False)
                            printed = True
                if as_text:
                    click.echo()
            elif as_text:
                click.echo(result.content)
        except RuntimeFailure as failure:
            if printed:
                click.echo()
            if verbose:
                _print_attempts(failure.attempts)
            hint = _failure_hint(failure, chosen.path, target)
            if hint in str(failure):  # the first attempt's own hint, said already
                raise
            raise RuntimeFailure(f"{failure}. Hint: {hint}", failure.attempts) from None
    if verbose:
        _print_attempts(result.attempts)
    tries = len(result.attempts)
    click.echo(
        f"— {result.model} @ {result.endpoint}, {_usage(result.usage, result.cost)}"
        + (f", after {plural(tries - 1, 'failed attempt')}" if tries > 1 else ""),
        err=True,
    )
    if not as_text:
        from pbcfg.cli.data_report import emit_data

        emit_data(
            "chat",
            "answer",
            _answer(result),
            result.content + "\n",
            fmt=fmt,
            output=output,
            fail_on=fail_on,
            color=color,
        )


def _answer(result) -> dict:
    """The ``"answer"`` key of ``chat --format json``: a completion or a stream that has ended."""
    from pbcfg.secrets.boundary import redact

    attempts = [
        {
            **attempt._asdict(),
            "outcome": str(attempt.outcome),
            "detail": redact(attempt.detail),
            "hint": attempt.hint and redact(attempt.hint),
        }
        for attempt in result.attempts
    ]
    return {
        "content": result.content,
        "model": result.model,
        "endpoint": result.endpoint,
        "usage": result.usage,
        "cost": result.cost,
        "finishReason": result.finish_reason,
        "attempts": attempts,
    }


def _failure_hint(failure, directory: str, target: dict) -> str:
    """What to do next, for every way a call can fail: the first attempt's own hint when it has one."""
    from pbcfg.runtime import AllAttemptsFailed, NoRoute, RateLimited, RequestRejected, StreamInterrupted
    from pbcfg.source.commands import pbcfg_on

    if isinstance(failure, NoRoute):
        return f"`{pbcfg_on(directory, 'resolve', *_words(target))}` shows why each pair is left out"
    if isinstance(failure, RateLimited):
        return f"run it again in {failure.retry_after:.0f} s, or wait longer with --max-wait"
    if isinstance(failure, RequestRejected):
        return "the server refused the request itself: another model would not fix it; check the prompt's size"
    if isinstance(failure, StreamInterrupted):
        return "run it again; -v shows every attempt"
    tried = [a for a in failure.attempts if a.outcome not in ("retry", "rate-limited", "cooldown")]
    if isinstance(failure, AllAttemptsFailed) and failure.first == "the call's deadline passed":
        return "give the call more time with --deadline, or each attempt less with --timeout"
    if tried and tried[0].hint:
        return tried[0].hint
    probe = pbcfg_on(directory, "status")
    if tried and tried[0].outcome == "failed":
        return f"is the server behind {tried[0].endpoint} running and reachable? `{probe}` probes every endpoint"
    return f"-v shows every attempt; `{probe}` probes every endpoint"


def _usage(usage: dict, cost: float | None) -> str:
    if cost is None:
        return "tokens and cost unknown (the server reported no usage)"
    return f"{usage.get('prompt_tokens', 0)} in / {usage.get('completion_tokens', 0)} out tokens, ${cost:.6f}"


def _print_attempts(attempts) -> None:
    for number, attempt in enumerate(attempts, 1):
        status = f" {attempt.status}" if attempt.status else ""
        detail = f": {attempt.detail}" if attempt.detail else ""
        click.echo(
            f"attempt {number}: {attempt.model} @ {attempt.endpoint} -> {attempt.outcome}{status}{detail}", err=True
        )
        if attempt.hint:
            click.echo(f"  hint: {attempt.hint}", err=True)
