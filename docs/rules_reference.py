"""MkDocs hook: the rule reference page is generated from the catalog, pbcfg.catalog, at build time.

The page holds a marker; this hook replaces it with one section per rule, so the reference cannot drift from
what ``pbcfg lint --list-rules`` and ``--explain`` print. A rule's example comes from rule-examples.md beside the
page: real output, kept true as every sample of the docs is (docs/samples.py).
"""

from __future__ import annotations

import re
from pathlib import Path

MARKER = "<!-- rules-reference -->"
PAGE = "reference/rules.md"
EXAMPLES = Path(__file__).parent / "reference" / "rule-examples.md"


def markdown_text(text: str) -> str:
    """The catalog's plain text as Markdown: `*`, `_` and `<` outside code spans are literal characters."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"([*_])", r"\\\1", parts[i]).replace("<", "&lt;")
    return "`".join(parts)


def rule_examples() -> dict[str, str]:
    """Each rule id of rule-examples.md and its console block."""
    text = EXAMPLES.read_text(encoding="utf-8")
    return {
        match[1]: match[2]
        for match in re.finditer(r"^## `([^`]+)`\n\n<!-- sample.*? -->\n(```console\n.*?```\n)", text, re.M | re.S)
    }


def render_reference() -> str:
    """Markdown for every rule of the catalog, grouped as the catalog groups them."""
    from pbcfg.catalog import GROUPS, RULES

    examples = rule_examples()

    grouped = [rule for group in GROUPS for rule in RULES.values() if rule.group == group]
    lines = ["| rule | group | severity | fixable | what |", "|---|---|---|---|---|"]
    lines += [
        f"| [`{rule.id}`](#{rule.id}) | {rule.group} | {rule.severity.label} | "
        f"{'yes' if rule.fixable else ''} | {markdown_text(rule.summary)} |"
        for rule in grouped
    ]
    for group, about in GROUPS.items():
        lines += ["", f"## {group}", "", markdown_text(f"{about[0].upper()}{about[1:]}.")]
        for rule in (rule for rule in RULES.values() if rule.group == group):
            fix = "yes: `pbcfg lint --fix` applies it" if rule.fixable else "no"
            lines += [
                "",
                f"### `{rule.id}` {{#{rule.id}}}",
                "",
                f"**{markdown_text(rule.summary)}** Severity: {rule.severity.label}. Fixable: {fix}.",
                "",
                markdown_text(rule.explanation),
                "",
                f"See it with `pbcfg lint --explain {rule.id}`.",
            ]
            if rule.id in examples:
                lines += ["", "Example:", "", examples[rule.id].rstrip("\n")]
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown: str, page, **_) -> str:
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"{PAGE} lost its marker {MARKER}")
    return markdown.replace(MARKER, render_reference())
