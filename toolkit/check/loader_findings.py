"""What PonyBunny's loaders will do with a checked file, and the errors that say so.

The schema PonyBunny applies is the schema file beside the config when it
exists and parses (:mod:`pbcfg.ponybunny.schema_files`), else the one built
into its loader. So, per file:

- a schema file Ajv cannot compile: PonyBunny ignores the file
  (``ponybunny.file-ignored``; llm-config.json: it runs on its defaults);
- a schema file that compiles but is not pbcfg's: the merged llm-config (or the
  raw credentials) is validated against it as PonyBunny does, and each failure
  is an error: PonyBunny throws on every load (``ponybunny.config-refused``,
  ``ponybunny.credentials-refused``);
- credentials.json that the schema PonyBunny applies (its built-in one, or
  pbcfg's when that is the file beside it) rejects: ``ponybunny.credentials-refused``,
  the root cause, folding pbcfg's own schema error at the same place;
- a schema file that is not JSON or cannot be read: PonyBunny warns and uses
  its built-in schema (``ponybunny.schema-file-unreadable``).

Before any of that, PonyBunny's loader looks at the legacy directory ``~/.ponybunny``
(:func:`legacy_files`, :func:`legacy_findings`): each config file there whose name the config
directory lacks is moved in, as it is; one the config directory has too is ignored.
"""

from __future__ import annotations

import os
from collections import namedtuple

from pbcfg.ponybunny.schema_files import SchemaFile, schema_file_beside

TYPE_CHECKING = False  # the clean path of validate stops before anything below the early return is needed
if TYPE_CHECKING:
    from pbcfg.diagnostics import Diagnostic
    from pbcfg.ponybunny.ajv_view import Problem
    from pbcfg.ponybunny.loader_model import LoadOutcome
    from pbcfg.source.document import Document

__all__ = [
    "LEGACY_DIRECTORY",
    "ROOT_CAUSES",
    "LegacyFile",
    "check_loading",
    "legacy_files",
    "legacy_findings",
    "load_outcome",
]

LEGACY_DIRECTORY = ".ponybunny"  # under the home directory

# rules that say why PonyBunny will not use a file as written: reported first for their file
ROOT_CAUSES = frozenset({"ponybunny.file-ignored", "ponybunny.credentials-refused", "ponybunny.config-refused"})


class LegacyFile(namedtuple("LegacyFile", "legacy target ignored")):
    """``legacy``: the file in ~/.ponybunny; ``target``: the same name in the config directory; ``ignored``:
    the config directory has it too, and PonyBunny reads only that one. (Not a typing.NamedTuple: validate's
    clean path must not import typing.)"""

    __slots__ = ()


def legacy_files(directory: str, home: str) -> list[LegacyFile]:
    """credentials.json, llm-config.json and their schema files in ``~/.ponybunny`` (anything under those
    names, a link followed, as PonyBunny tests it), each with its place in ``directory``, in the order
    PonyBunny moves them: each name on its own, a schema file whether its config file moves or not."""
    from pbcfg.source.locations import CONFIG_FILES

    legacy = os.path.join(home, LEGACY_DIRECTORY)
    if not os.path.isdir(legacy) or os.path.realpath(legacy) == os.path.realpath(directory):
        return []
    found = []
    for name in (n for config in CONFIG_FILES for n in (config, config.replace(".json", ".schema.json"))):
        source, target = os.path.join(legacy, name), os.path.join(directory, name)
        if os.path.exists(source) and not _same_file(source, target):  # whatever it is, PonyBunny moves it
            found.append(LegacyFile(source, target, os.path.lexists(target)))
    return found


def _same_file(legacy: str, target: str) -> bool:
    """One file under both names (a link from one to the other): no copy, and nothing PonyBunny ignores."""
    try:
        return os.path.samefile(legacy, target)
    except OSError:
        return False


def legacy_findings(
    directory: str, home: str, config_dir: str | os.PathLike | None, *, ignored: bool = True
) -> list[Diagnostic]:
    """What the legacy directory means for the config in ``directory`` (chosen by ``config_dir``, the
    ``--config-dir`` given or None): ``migrate.location`` for a file PonyBunny has not moved yet, and with
    ``ignored`` ``files.legacy-copy`` for one it ignores."""
    found = legacy_files(directory, home)
    if not found:
        return []
    from pbcfg.catalog import diagnostic
    from pbcfg.source.locations import config_dir_origin

    origin = config_dir_origin(config_dir)
    flag = f" --config-dir {_quoted(directory)}" if config_dir else ""
    if origin == "$PONYBUNNY_CONFIG_DIR":
        fate = "PonyBunny reads only $PONYBUNNY_CONFIG_DIR, so it never reads this file"
    elif config_dir:
        fate = (
            "PonyBunny moves it on its next start only when that is the directory it chooses itself "
            "(without $PONYBUNNY_CONFIG_DIR)"
        )
    else:
        fate = "PonyBunny moves it there, as it is, on its next start"
    diagnostics = []
    for file in found:
        if file.legacy.endswith(".schema.json"):
            config = file.target.replace(".schema.json", ".json")
            if not file.ignored and os.path.lexists(config):  # it arrives beside a config that stays
                diagnostics.append(
                    diagnostic(
                        "migrate.location",
                        file.legacy,
                        f"in the legacy location: the config directory {directory} "
                        f"(from {origin}) has no {os.path.basename(file.target)}; {fate}, and from then on applies it "
                        f"to {os.path.basename(config)}",
                        f"`pbcfg migrate --diff{flag}` shows the move; `pbcfg migrate{flag}` makes it, with the "
                        "current schema",
                    )
                )
        elif not file.ignored:
            diagnostics.append(
                diagnostic(
                    "migrate.location",
                    file.legacy,
                    f"in the legacy location: the config directory {directory} (from "
                    f"{origin}) has no {os.path.basename(file.target)}; {fate}",
                    f"`pbcfg migrate --diff{flag}` shows the move and every change; `pbcfg migrate{flag}` makes them "
                    "in one step",
                )
            )
        elif ignored:
            diagnostics.append(
                diagnostic(
                    "files.legacy-copy",
                    file.legacy,
                    f"ignored: {file.target} exists, and PonyBunny reads only that one",
                    "merge anything you still need into the new file, then delete this one",
                )
            )
    return diagnostics


def _quoted(path: str) -> str:
    import shlex

    return shlex.quote(path)


def load_outcome(document: Document, schema_file: SchemaFile | None = None) -> LoadOutcome:
    """How PonyBunny's loader ends on ``document``: loaded, on its defaults, ignored, or refused (and why)."""
    from pbcfg.ponybunny.ajv_view import Compiled, compile_schema, problems
    from pbcfg.ponybunny.loader_model import (
        LoadOutcome,
        ajv_view,
        builtin_credentials_problems,
        builtin_llm_config_problems,
        patch_codex,
    )
    from pbcfg.schema_store import validator

    llm = document.kind == "llm-config"
    schema_file = schema_file or schema_file_beside(document.source.path, document.kind)
    schema_name = os.path.basename(schema_file.path)
    instance = (lambda: ajv_view(_merged(document.data))) if llm else (lambda: document.data)
    if schema_file.state == "differs":
        from copy import deepcopy  # only for a schema file that differs from pbcfg's: not on the clean path

        compiled = compile_schema(patch_codex(deepcopy(schema_file.schema)) if llm else schema_file.schema)
        if compiled.error:
            return LoadOutcome(
                "defaults" if llm else "ignored", f"its schema file {schema_name} cannot be compiled: {compiled.error}"
            )
        found = problems(compiled, instance())
        reason = f"its schema file {schema_name} rejects it"
    elif schema_file.state == "same":
        found = problems(Compiled(validator(document.kind), None), instance())
        reason = f"its schema file {schema_name} (pbcfg's) rejects it"
    else:
        found = (
            builtin_llm_config_problems(_merged(document.data)) if llm else builtin_credentials_problems(document.data)
        )
        reason = "its loader's built-in schema rejects it"
    return LoadOutcome("refused", reason, tuple(found)) if found else LoadOutcome("loaded")


def _merged(data: object) -> dict:
    from pbcfg.ponybunny.deep_merge import merged_llm_config

    return merged_llm_config(data)


def check_loading(document: Document, schema_diagnostics: list[Diagnostic], *, beside: bool = True) -> list[Diagnostic]:
    """``schema_diagnostics``, with the ones PonyBunny's refusal explains folded in, and what its loader will do.

    A YAML source is not what PonyBunny reads: it gets its schema errors only. Without ``beside`` (a file
    that is not on disk yet) no schema file is looked for: PonyBunny's built-in schema applies.
    """
    if document.source.is_yaml:
        return schema_diagnostics
    schema_file = (
        schema_file_beside(document.source.path, document.kind)
        if beside
        else SchemaFile(document.source.path, "missing")
    )
    if schema_file.state in ("missing", "same") and (document.kind == "llm-config" or not schema_diagnostics):
        # PonyBunny applies its built-in schema or pbcfg's: pbcfg's own errors already say it all for
        # llm-config; credentials pbcfg's schema accepts, PonyBunny's built-in one (looser) accepts too
        return schema_diagnostics
    at_top = ["$schema"] if isinstance(document.data, dict) and "$schema" in document.data else []
    name, schema_name = os.path.basename(document.name), os.path.basename(schema_file.path)
    found: list[Diagnostic] = []
    if schema_file.state == "unreadable":
        fallback = (
            ""
            if "block" in (schema_file.reason or "")
            else f", so it validates {name} with its built-in schema instead"
        )
        found.append(
            document.diagnostic(
                at_top,
                "ponybunny.schema-file-unreadable",
                f"PonyBunny cannot use {schema_name}: {schema_file.reason}{fallback}",
                f"delete {schema_name}, or write pbcfg's with `{_lint_fix(document)}`",
                key=bool(at_top),
            )
        )
        if document.kind == "llm-config":
            return schema_diagnostics + found
    outcome = load_outcome(document, schema_file)
    if outcome.state in ("defaults", "ignored"):
        what = (
            "run on its built-in defaults"
            if outcome.state == "defaults"
            else "use none of its keys (only environment variables count)"
        )
        found.append(
            document.diagnostic(
                at_top,
                "ponybunny.file-ignored",
                f"PonyBunny will ignore {name} and {what}: {outcome.reason}",
                f"delete {schema_name} (PonyBunny then uses its built-in schema), or write pbcfg's with "
                f"`{_lint_fix(document)}`",
                key=bool(at_top),
            )
        )
    elif outcome.state == "refused":
        return _refusals(document, outcome, schema_diagnostics, schema_file) + found
    return schema_diagnostics + found


def _lint_fix(document: Document) -> str:
    """`pbcfg lint --fix` on the directory of ``document``, as this run named it."""
    from pbcfg.source.commands import pbcfg_on

    return pbcfg_on(os.path.dirname(document.name), "lint", "--fix")


def _refusals(
    document: Document, outcome: LoadOutcome, schema_diagnostics: list[Diagnostic], schema_file: SchemaFile
) -> list[Diagnostic]:
    """One root-cause error per problem PonyBunny's loader throws on; pbcfg's error at the same place folds in."""
    from pbcfg.catalog import diagnostic
    from pbcfg.util.pointer import join

    credentials = document.kind == "credentials"
    name = os.path.basename(document.name)
    rule = "ponybunny.credentials-refused" if credentials else "ponybunny.config-refused"
    consequence = (
        "so none of its keys are used" if credentials else "so every LLM call fails with ConfigValidationError"
    )
    schema_name = os.path.basename(schema_file.path)
    source = f" (its schema file {schema_name} says so)" if schema_file.state == "differs" else ""
    mine = {d.pointer: d for d in schema_diagnostics}
    by_pointer: dict[str, list[Problem]] = {}
    for problem in outcome.problems:  # Ajv may say several things about one place (type and enum)
        by_pointer.setdefault(join(_place(problem)), []).append(problem)
    found = []
    for index, (pointer, said) in enumerate(by_pointer.items()):
        own = mine.get(pointer)
        what = (
            own.message
            if own
            else f"{join(said[0].tokens) or '/'}: "
            + "; ".join(p.message + (f" ({p.key!r})" if p.key is not None else "") for p in said)
        )
        message = (
            f"PonyBunny will refuse {name}, {consequence}: {what}{source}"
            if index == 0
            else f"another reason PonyBunny refuses {name}: {what}{source}"
        )
        if own:
            found.append(
                diagnostic(rule, own.file, message, own.hint, span=own.span, pointer=own.pointer, snippet=own.snippet)
            )
        else:
            found.append(
                _at(
                    document,
                    said[0],
                    rule,
                    message,
                    f"fix it, or delete {schema_name} if PonyBunny should not apply that schema"
                    if schema_file.state == "differs"
                    else None,
                )
            )
    return found + [d for d in schema_diagnostics if d.pointer not in by_pointer]


def _place(problem: Problem) -> list:
    """Where a problem is in the file: the key an unknown-key or property-name error is about, else Ajv's path."""
    return problem.tokens + [problem.key] if problem.key is not None else problem.tokens


def _at(document: Document, problem: Problem, rule: str, message: str, hint: str | None) -> Diagnostic:
    """A diagnostic for a problem in the checked (or merged) data, placed as near as the file gets."""
    from pbcfg.util.pointer import join

    place = _place(problem)
    present, data = [], document.data
    for token in place:
        if (
            isinstance(data, dict)
            and token in data
            or isinstance(data, list)
            and isinstance(token, int)
            and 0 <= token < len(data)
        ):
            present.append(token)
            data = data[token]
        else:
            break
    key = (
        bool(present)
        and not isinstance(present[-1], int)
        and (len(present) < len(place) or problem.key is not None or problem.message.startswith("must have required"))
    )
    return document.diagnostic(present, rule, message, hint, key=key)._replace(pointer=join(place))
