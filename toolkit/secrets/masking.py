"""Masking: a secret is shown by its vendor prefix and a fingerprint (``sk-…#3f9a``) or not at all, never by any
of its characters; config text is shown with its secret values starred, character for character.

The fingerprint (``#`` and the first four hex digits of the SHA-256 of the
secret) tells two keys apart and is no part of either: not even four
characters of a key are ever shown.

In a credentials file every string value is treated as secret unless its key
is one of the few known to be public (URLs, region, project id), so a key
spelled ``api_key`` or ``token`` in an old file is masked too. The documented
no-key values (``ollama``, ``EMPTY``, ``not-needed``, …) are no secret: they are
shown as written, so a user can tell which one a file holds.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's own costs the clean path its import
if TYPE_CHECKING:
    import re

__all__ = [
    "MIN_RUN",
    "NOT_SECRET",
    "NO_KEY_VALUES",
    "is_secret_field",
    "looks_secret",
    "mask",
    "mask_json_text",
    "mask_lines",
    "mask_text",
    "mask_yaml_text",
    "masked_diff",
    "written_forms",
]

# the values PonyBunny's docs give for a server that takes no key: shown as written
NO_KEY_VALUES = ("not-needed", "EMPTY", "ollama", "lm-studio", "sk-no-key-required")
NOT_SECRET = frozenset({*NO_KEY_VALUES, "none", "null"})
MIN_RUN = 6  # a run this long of a known secret is masked wherever it appears
_PUBLIC_FIELDS = frozenset({"baseurl", "endpoint", "region", "projectid", "$schema", "enabled"})
# Patterns, not compiled ones: the re module, imported where one is used, compiles each on first use.
# Both run in linear time: no part of them can give back what it took and try again over the same
# characters (a key cannot start with the indentation before it; a value ends at its last non-blank character,
# or at its closing quote), so a deeply nested YAML list or a long string costs time in proportion to its length.
_YAML_MEMBER = (
    r"""(?m)^(?P<lead>(?>[ \t]*(?:-[ \t]+)?))(?P<quote>["']?)(?P<key>[^"':#\n]*+)(?P=quote)(?P<colon>[ \t]*+:[ \t]*)"""
    r"""(?:(?P<vq>["'])(?P<quoted>[^\n#]*)(?P=vq)|(?P<plain>(?:[^\n#]*[^\n# \t])?))(?P<tail>[ \t]*+(?:#.*)?)$"""
)
_STRING_MEMBER = r'"([^"\\\n]*+(?:\\.[^"\\\n]*+)*+)"(\s*+:\s*+)"([^"\\\n]*+(?:\\.[^"\\\n]*+)*+)'


# a name holding one of these, in any case, says it holds a secret; _FOLD first maps the letters that match an
# ASCII one only when case is ignored (dotted and dotless i, long s, the Kelvin sign)
_SECRET_NAME_PARTS = (
    *("apikey", "api_key", "api-key", "accesskey", "access_key", "access-key"),
    *("secret", "token", "password", "passwd"),
)
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def is_secret_field(name: object) -> bool:
    """In credentials.json: every field but the few known to be public."""
    return str(name).lower().replace("_", "").replace("-", "") not in _PUBLIC_FIELDS


def looks_secret(name: object) -> bool:
    """Anywhere else: a field whose name says it holds a secret."""
    folded = str(name).translate(_FOLD).lower()
    return any(part in folded for part in _SECRET_NAME_PARTS)


def mask(secret: object) -> str:
    """A long secret as its vendor prefix and its fingerprint, so two keys can be told apart; a short one as
    ``…`` alone, since the fingerprint of a short secret would make it easy to guess."""
    if not isinstance(secret, str):
        return "…"
    if secret.strip() in NOT_SECRET:
        return secret
    if secret == "":
        return '""'
    if len(secret) < 12:
        return "…"
    from hashlib import sha256  # not on the clean validate path, which shows no secret

    digest = sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{secret[: _prefix_length(secret)]}…#{digest[:4]}"


def _prefix_length(secret: str) -> int:
    """The length of the vendor's public prefix: ``sk-``, which OpenAI's, Anthropic's and most compatible
    servers' keys start with, and nothing of any other secret (its first characters are its own)."""
    return 3 if secret.startswith("sk-") else 0


def _same_length(raw: str) -> str:
    """``sk-abcdefghijkl1234`` -> ``sk-****************``: the vendor prefix and then stars, so columns after
    it stay where they were."""
    if raw.strip() in NOT_SECRET:
        return raw
    keep = _prefix_length(raw) if len(raw) >= 12 else 0
    return raw[:keep] + "*" * (len(raw) - keep)


def mask_json_text(text: str, secret=is_secret_field) -> str:
    """JSON text with every secret string value masked, same length, same lines."""
    import re

    def replace(match: re.Match) -> str:
        key, colon, value = match.groups()
        if not secret(key):
            return match.group(0)
        return f'"{key}"{colon}"{_same_length(value)}'

    return re.sub(_STRING_MEMBER, replace, text)


def mask_yaml_text(text: str, secret=is_secret_field) -> str:
    """The YAML twin of :func:`mask_json_text`: secret scalar values masked, same length."""
    import re

    def replace(match: re.Match) -> str:
        value_quote = match["vq"] or ""
        value = match["quoted"] if value_quote else match["plain"]
        if not value or not secret(match["key"].strip()):
            return match.group(0)
        return (
            f"{match['lead']}{match['quote']}{match['key']}{match['quote']}{match['colon']}"
            f"{value_quote}{_same_length(value)}{value_quote}{match['tail']}"
        )

    return re.sub(_YAML_MEMBER, replace, text)


def mask_lines(text: str, start: int, end: int, kind: str | None, most: int = 1 << 16) -> tuple[int, str] | None:
    """The lines of JSON text holding ``start`` to ``end``, as :func:`mask_text` shows them, computed from those
    lines and the few before them only: ``(offset of the first line, its text and the next ones', secrets
    masked)``; None when that means reading more than ``most`` characters (long lines: mask the whole text).

    No part of a match but the blanks and the colon between a key and its value
    can cross a line break. So the pattern is started at the line of the last
    thing before those blanks, twice over (the colon, then the key, may each
    have a line of their own): from there it finds exactly the matches the
    whole text would. A diagnostic's snippet then costs its own lines, not the file.
    """
    stop = text.find("\n", end, end + most)  # a value is masked by its whole length: read to the end of its line
    stop = stop if stop != -1 else (len(text) if len(text) - end <= most else -1)
    if stop == -1:
        return None
    floor = max(0, stop - most)
    first = sync = _line_start(text, start, floor)
    for _ in range(2):
        if not sync:  # None (too far back) or 0 (the top of the file)
            break
        previous = _last_non_blank(text, sync, floor)
        sync = _line_start(text, previous, floor) if previous is not None else (None if floor else 0)
    if sync is None or first is None:
        return None
    return first, mask_text(text[sync:stop], kind)[first - sync :]


def _line_start(text: str, pos: int, floor: int) -> int | None:
    """The start of the line holding ``pos``, if it is not before ``floor``."""
    found = text.rfind("\n", floor, pos)
    return found + 1 if found != -1 else (0 if floor == 0 else None)


def _last_non_blank(text: str, pos: int, floor: int) -> int | None:
    """The offset of the last character before ``pos``, and not before ``floor``, that is not blank."""
    step = 64
    while pos > floor:
        begin = max(floor, pos - step)
        kept = text[begin:pos].rstrip(" \t\r\n")
        if kept:
            return begin + len(kept) - 1
        pos, step = begin, step * 4
    return None


def mask_text(text: str, kind: str | None, yaml: bool = False) -> str:
    """Any config text as it may be shown: in credentials every non-public value masked, elsewhere
    every value whose key says it is a secret."""
    function = mask_yaml_text if yaml else mask_json_text
    return function(text, is_secret_field if kind == "credentials" else looks_secret)


def masked_diff(old: str, new: str, *, kind: str | None, yaml: bool, old_label: str, new_label: str) -> str:
    """A unified diff of two versions of a config file, both masked as :func:`mask_text` shows them.

    ``kind`` is the file's kind ("credentials", "llm-config"), or None for a file that holds no secret
    values (a schema file), never guessed from a name.
    """
    from pbcfg.util.textdiff import unified_diff

    if kind is not None:
        old, new = mask_text(old, kind, yaml=yaml), mask_text(new, kind, yaml=yaml)
    return "".join(unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), old_label, new_label))


def written_forms(secret: str) -> set[str]:
    """The ways a secret shows up in text, each of at least :data:`MIN_RUN` characters: as is, trimmed,
    URL-encoded (``-`` too, in either hex case), JSON-escaped, XML-escaped (a SARIF or JUnit report), and base64
    inside a longer encoded text (Basic auth, a server echoing a header encoded).

    Built from C helpers (``_json``, ``binascii``) rather than json, urllib.parse and base64, which import the re
    module: registering a key is on the path of every clean validate."""
    from _json import encode_basestring, encode_basestring_ascii

    trimmed = secret.strip()
    # surrogatepass: a value read from undecodable bytes (an env var) holds lone surrogates, which must not crash
    escaped = [c if c.isascii() and c.isalnum() else _percent(c) for c in trimmed]
    xml = trimmed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    forms = {
        secret,
        trimmed,
        "".join(c if c in _URL_SAFE else _percent(c) for c in trimmed),
        "".join(escaped),
        "".join(piece.lower() if piece[0] == "%" else piece for piece in escaped),
        encode_basestring_ascii(trimmed)[1:-1],
        encode_basestring(trimmed)[1:-1],
        xml,
        xml.replace("'", "&apos;"),
    }
    forms |= _base64_forms(trimmed.encode("utf-8", "surrogatepass"))
    return {form for form in forms if len(form) >= MIN_RUN}


_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")  # never percent-encoded


def _percent(character: str) -> str:
    """One character percent-encoded, byte by byte of its UTF-8 (a lone surrogate too), upper-case hex."""
    return "".join(f"%{byte:02X}" for byte in character.encode("utf-8", "surrogatepass"))


def _base64_forms(data: bytes) -> set[str]:
    """The secret as base64 (standard and URL-safe) inside a longer encoded text: at each of the three byte
    alignments, the characters its bytes alone decide."""
    from binascii import b2a_base64

    forms = set()
    for skip in range(3):
        encoded = b2a_base64(bytes(skip) + data, newline=False).decode()
        known = encoded[-(-8 * skip // 6) : 8 * (skip + len(data)) // 6]
        forms |= {known, known.replace("+", "-").replace("/", "_")}
    return forms
