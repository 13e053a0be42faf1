"""``pbcfg lint``: validate, then the rules that catch what PonyBunny silently gets wrong."""

from __future__ import annotations

import os

import click

from ..sources import KINDS
from ..reporters import emit
from .options import config_dir_option, report_options

__all__ = ["lint"]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@config_dir_option
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Kind of files whose name and $schema do not tell.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes (atomically, keeping a .bak), then report what is left.")
@click.option("--diff", is_flag=True, help="Show what --fix would change, and write nothing.")
@click.option("--no-backup", is_flag=True, help="With --fix, keep no .bak of changed files.")
@click.option("--explain", metavar="RULE", help="Explain one rule and exit.")
@click.option("--list-rules", is_flag=True, help="Print the rule table (Markdown) and exit.")
@report_options
@click.pass_context
def lint(ctx: click.Context, paths: tuple[str, ...], config_dir: str | None, kind: str | None, fix: bool,
         diff: bool, no_backup: bool, explain: str | None, list_rules: bool, fmt: str | None,
         output: str | None, fail_on: str, color: bool | None) -> None:
    """Lint PATHS (files or config directories; default: the config directory)."""
    from ..errors import UsageError
    from ..lint.catalog import all_rules

    catalog = all_rules()
    if list_rules:
        click.echo(rule_table(catalog), nl=False)
        ctx.exit(0)
    if explain:
        if explain not in catalog:
            from ..suggest import did_you_mean

            guess = did_you_mean(explain, catalog)
            raise UsageError(f"no rule {explain!r}" + (f"; did you mean {guess!r}?" if guess else "; see --list-rules"))
        rule = catalog[explain]
        fixable = " Fixable with --fix." if rule.fixable else ""
        click.echo(f"{rule.id} ({rule.severity.label}): {rule.summary}\n\n{rule.explanation}{fixable}")
        ctx.exit(0)

    from ..lint.engine import apply_fixes, lint as run_lint
    from ..lint.settings import find_settings
    from ..locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    settings = find_settings(paths[0] if paths else directory, catalog)
    run = lambda: run_lint(list(paths), config_dir=directory, kind=kind, settings=settings,  # noqa: E731
                           env=dict(os.environ), home=os.path.expanduser("~"))
    result = run()
    if fix or diff:
        outcome = apply_fixes(result.findings, dry_run=diff, backup=not no_backup)
        if diff:
            for text in outcome.diffs:
                click.echo(text, nl=False)
        for line in outcome.applied:
            click.echo(("would " if diff else "fixed: ") + line, err=True)
        for line in outcome.refused:
            click.echo(line, err=True)
        if fix:  # a fix can uncover or unblock another (two removals in one array): go again, a few times
            for _ in range(4):
                result = run()
                if not apply_fixes(result.findings, dry_run=False, backup=False).applied:
                    break
            result = run()
    ctx.exit(emit("lint", result.check.files, result.diagnostics, fmt=fmt, fail_on=fail_on, color=color,
                  output=output))


def rule_table(catalog: dict) -> str:
    """The Markdown rule table, also embedded in the README (a test keeps them equal)."""
    from ..lint.catalog import GROUPS

    lines = ["| rule | severity | fix | what |", "|---|---|---|---|"]
    for group in GROUPS:
        for rule in sorted((r for r in catalog.values() if r.group == group), key=lambda r: r.id):
            lines.append(f"| `{rule.id}` | {rule.severity.label} | {'yes' if rule.fixable else ''} | {rule.summary} |")
    return "\n".join(lines) + "\n"
