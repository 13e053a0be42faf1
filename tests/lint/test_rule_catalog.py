"""One catalog: every rule id any command can print is in pbcfg.catalog, and only the catalog builds diagnostics."""

from __future__ import annotations

import ast
import re

import pytest

from helpers import REPO
from pbcfg.catalog import GROUPS, RULES

ID = re.compile(r"^[a-z]+\.[a-z][a-zA-Z0-9-]*$")


def calls(name: str):
    """(file, node) for every call of ``name`` (a function or a method) in toolkit/."""
    for path in (REPO / "toolkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if called == name:
                    yield path, node


@pytest.mark.slow
def test_only_the_catalog_builds_a_diagnostic():
    """So a diagnostic cannot carry an id (or a severity) the catalog does not know."""
    builders = {path.relative_to(REPO).as_posix() for path, _ in calls("Diagnostic")}
    assert builders == {"toolkit/catalog.py"}


@pytest.mark.slow
def test_every_literal_rule_id_in_the_code_is_in_the_catalog():
    """Ids passed to diagnostic(), Document.diagnostic(), the lint context's helpers and @check."""
    literal = set()
    for name, position in (
        ("diagnostic", 0),
        ("check", 0),
        ("at", 1),
        ("in_llm_config", 1),
        ("in_credentials", 1),
        ("at_file", 1),
    ):
        for path, node in calls(name):
            for argument in node.args[position : position + 2]:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and ID.match(argument.value):
                    literal.add(argument.value)
    assert len(literal) > 40  # the scan finds the ids it is meant to find
    assert sorted(literal - set(RULES)) == []


def test_every_rule_belongs_to_a_group_and_every_group_has_rules():
    assert {rule.group for rule in RULES.values()} == set(GROUPS)


def test_every_id_printed_by_the_suite_is_explained(run):
    """--explain works for every id in the catalog, with its severity as the table shows it."""
    for rule in RULES.values():
        result = run("lint", "--explain", rule.id)
        assert result.code == 0
        assert result.out.startswith(f"{rule.id} ({rule.severity.label}): {rule.summary}\n\n{rule.explanation}")
