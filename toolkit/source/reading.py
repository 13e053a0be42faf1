"""Finding and reading the files to check: paths in, decoded text and kind out.

Reading is where IO fails, so every failure here is an :class:`InputError`
with the file named and what to do; nothing is parsed yet.
"""

import os
import stat
from collections import namedtuple

from pbcfg.errors import InputError, UsageError
from pbcfg.secrets.known import note_source
from pbcfg.source.limits import MAX_BYTES, MAX_YAML_BYTES
from pbcfg.source.locations import CONFIG_FILES

__all__ = [
    "KINDS",
    "SOURCE_FILES",
    "SUFFIXES",
    "Source",
    "decode_source",
    "directory_of",
    "expand_paths",
    "kind_of",
    "read_regular",
    "read_source",
    "is_backup",
    "unbacked_name",
]

KINDS = ("credentials", "llm-config")
_SPECIAL = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
SUFFIXES = (".json", ".yaml", ".yml")
SOURCE_FILES = ("credentials.yaml", "llm-config.yaml", "credentials.yml", "llm-config.yml")


class Source(namedtuple("Source", "path name kind text")):
    """A file read: ``path``, ``name`` (as shown in diagnostics), ``kind`` and ``text``, all str."""

    __slots__ = ()

    @property
    def is_yaml(self) -> bool:
        return unbacked_name(self.name).lower().endswith((".yaml", ".yml"))


def unbacked_name(path: str) -> str:
    """The base name of ``path``, or of the file it is a backup of (``credentials.yaml.1.bak``: credentials.yaml)."""
    name = os.path.basename(path)
    if not name.endswith(".bak"):
        return name
    from pbcfg.util.backup_store import backed_up_name

    return backed_up_name(name) or name


def is_backup(path: str) -> bool:
    """Whether ``path`` is named as pbcfg names a backup of a config file (``credentials.json.1.bak``)."""
    return unbacked_name(path) != os.path.basename(path)


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
        if os.path.isdir(path):  # anything under a config file's name is found, so that what is no file is refused
            found = [
                os.path.join(path, name)
                for name in CONFIG_FILES + SOURCE_FILES
                if os.path.lexists(os.path.join(path, name))
            ]
            if not found:
                raise InputError(
                    f"{path}: no {' or '.join(CONFIG_FILES)} in this directory; "
                    "pass the files, or point --config-dir at your PonyBunny config directory"
                )
            expanded.extend(found)
        else:
            expanded.append(path)
    return expanded


def kind_of(path: str, text: str, forced: str | None) -> str:
    """By file name (a backup's: by the name of its file), else by the ``$schema`` key, else ``--kind``."""
    name = unbacked_name(path).lower()
    if not name.endswith(".schema.json"):
        for kind in KINDS:
            if name.startswith(kind) and name.endswith(SUFFIXES):
                return kind
    import re  # only for a file its name does not place

    match = re.search(r"""["']?\$schema["']?\s*:\s*["']?([^"'\s]*)""", text[:4096])
    if match:
        for kind in KINDS:
            if kind in match.group(1):
                return kind
    if forced:
        return forced
    raise UsageError(
        f"{path}: cannot tell whether this is credentials or llm-config from its name or "
        "$schema; pass --kind credentials or --kind llm-config"
    )


def read_regular(path: str, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; every failure an :class:`InputError`.

    A named pipe, device or socket is refused at once, never read: opening does
    not wait for a writer, and the type is checked on the open file itself, so
    nothing can swap the file between the check and the read. A file over the
    limit is refused from its size, before a byte is read (``limits.file-size``).
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError(
                f"{path}: is a symbolic link to {os.readlink(path)}, which does not exist; fix or remove the link"
            ) from None
        raise InputError(f"{path}: no such file; check the path (a directory stands for its PonyBunny files)") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied; check the file's owner and mode") from None
    except OSError as error:  # a socket cannot even be opened
        raise InputError(_not_regular(path) or f"{path}: cannot read: {error.strerror or error}") from None
    state = os.fstat(descriptor)  # before fdopen, which refuses a directory with an error of its own
    if not stat.S_ISREG(state.st_mode):
        os.close(descriptor)
        raise InputError(_not_regular(path, state.st_mode))
    with os.fdopen(descriptor, "rb") as handle:
        if state.st_size > limit or len(data := handle.read(limit + 1)) > limit:
            raise InputError(
                f"{path}: larger than {limit // (1024 * 1024)} MiB (limits.file-size); no PonyBunny "
                "config is this big, so pbcfg does not read it"
            )
    return data


def _not_regular(path: str, mode: int | None = None) -> str | None:
    if mode is None:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return None
    what = next((name for test, name in _SPECIAL if test(mode)), None)
    if what is None:
        return None
    return f"{path}: is {what}, not a regular file; pbcfg reads only regular files"


def read_source(path: str, forced_kind: str | None = None) -> Source:
    try:
        data = read_regular(
            path, MAX_YAML_BYTES if unbacked_name(path).lower().endswith((".yaml", ".yml")) else MAX_BYTES
        )
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    text = _decode(path, data)
    del data  # the text alone from here: the bytes are as big again
    return note_source(Source(path, path, kind_of(path, text, forced_kind), text))


def decode_source(path: str, data: bytes, forced_kind: str | None = None) -> Source:
    """A source from bytes read elsewhere (at most ``MAX_BYTES + 1`` of them), e.g. standard input."""
    if len(data) > MAX_BYTES:
        raise InputError(
            f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB (limits.file-size); "
            "no PonyBunny config is this big, so pbcfg does not read it"
        )
    text = _decode(path, data)
    return note_source(Source(path, path, kind_of(path, text, forced_kind), text))


def _decode(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[data.rfind(b"\n", 0, error.start) + 1 : error.start].decode("utf-8", "replace")) + 1
        raise InputError(
            f"{path}:{line}:{column}: not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None
