"""Finding and reading the files to check: paths in, decoded text and kind out.

Reading is where IO fails, so every failure here is an :class:`InputError`
with the file named and what to do; nothing is parsed yet.
"""

import os
import re
from collections import namedtuple

from pbcfg.errors import InputError, UsageError
from pbcfg.source.locations import CONFIG_FILES
from pbcfg.util.known_secrets import register_source

__all__ = ["KINDS", "MAX_BYTES", "SOURCE_FILES", "SUFFIXES", "Source", "decode_source", "directory_of",
           "expand_paths", "kind_of", "read_source"]

KINDS = ("credentials", "llm-config")
MAX_BYTES = 64 * 1024 * 1024
_SCHEMA_KEY = re.compile(r"""["']?\$schema["']?\s*:\s*["']?([^"'\s]*)""")
SUFFIXES = (".json", ".yaml", ".yml")
SOURCE_FILES = ("credentials.yaml", "llm-config.yaml", "credentials.yml", "llm-config.yml")


class Source(namedtuple("Source", "path name kind text")):
    """A file read: ``path``, ``name`` (as shown in diagnostics), ``kind`` and ``text``, all str."""

    __slots__ = ()

    @property
    def is_yaml(self) -> bool:
        return self.name.lower().endswith((".yaml", ".yml"))


def directory_of(path: str) -> str:
    """The config directory a file belongs to: files of one directory are checked against each other.

    Links are resolved, so ``./llm-config.json`` and ``/abs/dir/credentials.json`` are one pair.
    """
    return os.path.dirname(os.path.realpath(path))


def expand_paths(paths: list[str], config_dir: str) -> list[str]:
    """Files as given; a directory stands for the PonyBunny files inside it."""
    expanded: list[str] = []
    for path in paths or [config_dir]:
        path = os.fspath(path)
        if not path:
            raise UsageError("an empty path was given; pass a file or a directory")
        if os.path.isdir(path):
            found = [os.path.join(path, name) for name in CONFIG_FILES + SOURCE_FILES
                     if os.path.isfile(os.path.join(path, name))]
            if not found:
                raise InputError(f"{path}: no {' or '.join(CONFIG_FILES)} in this directory; "
                                 "pass the files, or point --config-dir at your PonyBunny config directory")
            expanded.extend(found)
        else:
            expanded.append(path)
    return expanded


def kind_of(path: str, text: str, forced: str | None) -> str:
    """By file name, else by the ``$schema`` key, else ``--kind``."""
    name = os.path.basename(path).lower()
    if not name.endswith(".schema.json"):
        for kind in KINDS:
            if name.startswith(kind) and name.endswith(SUFFIXES):
                return kind
    match = _SCHEMA_KEY.search(text[:4096])
    if match:
        for kind in KINDS:
            if kind in match.group(1):
                return kind
    if forced:
        return forced
    raise UsageError(f"{path}: cannot tell whether this is credentials or llm-config from its name or "
                     "$schema; pass --kind credentials or --kind llm-config")


def read_source(path: str, forced_kind: str | None = None) -> Source:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path (a directory stands for its PonyBunny "
                         "files)") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied; check the file's owner and mode") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    return decode_source(path, data, forced_kind)


def decode_source(path: str, data: bytes, forced_kind: str | None = None) -> Source:
    """A source from bytes read elsewhere (at most ``MAX_BYTES + 1`` of them), e.g. standard input."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB; "
                         "no PonyBunny config is this big, so pbcfg does not read it")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[data.rfind(b"\n", 0, error.start) + 1 : error.start].decode("utf-8", "replace")) + 1
        raise InputError(f"{path}:{line}:{column}: not valid UTF-8 (byte 0x{data[error.start]:02x}); "
                         "save the file as UTF-8") from None
    return register_source(Source(path, path, kind_of(path, text, forced_kind), text))
