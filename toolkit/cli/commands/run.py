"""``pbcfg resolve``, ``status`` and ``chat``: the runtime, from the command line."""

from __future__ import annotations

import json
import sys

import click

from pbcfg.cli.commands.options import config_dir_option

__all__ = ["chat", "resolve", "status"]


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


def _shown(field: str, value) -> str:
    from pbcfg.util.masking import is_secret_field, mask

    return mask(value.value) if is_secret_field(field) else str(value.value)


@click.command()
@target_options
@config_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as", "as_", type=click.Choice(["pbcfg", "ponybunny"]), default="pbcfg", show_default=True,
              help="ponybunny: also show what PonyBunny's Path B (its conversation agent) will really try.")
def resolve(tier, agent, model, config_dir, fmt, as_) -> None:
    """Print the plan: the ordered (model, endpoint) attempts, with where each value came from."""
    if as_ == "ponybunny":
        from pbcfg.cli.commands.resolve_ponybunny import resolve_as_ponybunny

        return resolve_as_ponybunny(config_dir, _target(tier, agent, model), fmt)
    runtime = _runtime(config_dir)
    plan = runtime.plan(**_target(tier, agent, model))
    attempts = [{"model": c.model, "endpoint": c.endpoint.id, "priority": c.endpoint.priority,
                 "protocol": c.endpoint.protocol,
                 "baseUrl": {"value": str(c.endpoint.base_url.value), "source": c.endpoint.base_url.source},
                 "credentials": {f: {"value": _shown(f, v), "source": v.source}
                                 for f, v in c.endpoint.fields.items() if f != "baseUrl"}}
                for c in plan.attempts]
    dropped = [{"model": d.model, "endpoint": d.endpoint or None, "reason": d.reason} for d in plan.dropped]
    if fmt == "json":
        click.echo(json.dumps({"chain": plan.chain, "attempts": attempts, "dropped": dropped}, indent=2, ensure_ascii=False))
        return
    click.echo(f"chain: {' → '.join(plan.chain) or '(empty)'}")
    click.echo("attempts, in order:" if attempts else "attempts: none, nothing is usable")
    for number, attempt in enumerate(attempts, 1):
        click.echo(f"  {number}. {attempt['model']} @ {attempt['endpoint']} (priority {attempt['priority']})")
        click.echo(f"     baseUrl {attempt['baseUrl']['value']}  ← {attempt['baseUrl']['source']}")
        for field, value in attempt["credentials"].items():
            click.echo(f"     {field} {value['value']}  ← {value['source']}")
    if dropped:
        click.echo("dropped:")
        for entry in dropped:
            click.echo(f"  - {entry['model']} @ {entry['endpoint'] or '-'}: {entry['reason']}")


@click.command()
@config_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds per probe.")
@click.pass_context
def status(ctx, config_dir, fmt, timeout) -> None:
    """Probe every enabled endpoint (GET {baseUrl}/models, which spends no tokens)."""
    runtime = _runtime(config_dir)
    if sys.stderr.isatty() and fmt == "text":
        click.echo(f"probing {sum(e.enabled for e in runtime.endpoints.values())} endpoint(s)…", err=True)
    results = runtime.status(timeout)
    if fmt == "json":
        click.echo(json.dumps([{**r._asdict(), "served": list(r.served), "ok": r.ok} for r in results], indent=2))
    else:
        for r in results:
            latency = f"{r.latency_ms:.0f} ms" if r.latency_ms is not None else "-"
            click.echo(f"{r.endpoint:<20} {r.state:<13} {latency:>8}  {r.detail}")
            if r.hint:
                click.echo(f"{'':<20} hint: {r.hint}")
    ctx.exit(0 if all(r.ok for r in results) else 1)


@click.command()
@target_options
@click.argument("prompt")
@config_dir_option
@click.option("--stream/--no-stream", default=False, help="Print the answer as it arrives.")
@click.option("--max-wait", type=float, default=30.0, show_default=True,
              help="Seconds to wait when every endpoint is over its rate limit.")
@click.option("--rate-limit-storage", metavar="URI", help="Share rate limits: redis://host:6379 (or $PBCFG_RATE_LIMIT_STORAGE).")
@click.option("-v", "--verbose", is_flag=True, help="Print every attempt, with its outcome, on stderr.")
def chat(tier, agent, model, prompt, config_dir, stream, max_wait, rate_limit_storage, verbose) -> None:
    """Run one completion through the runtime; print the answer and who served it."""
    from pbcfg.runtime import RuntimeFailure

    runtime = _runtime(config_dir, rate_limit_storage)
    messages = [{"role": "user", "content": prompt}]
    try:
        result = runtime.complete(messages, stream=stream, max_wait=max_wait, **_target(tier, agent, model))
    except RuntimeFailure as failure:
        if verbose:
            _print_attempts(failure.attempts)
        raise
    if stream:
        for delta in result:
            click.echo(delta, nl=False)
        click.echo()
    else:
        click.echo(result.content)
    if verbose:
        _print_attempts(result.attempts)
    usage = result.usage or {}
    tokens = f"{usage.get('prompt_tokens', '?')} in / {usage.get('completion_tokens', '?')} out tokens"
    tries = len(result.attempts)
    click.echo(f"— {result.model} @ {result.endpoint}, {tokens}, ${result.cost:.6f}"
               + (f", after {tries - 1} failed attempt(s)" if tries > 1 else ""), err=True)


def _print_attempts(attempts) -> None:
    for number, attempt in enumerate(attempts, 1):
        status = f" {attempt.status}" if attempt.status else ""
        detail = f": {attempt.detail}" if attempt.detail else ""
        click.echo(f"attempt {number}: {attempt.model} @ {attempt.endpoint} -> {attempt.outcome}{status}{detail}", err=True)
