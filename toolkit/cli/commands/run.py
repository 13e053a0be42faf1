"""``pbcfg resolve``, ``status`` and ``chat``: the runtime, from the command line."""

from __future__ import annotations

import sys

import click

from pbcfg.cli.commands.options import config_dir_option, report_options
from pbcfg.diagnostics import plural

__all__ = ["chat", "probe_timeout_option", "resolve", "status"]


def target_options(command):
    for option in reversed([
        click.option("--tier", help="A tier: simple, medium, complex, or one of yours."),
        click.option("--agent", help="An agent, e.g. execution."),
        click.option("--model", help="One model id."),
    ]):
        command = option(command)
    return command


def _target(tier, agent, model) -> dict:
    from pbcfg.errors import UsageError

    given = {name: value for name, value in (("tier", tier), ("agent", agent), ("model", model)) if value is not None}
    if len(given) != 1:
        raise UsageError("give exactly one of --tier, --agent or --model")
    return given


def _runtime(config_dir, storage=None, **options):
    from pbcfg.runtime import load_runtime

    return load_runtime(config_dir, rate_limit_storage=storage, **options)


def _shown(value) -> str:
    """A value as it may be printed: a Secret shows its mask, anything else passes the redactor."""
    from pbcfg.util.redaction import redact

    return redact(str(value.value))


def _plan(plan) -> dict:
    """The plan as data: the ``"plan"`` key of ``resolve --format json``."""
    attempts = [{"model": c.model, "endpoint": c.endpoint.id, "priority": c.endpoint.priority,
                 "protocol": c.endpoint.protocol,
                 "baseUrl": {"value": _shown(c.endpoint.base_url), "source": c.endpoint.base_url.source},
                 "credentials": {f: {"value": _shown(v), "source": v.source}
                                 for f, v in c.endpoint.fields.items() if f != "baseUrl"}}
                for c in plan.attempts]
    dropped = [{"model": d.model, "endpoint": d.endpoint or None, "reason": d.reason, "source": d.source}
               for d in plan.dropped]
    return {"chain": plan.chain, "attempts": attempts, "dropped": dropped}


def _plan_text(shown: dict) -> str:
    lines = [f"chain: {' → '.join(shown['chain']) or '(empty)'}",
             "attempts, in order:" if shown["attempts"] else "attempts: none, nothing is usable"]
    for number, attempt in enumerate(shown["attempts"], 1):
        lines.append(f"  {number}. {attempt['model']} @ {attempt['endpoint']} (priority {attempt['priority']})")
        lines.append(f"     baseUrl {attempt['baseUrl']['value']}  ← {attempt['baseUrl']['source']}")
        lines += [f"     {field} {value['value']}  ← {value['source']}" for field, value in attempt["credentials"].items()]
    if shown["dropped"]:
        lines.append("dropped:")
        lines += [f"  - {d['model']} @ {d['endpoint'] or '-'}: {d['reason']}" for d in shown["dropped"]]
    return "\n".join(lines) + "\n"


@click.command()
@target_options
@config_dir_option
@report_options
@click.option("--as", "as_", type=click.Choice(["pbcfg", "ponybunny"]), default="pbcfg", show_default=True,
              help="ponybunny: also show what PonyBunny's Path B (its conversation agent) will really try "
                   "(text or json).")
@click.pass_context
def resolve(ctx, tier, agent, model, config_dir, fmt, output, fail_on, color, as_) -> None:
    """Print the plan: the ordered (model, endpoint) attempts, with where each value came from.

    Every dropped pair is a resolve.dropped finding, an empty plan a resolve.no-route error (exit 1), each at the
    file and pointer where its fix lies; --format json adds the plan itself under "plan". With --as ponybunny,
    pbcfg's plan beside what PonyBunny's Path B will try, a `!` line wherever they differ.

    \b
    Examples:
      pbcfg resolve --tier simple                   the attempts, in order, and where each value comes from
      pbcfg resolve --agent conversation --as ponybunny
      pbcfg resolve --model llama3.1:8b --format json
    """
    from pbcfg.reporters import emit
    from pbcfg.runtime.findings import config_files, plan_findings
    from pbcfg.util.redaction import redact

    target = _target(tier, agent, model)
    if as_ == "ponybunny":
        if fmt not in (None, "text", "json") or output is not None:
            from pbcfg.errors import UsageError

            raise UsageError("--as ponybunny prints text or json on stdout: leave out --output, use --format json")
        from pbcfg.cli.commands.resolve_ponybunny import resolve_as_ponybunny

        return resolve_as_ponybunny(config_dir, target, fmt or "text")
    (what, name), = target.items()
    with _runtime(config_dir) as runtime:
        plan = runtime.plan(**target)
        shown = _plan(plan)
        findings = plan_findings(runtime, plan, ({"tier": "tiers", "agent": "agents"}.get(what, what), name))
        code = emit("resolve", config_files(runtime), findings, fmt=fmt, fail_on=fail_on, color=color, output=output,
                    extra={"plan": shown}, text=redact(_plan_text(shown)))
    ctx.exit(code)


def _status_text(results) -> str:
    lines = []
    for r in results:
        latency = f"{r.latency_ms:.0f} ms" if r.latency_ms is not None else "-"
        lines.append(f"{r.endpoint:<20} {r.state:<13} {latency:>8}  {r.detail}")
        if r.hint:
            lines.append(f"{'':<20} hint: {r.hint}")
    return "\n".join(lines) + "\n"


def probe_timeout_option(command):
    """``--timeout``: the whole of each ``GET /models`` probe (status, doctor)."""
    return click.option("--timeout", type=float, default=5.0, show_default=True,
                        help="Seconds for each endpoint's probe, all of it.")(command)


@click.command()
@config_dir_option
@report_options
@probe_timeout_option
@click.pass_context
def status(ctx, config_dir, fmt, output, fail_on, color, timeout) -> None:
    """Probe every enabled endpoint (GET {baseUrl}/models, which spends no tokens).

    An endpoint that is not ok is a status.<state> finding at the file and pointer its base URL comes from (exit 1);
    --format json adds every endpoint's result under "endpoints".

    \b
    Examples:
      pbcfg status                                   every enabled endpoint of the config directory
      pbcfg status --config-dir ./pb --timeout 2
      pbcfg status --format github                   annotations in a CI job
    """
    from pbcfg.reporters import emit
    from pbcfg.runtime.findings import config_files, status_findings
    from pbcfg.util.redaction import redact

    with _runtime(config_dir) as runtime:
        if sys.stderr.isatty() and fmt in (None, "text") and output is None:
            click.echo(f"probing {plural(sum(e.enabled for e in runtime.endpoints.values()), 'endpoint')}…", err=True)
        results = runtime.status(timeout)
        endpoints = [{**r._asdict(), "served": list(r.served), "absent": list(r.absent), "ok": r.ok} for r in results]
        code = emit("status", config_files(runtime), status_findings(runtime, results), fmt=fmt, fail_on=fail_on,
                    color=color, output=output, extra={"endpoints": endpoints}, text=redact(_status_text(results)))
    ctx.exit(code)


@click.command()
@target_options
@click.argument("prompt")
@config_dir_option
@click.option("--stream/--no-stream", default=False, help="Print the answer as it arrives.")
@click.option("--max-wait", type=float, default=30.0, show_default=True,
              help="Seconds to wait when every endpoint is over its rate limit.")
@click.option("--rate-limit-storage", metavar="URI", help="Share rate limits: redis://host:6379 (or $PBCFG_RATE_LIMIT_STORAGE).")
@click.option("-v", "--verbose", is_flag=True, help="Print every attempt, with its outcome and hint, on stderr.")
def chat(tier, agent, model, prompt, config_dir, stream, max_wait, rate_limit_storage, verbose) -> None:
    """Run one completion through the runtime; print the answer and who served it.

    \b
    Examples:
      pbcfg chat --tier simple "Say hi"
      pbcfg chat --agent execution --stream -v "Summarise README.md"
      pbcfg chat --model llama3.1:8b --rate-limit-storage redis://127.0.0.1:6379 "hi"
    """
    from pbcfg.runtime import RuntimeFailure

    messages = [{"role": "user", "content": prompt}]
    printed = False  # part of an answer is on the line: end it before any error
    with _runtime(config_dir, rate_limit_storage) as runtime:
        try:
            result = runtime.complete(messages, stream=stream, max_wait=max_wait, **_target(tier, agent, model))
            if stream:
                with result:
                    for delta in result:
                        click.echo(delta, nl=False)
                        printed = True
                click.echo()
            else:
                click.echo(result.content)
        except RuntimeFailure as failure:
            if printed:
                click.echo()
            if verbose:
                _print_attempts(failure.attempts)
            raise
    if verbose:
        _print_attempts(result.attempts)
    tries = len(result.attempts)
    click.echo(f"— {result.model} @ {result.endpoint}, {_usage(result.usage, result.cost)}"
               + (f", after {plural(tries - 1, 'failed attempt')}" if tries > 1 else ""), err=True)


def _usage(usage: dict, cost: float | None) -> str:
    if cost is None:
        return "tokens and cost unknown (the server reported no usage)"
    return (f"{usage.get('prompt_tokens', 0)} in / {usage.get('completion_tokens', 0)} out tokens, ${cost:.6f}")


def _print_attempts(attempts) -> None:
    for number, attempt in enumerate(attempts, 1):
        status = f" {attempt.status}" if attempt.status else ""
        detail = f": {attempt.detail}" if attempt.detail else ""
        click.echo(f"attempt {number}: {attempt.model} @ {attempt.endpoint} -> {attempt.outcome}{status}{detail}", err=True)
        if attempt.hint:
            click.echo(f"  hint: {attempt.hint}", err=True)
