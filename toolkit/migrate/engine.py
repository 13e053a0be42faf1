"""``pbcfg migrate``'s engine: run the migrations over one file, as edits that keep everything else.

JSON is edited as text (:mod:`pbcfg.source.json_edit`), each migration's
edits located in one index of the text: key order, indentation and every
untouched byte stay. YAML is edited through a ruamel.yaml round trip,
so comments and layout stay; a renamed key keeps its comments.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from pbcfg.migrate.migrations import DATA_MIGRATIONS, Change, Conflict, Options
from pbcfg.source.files import Source

__all__ = ["FileMigration", "Step", "migrate_file"]


class Step(NamedTuple):
    migration: str
    pointer: str | None
    message: str
    pending: bool  # False for a note: reported, nothing to change


class FileMigration(NamedTuple):
    source: Source
    after: str
    steps: list[Step]
    error: str | None = None  # a conflict or unreadable input: nothing may be written

    @property
    def changed(self) -> bool:
        return self.after != self.source.text


def _beyond_limits(source: Source) -> str | None:
    """Where the file breaks a limit of :mod:`pbcfg.source.limits`, or holds half a surrogate pair, as a
    reason to stop; None when it does neither. Checked before the file is parsed for migrating."""
    if source.is_yaml:
        from pbcfg.source.yamlparse import parse_yaml

        found = parse_yaml(source.text, source.name, source.kind).diagnostics
        first = next((d for d in found if d.rule.startswith("limits.") or d.rule == "yaml.lone-surrogate"), None)
        return f"line {first.line}, column {first.column}: {first.message}; fix it by hand first" if first else None
    from pbcfg.source.limits import fits, may_hold_lone_surrogate

    if fits(source.text) and not may_hold_lone_surrogate(source.text):
        return None
    from pbcfg.source.jsonscan import scan
    from pbcfg.source.positions import line_col

    fatal = scan(source.text).fatal
    if fatal is None or fatal.kind == "syntax":  # within the limits after all; syntax is strict-json's to report
        return None
    where = line_col(source.text, fatal.offset)
    return f"line {where.line}, column {where.column}: {fatal.text}; fix it by hand first"


def _strip_comments(text: str) -> tuple[str, list[Step]] | str:
    """Strict JSON from JSON with comments and trailing commas; or an error message."""
    from pbcfg.source.jsonscan import scan
    from pbcfg.source.positions import Lines

    try:
        json.loads(text)
        return text, []
    except (ValueError, RecursionError):
        pass
    result = scan(text)
    lines = Lines(text)
    if result.fatal is not None:
        where = lines.span(result.fatal.offset)
        return f"line {where.line}, column {where.column}: {result.fatal.text}; fix it by hand first"
    cuts, steps = [], []
    for deviation in result.deviations:
        line = lines.span(deviation.offset).line
        if deviation.kind == "comment":
            cuts.append((deviation.offset, deviation.offset + len(deviation.text)))
            steps.append(Step("strict-json", None, f"removed comment at line {line}: {deviation.text}", True))
        elif deviation.kind == "trailing-comma":
            cuts.append((deviation.offset, deviation.offset + 1))
            steps.append(Step("strict-json", None, f"removed trailing comma at line {line}", True))
    for start, end in sorted(cuts, reverse=True):
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end == -1 else line_end
        if not text[line_start:start].strip() and not text[end:line_end].strip() and line_end < len(text):
            text = text[:line_start] + text[line_end + 1 :]  # a comment on a line of its own: the line goes
        else:
            text = text[:start].rstrip(" \t") + text[end:] if not text[end:line_end].strip() else text[:start] + text[end:]
    return text, steps


def _apply_json(text: str, edits: list[Change]) -> str:
    """One migration's edits: those in place all from one index of the text, then any new members."""
    from pbcfg.source.json_edit import edit_many, set_member

    text = edit_many(text, [(edit.op, edit.tokens, edit.value) for edit in edits if edit.op != "set-member"])
    for edit in edits:
        if edit.op == "set-member":
            text = set_member(text, edit.tokens[:-1], edit.tokens[-1], edit.value)
    return text


def _apply_yaml(document, edit: Change) -> None:
    from ruamel.yaml.comments import CommentedMap

    parent = document
    for token in edit.tokens[:-1]:
        if edit.op == "set-member" and token not in parent:
            parent[token] = CommentedMap()
        parent = parent[token]
    key = edit.tokens[-1]
    if edit.op == "rename-key":
        position = list(parent).index(key)
        value = parent.pop(key)
        parent.insert(position, edit.value, value)
        if key in parent.ca.items:
            parent.ca.items[edit.value] = parent.ca.items.pop(key)
    elif edit.op == "remove-member":
        del parent[key]
    else:
        parent[key] = edit.value


def migrate_file(source: Source, options: Options, only: set[str] | None = None) -> FileMigration:
    selected = (lambda migration_id: only is None or migration_id in only)  # noqa: E731
    steps: list[Step] = []
    text = source.text
    refused = _beyond_limits(source)
    if refused:
        return FileMigration(source, text, [], refused)
    if source.is_yaml:

        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        yaml = YAML(typ="rt")
        yaml.width = 4096
        try:
            document = yaml.load(text)
        except YAMLError as error:
            return FileMigration(source, text, [], f"not valid YAML: {str(error).splitlines()[0]}")
        from pbcfg.source.yamlparse import parse_yaml

        def data_of(_):
            parsed = parse_yaml(_dump(yaml, document), source.name, source.kind)
            return parsed.data if parsed.readable else {}

        data = data_of(None)
    else:
        if selected("strict-json"):
            stripped = _strip_comments(text)
            if isinstance(stripped, str):
                return FileMigration(source, text, [], stripped)
            text, steps = stripped
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            return FileMigration(source, source.text, steps, f"not JSON: {error}; run with strict-json, or fix it")
    if not isinstance(data, dict):
        return FileMigration(source, source.text, steps, "the top level is not an object; fix it by hand")
    edited = False
    for migration in DATA_MIGRATIONS:
        if source.kind not in migration.kinds or not selected(migration.id):
            continue
        try:
            edits = migration.detect(data, options)
        except Conflict as conflict:
            return FileMigration(source, source.text, steps + [Step(migration.id, conflict.pointer, str(conflict), True)],
                                 str(conflict))
        for edit in edits:
            steps.append(Step(migration.id, edit.pointer, edit.message, edit.op != "note"))
            if edit.op != "note" and source.is_yaml:
                _apply_yaml(document, edit)
                edited = True
        if not source.is_yaml:
            try:
                text = _apply_json(text, [edit for edit in edits if edit.op != "note"])
            except ValueError as error:  # a place the data says exists but is not an object in the text
                return FileMigration(source, source.text, steps, f"cannot edit the file: {error}; fix it by hand")
        if edits:
            data = data_of(None) if source.is_yaml else json.loads(text)
    if source.is_yaml:
        text = _dump(yaml, document) if edited else source.text
    return FileMigration(source, text, steps)


def _dump(yaml, document) -> str:
    import io

    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()
