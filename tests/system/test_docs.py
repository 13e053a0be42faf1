"""The docs site: every sample shows what its command prints today, every command has its page, the rule reference
is the catalog, the site builds with --strict, and no page tells how pbcfg was built."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO

DOCS = REPO / "docs"
PBCFG = Path(sys.executable).parent / "pbcfg"


def docs_module(name: str):
    spec = importlib.util.spec_from_file_location(f"docs_{name}", DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


samples = docs_module("samples")
SAMPLES = samples.all_samples()


def help_commands() -> list[str]:
    """The command names `pbcfg --help` lists, as a user reads them."""
    listing = subprocess.run([PBCFG, "--help"], capture_output=True, text=True, check=True).stdout
    return re.findall(r"^  ([a-z][a-z-]*)  ", listing.split("\nCommands:\n", 1)[1], re.M)


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{s.page.relative_to(DOCS)}:{s.commands[0]}" for s in SAMPLES])
def test_every_sample_shows_what_its_commands_print(sample):
    assert sample.commands, f"{sample.page}: a sample block without a `$ ` command"
    assert samples.run_sample(sample) == sample.body, (
        f"{sample.page.relative_to(REPO)} is stale: run `make docs-samples`"
    )


def test_the_sample_scan_sees_the_pages():
    assert len(SAMPLES) >= 40
    assert {sample.page.relative_to(DOCS).as_posix() for sample in SAMPLES} >= {
        "index.md",
        "getting-started/quick-start.md",
        "reference/output.md",
        "commands/lint.md",
    }


def test_a_sample_that_differs_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("<!-- sample -->\n```console\n$ pbcfg --version\npbcfg, version 0.0.0\n```\n")
    (sample,) = samples.find_samples(page)
    assert sample.commands == ["pbcfg --version"]
    from pbcfg import __version__

    assert samples.run_sample(sample) == f"$ pbcfg --version\npbcfg, version {__version__}\n" != sample.body


def test_every_command_in_the_help_has_its_page_in_the_nav():
    """A new command needs docs/commands/NAME.md with a `$ pbcfg NAME --help` sample, a nav line in mkdocs.yml
    (`      - NAME: commands/NAME.md`), then `make docs-samples` to fill in the output."""
    commands = help_commands()
    assert len(commands) >= 17 and "validate" in commands and "completion" in commands
    nav = (REPO / "mkdocs.yml").read_text()
    pages = {name: DOCS / "commands" / f"{name}.md" for name in commands}
    assert [name for name, page in pages.items() if not page.is_file()] == [], "write docs/commands/NAME.md"
    assert [name for name in commands if f"  - {name}: commands/{name}.md\n" not in nav] == [], "add it to the nav"
    assert [name for name, page in pages.items() if f"$ pbcfg {name} --help\n" not in page.read_text()] == []


def test_the_rule_reference_lists_exactly_the_ids_of_list_rules():
    listed = subprocess.run([PBCFG, "lint", "--list-rules"], capture_output=True, text=True, check=True).stdout
    ids = re.findall(r"^\| `([a-z]+\.[A-Za-z0-9-]+)` \|", listed, re.M)
    reference = docs_module("rules_reference").render_reference()
    sections = re.findall(r"^### `([^`]+)` \{#\1\}$", reference, re.M)
    rows = re.findall(r"^\| \[`([^`]+)`\]\(#\1\) \|", reference, re.M)
    assert len(ids) > 100
    assert rows == ids  # the table, in the catalog's order
    assert sorted(sections) == sorted(ids) and len(set(sections)) == len(sections)  # one section each, by group
    page = (DOCS / "reference" / "rules.md").read_text()
    assert "<!-- rules-reference -->" in page and not re.search(r"^### `", page, re.M)


def test_the_site_builds_with_strict(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", tmp_path / "site"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    rules = (tmp_path / "site" / "reference" / "rules" / "index.html").read_text()
    assert 'id="routing.chain-unusable"' in rules and "pbcfg lint --explain routing.chain-unusable" in rules
    api = (tmp_path / "site" / "guides" / "python-api" / "index.html").read_text()
    assert 'id="pbcfg.loading.load"' in api


def reader_pages() -> list[Path]:
    return [REPO / "README.md", REPO / "CHANGELOG.md", *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize(
    "pattern",
    [
        r"\bSPEC\b",
        r"\b[Rr]ound \d|\b[Tt]his round|\bend of round",
        r"\b[Ii]ssues? #?\d",
        r"#\d{1,3}\b(?!\))",
        r"\b(?:HEAD|commit) `?[0-9a-f]{7,40}\b",
        r"BENCH_BASELINE=[0-9a-f]{7}",
    ],
)
def test_no_page_tells_how_pbcfg_was_built(pattern):
    found = [
        f"{page.relative_to(REPO)}:{number}: {line.strip()[:100]}"
        for page in reader_pages()
        for number, line in enumerate(page.read_text().splitlines(), 1)
        if re.search(pattern, line)
    ]
    assert found == []


def test_the_readme_fits_in_8_kib_and_links_into_the_docs():
    readme = (REPO / "README.md").read_text()
    assert len(readme.encode()) <= 8192
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert len(links) >= 15
    assert [link for link in links if not (REPO / link).is_file()] == []


def test_each_rule_example_shows_its_rule():
    examples = docs_module("rules_reference").rule_examples()
    from pbcfg.catalog import RULES

    assert len(examples) >= 25
    assert [rule for rule in examples if rule not in RULES] == []
    assert [
        rule for rule, block in examples.items() if f"{rule} " not in block and f"title={rule}::" not in block
    ] == []
    reference = docs_module("rules_reference").render_reference()
    assert reference.count("\nExample:\n") == len(examples)


def test_the_pre_commit_snippets_name_hooks_the_repository_serves():
    served = set(re.findall(r'^- id: "([a-z-]+)"$', (REPO / ".pre-commit-hooks.yaml").read_text(), re.M))
    for page in (REPO / "README.md", DOCS / "guides" / "ci.md"):
        snippet = page.read_text().split("```yaml\nrepos:\n", 1)[1].split("```", 1)[0]
        named = re.findall(r"^ +- id: ([a-z-]+)", snippet, re.M)
        assert named and set(named) <= served, page
