"""``pbcfg lint``: validate, then the rules that catch what PonyBunny silently gets wrong."""

from __future__ import annotations

import click

from pbcfg.cli.commands.options import config_dir_option, report_options
from pbcfg.diagnostics import MAX_DIAGNOSTICS
from pbcfg.source.reading import KINDS

__all__ = ["lint"]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@config_dir_option
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default=None,
    help="Kind of files whose name and $schema do not tell (required with -, stdin).",
)
@click.option(
    "--fix", is_flag=True, help="Apply the safe fixes (atomically, keeping a backup), then report what is left."
)
@click.option("--diff", is_flag=True, help="Show what --fix would change, and write nothing.")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff, also the fixes that guess (e.g. adding /v1 where the port names a server).",
)
@click.option("--no-backup", is_flag=True, help="With --fix, keep no backup of changed files.")
@click.option(
    "--select",
    multiple=True,
    default=(),
    metavar="RULES",
    help="Only these rules or groups (comma-separated, repeatable); replaces the settings file's select.",
)
@click.option(
    "--ignore",
    multiple=True,
    default=(),
    metavar="RULES",
    help="Not these rules or groups (comma-separated, repeatable), on top of the settings file.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print the diagnostics and nothing else (no summary).")
@click.option(
    "--max-diagnostics",
    type=click.IntRange(min=0),
    default=MAX_DIAGNOSTICS,
    show_default=True,
    metavar="N",
    help="Report at most N diagnostics per file, then how many more (0: every one).",
)
@click.option("--explain", metavar="RULE", help="Explain one rule and exit.")
@click.option("--list-rules", is_flag=True, help="Print the rule table (Markdown) and exit.")
@report_options
@click.pass_context
def lint(
    ctx: click.Context,
    paths: tuple[str, ...],
    config_dir: str | None,
    kind: str | None,
    fix: bool,
    diff: bool,
    unsafe_fixes: bool,
    no_backup: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    quiet: bool,
    max_diagnostics: int,
    explain: str | None,
    list_rules: bool,
    fmt: str | None,
    output: str | None,
    fail_on: str,
    color: bool | None,
) -> None:
    """Lint PATHS (files, config directories, - for stdin; default: the config directory).

    \b
    Examples:
      pbcfg lint                                     the config directory
      pbcfg lint --diff                              what --fix would change
      pbcfg lint --fix                               apply the safe fixes (a .bak of each changed file)
      pbcfg lint --fix --unsafe-fixes                also the fixes that guess (e.g. a missing /v1)
      pbcfg lint --select secrets,url --ignore url.trailing-slash
      pbcfg lint --explain url.missing-v1
      cat llm-config.json | pbcfg lint - --kind llm-config
    """
    if list_rules or explain:
        ctx.exit(_describe_rules(None if list_rules else explain, fmt=fmt, output=output))
    from pbcfg.cli.actions import run_lint

    ctx.exit(
        run_lint(
            list(paths),
            config_dir=config_dir,
            kind=kind,
            fix=fix,
            diff=diff,
            unsafe_fixes=unsafe_fixes,
            no_backup=no_backup,
            select=select,
            ignore=ignore,
            quiet=quiet,
            fmt=fmt,
            output=output,
            fail_on=fail_on,
            color=color,
            max_diagnostics=max_diagnostics,
        )
    )


def _describe_rules(explain: str | None, *, fmt: str | None, output: str | None) -> int:
    """``--list-rules`` (when ``explain`` is None) or ``--explain RULE``; --format json lists them under "rules"."""
    from pbcfg.catalog import RULES
    from pbcfg.cli.data_report import emit_data
    from pbcfg.errors import UsageError

    if explain is None:
        return emit_data(
            "lint", "rules", [_rule_data(rule) for rule in RULES.values()], rule_table(), fmt=fmt, output=output
        )
    if explain not in RULES:
        from pbcfg.util.suggest import did_you_mean

        guess = did_you_mean(explain, RULES)
        raise UsageError(f"no rule {explain!r}" + (f"; did you mean {guess!r}?" if guess else "; see --list-rules"))
    rule = RULES[explain]
    fixable = " Fixable with --fix." if rule.fixable else ""
    text = f"{rule.id} ({rule.severity.label}): {rule.summary}\n\n{rule.explanation}{fixable}\n"
    return emit_data("lint", "rules", [_rule_data(rule)], text, fmt=fmt, output=output)


def _rule_data(rule) -> dict:
    return {
        "id": rule.id,
        "group": rule.group,
        "severity": rule.severity.label,
        "fixable": rule.fixable,
        "summary": rule.summary,
        "explanation": rule.explanation,
    }


def rule_table() -> str:
    """The Markdown rule table of the whole catalog, also embedded in the README (a test keeps them equal)."""
    from pbcfg.catalog import GROUPS, RULES

    lines = ["| rule | severity | fix | what |", "|---|---|---|---|"]
    for group in GROUPS:
        for rule in (r for r in RULES.values() if r.group == group):
            lines.append(f"| `{rule.id}` | {rule.severity.label} | {'yes' if rule.fixable else ''} | {rule.summary} |")
    return "\n".join(lines) + "\n"
