"""MkDocs hook: the rule reference page is generated from the catalog, pbcfg.rules, at build time.

The page holds a marker; this hook replaces it with one section per rule, so the reference cannot drift from
what ``pbcfg lint --list-rules`` and ``--explain`` print.
"""

from __future__ import annotations

MARKER = "<!-- rules-reference -->"
PAGE = "reference/rules.md"


def render_reference() -> str:
    """Markdown for every rule of the catalog, grouped as the catalog groups them."""
    from pbcfg.rules import GROUPS, RULES

    grouped = [rule for group in GROUPS for rule in RULES.values() if rule.group == group]
    lines = ["| rule | group | severity | fixable | what |", "|---|---|---|---|---|"]
    lines += [
        f"| [`{rule.id}`](#{rule.id}) | {rule.group} | {rule.severity.label} | "
        f"{'yes' if rule.fixable else ''} | {rule.summary} |"
        for rule in grouped
    ]
    for group, about in GROUPS.items():
        lines += ["", f"## {group}", "", f"{about[0].upper()}{about[1:]}."]
        for rule in (rule for rule in RULES.values() if rule.group == group):
            fix = "yes: `pbcfg lint --fix` applies it" if rule.fixable else "no"
            lines += [
                "",
                f"### `{rule.id}` {{#{rule.id}}}",
                "",
                f"**{rule.summary}** Severity: {rule.severity.label}. Fixable: {fix}.",
                "",
                rule.explanation,
                "",
                f"See it with `pbcfg lint --explain {rule.id}`.",
            ]
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown: str, page, **_) -> str:
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"{PAGE} lost its marker {MARKER}")
    return markdown.replace(MARKER, render_reference())
