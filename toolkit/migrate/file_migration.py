"""``pbcfg migrate``'s engine: run the migrations over one file, as edits that keep everything else.

Every change is reported as a diagnostic (rule ``migrate.<id>``) at its place in
the file as it was. JSON is edited as text (:mod:`pbcfg.source.json_edit`), each migration's edits
located in one index of the text: key order, indentation and every untouched byte stay. YAML is edited through a ruamel.yaml round trip,
so comments and layout stay; a renamed key keeps its comments.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, NamedTuple

from pbcfg.diagnostics import Diagnostic
from pbcfg.migrate.migrations import DATA_MIGRATIONS, Change, Conflict, Options
from pbcfg.source.reading import Source

if TYPE_CHECKING:
    from pbcfg.source.positions import Lines

__all__ = ["BLOCKERS", "FileMigration", "migrate_file"]

BLOCKERS = ("migrate.conflict", "migrate.blocked")  # a file with one of these is not written


def _migrate_command(source: Source, *rest: str) -> str:
    """`pbcfg migrate` on the directory of ``source``, as this run named it."""
    from pbcfg.source.commands import pbcfg_on

    return pbcfg_on(os.path.dirname(source.name), "migrate", *rest)


def _validate_command(source: Source) -> str:
    from pbcfg.source.commands import pbcfg_command

    return pbcfg_command("validate", source.name)


def _apply(source: Source) -> str:
    return f"`{_migrate_command(source)}` makes this change (`{_migrate_command(source, '--diff')}` shows it first)"


class FileMigration(NamedTuple):
    source: Source
    after: str
    diagnostics: list[Diagnostic]  # migrate.<id> per change, migrate.unknown-key notes, BLOCKERS

    @property
    def changed(self) -> bool:
        return self.after != self.source.text and not self.blocked

    @property
    def blocked(self) -> bool:
        return any(d.rule in BLOCKERS for d in self.diagnostics)

    @property
    def pending(self) -> list[Diagnostic]:
        """The changes this migration makes (or would make), one per step."""
        return [d for d in self.diagnostics if d.rule not in BLOCKERS and d.rule != "migrate.unknown-key"]


class _Places:
    """Diagnostics at their place in the file as it was before any migration."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._document = None
        self._parsed = False
        self._lines: Lines | None = None  # the text as it may be shown, its lines counted once for every offset

    def _located(self):
        if not self._parsed:
            from pbcfg.check.pipeline import parse_source

            self._document, _ = parse_source(self.source)
            self._parsed = True
        return self._document

    def at(
        self,
        rule: str,
        message: str,
        tokens: list | None = None,
        hint: str | None = None,
        *,
        key: bool = False,
        offset: int | None = None,
    ) -> Diagnostic:
        from pbcfg.catalog import diagnostic
        from pbcfg.util.pointer import join

        if offset is not None:
            if self._lines is None:
                from pbcfg.secrets.masking import mask_text
                from pbcfg.source.positions import Lines

                self._lines = Lines(mask_text(self.source.text, self.source.kind, yaml=self.source.is_yaml))
            return diagnostic(
                rule,
                self.source.name,
                message,
                hint,
                span=self._lines.span(offset),
                snippet=self._lines.snippet(offset),
            )
        document = self._located() if tokens is not None else None
        if document is not None:
            return document.diagnostic(tokens, rule, message, hint, key=key)
        return diagnostic(rule, self.source.name, message, hint, pointer=join(tokens) if tokens is not None else None)

    def change(self, migration_id: str, change: Change) -> Diagnostic:
        rule = "migrate.unknown-key" if change.op == "note" else f"migrate.{migration_id}"
        return self.at(
            rule,
            change.message,
            change.tokens,
            change.hint or _apply(self.source),
            key=change.op in ("rename-key", "remove-member", "note"),
        )


def _beyond_limits(source: Source, places: _Places) -> Diagnostic | None:
    """Why the file cannot be migrated when it breaks a limit of :mod:`pbcfg.source.limits` or holds half a
    surrogate pair; None when it does neither. Checked before the file is parsed for migrating."""
    from pbcfg.catalog import diagnostic

    why = "; no migration fixes this"
    hint = (
        f"fix it by hand first (`{_validate_command(source)}` says the same), then run "
        f"`{_migrate_command(source)}` again"
    )
    if source.is_yaml:
        from pbcfg.source.yamlparse import parse_yaml

        found = parse_yaml(source.text, source.name, source.kind).diagnostics
        first = next((d for d in found if d.rule.startswith("limits.") or d.rule == "yaml.lone-surrogate"), None)
        return (
            None
            if first is None
            else diagnostic(
                "migrate.blocked", source.name, first.message + why, hint, span=first.span, snippet=first.snippet
            )
        )
    from pbcfg.source.limits import fits, may_hold_lone_surrogate

    if fits(source.text) and not may_hold_lone_surrogate(source.text):
        return None
    from pbcfg.source.jsonscan import scan

    fatal = scan(source.text).fatal
    if fatal is None or fatal.kind == "syntax":  # within the limits after all; syntax is strict-json's to report
        return None
    return places.at("migrate.blocked", fatal.text + why, hint=hint, offset=fatal.offset)


def _strip_comments(text: str, places: _Places) -> tuple[str, list[Diagnostic]] | Diagnostic:
    """Strict JSON from JSON with comments and trailing commas; or why it cannot be had."""
    from pbcfg.source.jsonscan import scan

    try:
        json.loads(text)
        return text, []
    except (ValueError, RecursionError):
        pass
    result = scan(text)
    if result.fatal is not None:
        return places.at(
            "migrate.blocked",
            f"{result.fatal.text}: no migration fixes this",
            hint=f"fix the JSON at the caret by hand, then run `{_migrate_command(places.source)}` again",
            offset=result.fatal.offset,
        )
    cuts, found = [], []
    for deviation in result.deviations:
        if deviation.kind == "comment":
            cuts.append((deviation.offset, deviation.offset + len(deviation.text)))
            found.append(
                places.at(
                    "migrate.strict-json",
                    f"comment → removed: {deviation.text}",
                    hint=_apply(places.source),
                    offset=deviation.offset,
                )
            )
        elif deviation.kind == "trailing-comma":
            cuts.append((deviation.offset, deviation.offset + 1))
            found.append(
                places.at(
                    "migrate.strict-json",
                    "trailing comma → removed",
                    hint=_apply(places.source),
                    offset=deviation.offset,
                )
            )
    return _cut(text, sorted(cuts)), found


def _cut(text: str, cuts: list[tuple[int, int]]) -> str:
    """``text`` without each (start, end), in order and apart: a cut with only blanks around it on its line
    takes the line (through its line break); one with only blanks after it takes the blanks before it too.

    Made from the last cut to the first, as if each were cut from the text the later ones left. What lies
    after a cut is told by flags kept per piece of that text (is its first line blank, is there a line
    break), never by reading the rest of the line again: 20,000 comments cost one pass, not 20,000.
    """
    import bisect
    import re

    breaks = [match.start() for match in re.finditer("\n", text)]
    pieces: list[tuple[str, bool, bool]] = []  # the text after ``done``, last piece first: (piece, and for the
    done = len(text)  # text from that piece on: is its first line blank, does it hold a line break)

    def flags(piece: str, below: tuple[bool, bool]) -> tuple[bool, bool]:
        newline = piece.find("\n")
        if newline != -1:
            return not piece[:newline].strip(), True
        return below[0] and not piece.strip(), below[1]

    def push(piece: str) -> None:
        if piece:
            pieces.append((piece, *flags(piece, pieces[-1][1:] if pieces else (True, False))))

    for start, end in reversed(cuts):
        line_start = breaks[bisect.bisect_left(breaks, start) - 1] + 1 if bisect.bisect_left(breaks, start) else 0
        newline = text.find("\n", end, done)
        if newline != -1:
            after_blank, broken = not text[end:newline].strip(), True
        else:
            after_blank = not text[end:done].strip() and (pieces[-1][1] if pieces else True)
            broken = pieces[-1][2] if pieces else False
        before = start
        while before > line_start and text[before - 1] in " \t\r\f\v":
            before -= 1
        if before == line_start and after_blank and broken:  # a comment on a line of its own: the line goes
            if newline != -1:
                push(text[newline + 1 : done])
            else:
                push(text[end:done])
                piece, _, _ = pieces.pop()
                while "\n" not in piece:
                    piece, _, _ = pieces.pop()
                push(piece[piece.index("\n") + 1 :])
            done = line_start
            continue
        push(text[end:done])
        done = start
        if after_blank:
            while done > 0 and text[done - 1] in " \t":
                done -= 1
    return text[:done] + "".join(piece for piece, _, _ in reversed(pieces))


def _apply_json(text: str, changes: list[Change]) -> str:
    """One migration's changes: those in place all from one index of the text, then any new members."""
    from pbcfg.source.json_edit import apply_edits, set_member

    text = apply_edits(text, [change for change in changes if change.op != "set-member"])
    for change in changes:
        if change.op == "set-member":
            text = set_member(text, change.tokens[:-1], change.tokens[-1], change.value)
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
    """Every selected migration over one file: the text after them and one diagnostic per change."""
    selected = lambda migration_id: only is None or migration_id in only  # noqa: E731
    places = _Places(source)
    found: list[Diagnostic] = []

    def blocked(diagnostic: Diagnostic) -> FileMigration:
        return FileMigration(source, source.text, found + [diagnostic])

    text = source.text
    refused = _beyond_limits(source, places)
    if refused is not None:
        return blocked(refused)
    if source.is_yaml:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        from pbcfg.source.yamlparse import parse_yaml

        yaml = YAML(typ="rt")
        yaml.width = 4096
        try:
            document = yaml.load(text)
        except YAMLError as error:
            return blocked(
                places.at(
                    "migrate.blocked",
                    f"not valid YAML: {str(error).splitlines()[0]}",
                    hint=f"fix the YAML by hand first (`{_validate_command(source)}` shows where)",
                )
            )

        def data_of():
            parsed = parse_yaml(_dump(yaml, document), source.name, source.kind)
            return parsed.data if parsed.readable else {}

        data = data_of()
    else:
        if selected("strict-json"):
            stripped = _strip_comments(text, places)
            if isinstance(stripped, Diagnostic):
                return blocked(stripped)
            text, found = stripped
        try:
            data = _parse_json(text)
        except (ValueError, RecursionError):
            return blocked(
                places.at(
                    "migrate.blocked",
                    "not strict JSON, and the strict-json migration is not selected",
                    hint="add --only strict-json, or fix the JSON by hand",
                )
            )
    if not isinstance(data, dict):
        return blocked(
            places.at(
                "migrate.blocked",
                "the top level is not an object",
                [],
                hint="fix it by hand: both files are JSON objects",
            )
        )
    edited = False
    for migration in DATA_MIGRATIONS:
        if source.kind not in migration.kinds or not selected(migration.id):
            continue
        assert migration.detect is not None  # DATA_MIGRATIONS holds only the migrations with a detector
        try:
            changes = migration.detect(data, options)
        except Conflict as conflict:
            return blocked(
                places.at(
                    "migrate.conflict",
                    str(conflict),
                    conflict.tokens,
                    key=True,
                    hint="keep one of the two by hand (pbcfg will not pick), then migrate again",
                )
            )
        for change in changes:
            found.append(places.change(migration.id, change))
            if change.op != "note" and source.is_yaml:
                _apply_yaml(document, change)
                edited = True
        if not source.is_yaml:
            try:
                text = _apply_json(text, [change for change in changes if change.op != "note"])
            except ValueError as error:  # a place the data says exists but is not an object in the text
                return blocked(
                    places.at("migrate.blocked", f"cannot edit the file: {error}", hint="make this change by hand")
                )
        if changes:
            data = data_of() if source.is_yaml else _parse_json(text)
    if source.is_yaml:
        text = _dump(yaml, document) if edited else source.text
    return FileMigration(source, text, found)


class _Written:
    """A JSON number that prints as it was written: a key written ``1e400``, ``1.50`` or ``-0`` becomes the
    string "1e400", "1.50" or "-0", never Python's "inf", "1.5" or "0"."""

    text: str

    def __new__(cls, text: str):
        number = super().__new__(cls, text)  # type: ignore[call-arg]  # a mixin: float or int after it takes text
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text


class _WrittenFloat(_Written, float):
    pass


class _WrittenInt(_Written, int):
    pass


def _parse_json(text: str):
    """The data of strict JSON text, each number printing as written."""
    return json.loads(text, parse_float=_WrittenFloat, parse_int=_WrittenInt)


def _dump(yaml, document) -> str:
    import io

    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()
