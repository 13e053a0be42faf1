"""The known secrets: the registry every printed byte is masked against, and what finds the secrets in what
pbcfg reads.

Finding is pure: each ``*_secrets`` function returns the values it found and
changes nothing. Registering is the caller's act: :func:`register` (or a
``register_*`` shorthand) hands values to :data:`REDACTOR`. The CLI registers
the environment where it starts and asks for every file it reads and checks
to be registered as it is found (:func:`register_what_is_found`); the runtime
registers what its config holds as it loads it. A plain :func:`check_paths`
registers nothing: its result carries the secrets it found.

What is secret:

- in a credentials file, the value of every field but the public ones (URLs,
  region, project id), of any JSON type (an old file may hold
  ``"apiKey": 123456789`` or a list), duplicates included; a file that does
  not parse is read as tokens, so its values are known before a snippet shows
  their line (a YAML duplicate-key message quotes the value);
- in any config text or parameter holding a URL: its userinfo
  (``http://user:KEY@host``), a port that is not a number, and the value of a
  query parameter whose name says it is a secret (``?api_key=KEY``);
- in the environment: every variable whose name says it holds a key, secret,
  token or password (every key variable of PonyBunny's built-in endpoints
  does), and the URL parts above in any other variable;
- anywhere, public fields and llm-config.json included: a string shaped like
  a vendor's API key (``sk-…``, ``sk-ant-…``, ``AIza…``, ``AKIA…``:
  :func:`find_keys`), so a key pasted into ``baseUrl`` is masked wherever any
  rule quotes that value.

The no-key values (``not-needed``, ``EMPTY``...) are not secrets
(:data:`pbcfg.secrets.masking.NOT_SECRET`).
"""

from __future__ import annotations

import _thread  # threading's Lock, without importing threading on the validate path
import os

from pbcfg.secrets.masking import MIN_RUN, NOT_SECRET, is_secret_field, looks_secret, written_forms

__all__ = [
    "KEY_NAMES",
    "REDACTOR",
    "Redactor",
    "credentials_secrets",
    "credentials_text_secrets",
    "environment_secrets",
    "find_keys",
    "key_secrets",
    "key_service",
    "may_hold_key",
    "note_credentials",
    "note_source",
    "register",
    "register_credentials_text",
    "register_environment",
    "register_url_secrets",
    "register_value",
    "register_what_is_found",
    "source_secrets",
    "url_secrets",
]

_TAIL_LENGTHS = tuple(range(MIN_RUN - 1, 2, -1))  # longest first: the end of a secret a server may show after stars
_MASKS_AS_STARS = str.maketrans("\u2022.\u2026", "***")  # what servers mask a key with: bullets, dots, an ellipsis
_MASK_MARKS = ("**", "\u2022\u2022", "...", "\u2026")


def _masks(run: str) -> bool:
    """Whether a run of mask characters hides part of something: two stars or bullets, three dots, an ellipsis."""
    return run.count("*") + run.count("\u2022") >= 2 or "..." in run or "\u2026" in run


class Redactor:
    """Knows the secrets in play; masks every run of :data:`~pbcfg.secrets.masking.MIN_RUN` characters of any of
    them, in any of their :func:`~pbcfg.secrets.masking.written_forms`."""

    def __init__(self) -> None:
        self._grams: set[str] = set()
        self._tails: set[str] = set()  # the last 3 to MIN_RUN - 1 characters of each secret
        self._known: set[str] = set()
        self._lock = _thread.allocate_lock()
        self.registers_what_is_found = False

    def add(self, secret: object) -> None:
        """Register one secret value (any JSON type: an old file may hold ``"apiKey": 123456789``)."""
        if secret is None or isinstance(secret, bool):
            return
        if isinstance(secret, (list, dict)):
            for item in secret.values() if isinstance(secret, dict) else secret:
                self.add(item)
            return
        if not isinstance(secret, str):
            import json

            secret = json.dumps(secret)
        text = secret
        if text in self._known or text.strip() in NOT_SECRET or len(text.strip()) < MIN_RUN:
            return
        grams = {form[i : i + MIN_RUN] for form in written_forms(text) for i in range(len(form) - MIN_RUN + 1)}
        trimmed = text.strip()
        with self._lock:
            self._known.add(text)
            self._grams |= grams
            self._tails |= {trimmed[-length:] for length in _TAIL_LENGTHS}

    def __bool__(self) -> bool:
        return bool(self._grams)

    def redact(self, text: str) -> str:
        """``text`` with every run of a secret masked by ``*``, same length, and the end of a secret shown after
        stars too."""
        grams = self._grams
        if not grams or len(text) < MIN_RUN:
            return text
        if any(mark in text for mark in _MASK_MARKS):
            text = self._star_tails(text)
        covered_until = -1
        runs: list[list[int]] = []
        for start in range(len(text) - MIN_RUN + 1):
            if text[start : start + MIN_RUN] in grams:
                end = start + MIN_RUN
                if runs and start <= covered_until:
                    runs[-1][1] = end
                else:
                    runs.append([start, end])
                covered_until = end
        if not runs:
            return text
        pieces, last = [], 0
        for start, end in runs:
            pieces.append(text[last:start])
            pieces.append("*" * (end - start))
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def _star_tails(self, text: str) -> str:
        """A server that echoes a key masked but for its last characters (``sk-proj-****abcd``, ``sk-ab...abcd``,
        ``sk-…abcd``) shows fewer than MIN_RUN of them: after a masking run (two stars or bullets, three dots, an
        ellipsis) and any spaces, the end of a known secret is starred as well. One pass, pieces joined once."""
        tails, pieces, last, size = self._tails, [], 0, len(text)
        marks = text.translate(_MASKS_AS_STARS)  # every mask character a star: the next one is found at C speed
        index = marks.find("*")
        while index != -1:
            end = index
            while end < size and marks[end] == "*":
                end += 1
            if _masks(text[index:end]):
                while end < size and text[end] in " \t\u00a0":
                    end += 1
                length = next((n for n in _TAIL_LENGTHS if end + n <= size and text[end : end + n] in tails), 0)
                if length:
                    pieces += [text[last:end], "*" * length]
                    last = end = end + length
            index = marks.find("*", end)
        return "".join(pieces) + text[last:] if pieces else text

    def clear(self) -> None:
        """Forget every secret (tests, and long-lived processes that reload their config)."""
        with self._lock:
            self._grams = set()
            self._known = set()


REDACTOR = Redactor()


def register(values) -> None:
    """Every value of ``values`` (each of any JSON type) registered with :data:`REDACTOR`."""
    for value in values:
        REDACTOR.add(value)


def register_what_is_found(enabled: bool = True) -> None:
    """Whether what reading and checking find is registered the moment it is found (:func:`note_source`,
    :func:`note_credentials`): on for a CLI run, whose every message may quote a file it read; off, the default,
    for the Python API, where the caller registers what a result carries."""
    REDACTOR.registers_what_is_found = enabled


def note_source(source):
    """A file just read, returned as is; its secrets registered when the run asked (:func:`register_what_is_found`)."""
    if REDACTOR.registers_what_is_found:
        register(source_secrets(source))
    return source


def note_credentials(data: object) -> None:
    """A credentials document just parsed: its values as parsed (a number, an escaped string) registered when the
    run asked (:func:`register_what_is_found`)."""
    if REDACTOR.registers_what_is_found:
        register(credentials_secrets(data))


# what ends each part of a URL after its "://" (besides whitespace): the authority, the path, the query. URLs are
# found by their "://", not from their scheme (which changes nothing about which parts are secret), and read
# without the re module, which costs more to import than a clean validate spends on everything else.
_ENDS_URL = frozenset("\"'<>#\\")
_ENDS_PATH = _ENDS_URL | {"?"}
_ENDS_AUTHORITY = _ENDS_PATH | {"/"}
_URL_SECRET_PARAMETERS = frozenset({"key", "sig", "signature", "auth", "code", "pass", "pwd"})
# a variable whose name holds one of these words (between underscores) holds a secret
_SECRET_WORDS = frozenset(
    {
        "key",
        "keys",
        "apikey",
        "secret",
        "secrets",
        "token",
        "tokens",
        "password",
        "passwords",
        "passwd",
        "credential",
        "credentials",
    }
)
# a variable named only by these (GOOGLE_APPLICATION_CREDENTIALS) names a file: the secrets are inside it, not its path
_FILE_WORDS = frozenset({"credential", "credentials"})
# the tokens of JSON or YAML text, good enough to tell which key a value belongs to in a file that does not parse
_TOKEN = (
    r"""(?s)//[^\n]*|/\*.*?(?:\*/|\Z)|\#[^\n]*|"((?:[^"\\\n]|\\.)*)"?|'((?:[^'\n]|'')*)'?|([{}\[\]:,])"""
    r"""|(-?[0-9][0-9A-Za-z.+_-]*)|([^\s{}\[\]:,"'#]+)"""
)
# a key and its plain value on one YAML line. The key and the value are words separated by runs of spaces, each
# run and word taken possessively: no two quantifiers can share a space, so the match is linear in the line
_YAML_PLAIN_VALUE = (
    r"""(?m)^[ \t]*+(?:-[ \t]++)?["']?[ \t]*+([^"'\n#: \t](?:[ \t]*+[^"'\n#: \t]+)*+)[ \t]*+["']?[ \t]*+:[ \t]+"""
    r"""([^\s"'\[{#](?:[ \t]*+[^ \t\n#]+)*+)[ \t]*+(?:#.*)?$"""
)


# the prefixes vendors give their API keys, each with the service it names: a key of one in a public field, or
# under another vendor's endpoint, is a mistake. A key is a whole run of _KEY_CHARACTERS: ``sk-ant-`` and 20 or
# more (Anthropic), ``sk-`` and 20 or more but not ``sk-or-`` (OpenAI), ``AIza`` and exactly 35 (Google), ``AKIA`` or
# ``ASIA`` and exactly 16 upper-case letters or digits (AWS).
_KEY_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
_AWS_KEY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_KEY_PREFIXES = ("sk-", "AIza", "AKIA", "ASIA")
KEY_NAMES = {
    "anthropic": "an Anthropic API key",
    "openai": "an OpenAI API key",
    "google": "a Google API key",
    "aws": "an AWS access key id",
}


def may_hold_key(text: str) -> bool:
    """False when ``text`` holds no key prefix at all: the usual answer, in four searches at C speed."""
    return "sk-" in text or "AIza" in text or "AKIA" in text or "ASIA" in text


def find_keys(text: str) -> list[tuple[int, int, str]]:
    """(start, end, service) of every key-shaped run of ``text``, in order, in one linear pass (a run is read
    once: no position inside it starts another)."""
    if not may_hold_key(text):
        return []
    found = []
    for prefix in _KEY_PREFIXES:
        start = text.find(prefix)
        while start != -1:
            if start == 0 or text[start - 1] not in _KEY_CHARACTERS:
                end = _run_end(text, start)
                service = _key_service(text[start:end])
                if service is not None:
                    found.append((start, end, service))
            start = text.find(prefix, start + 1)
    return sorted(found)


def _run_end(text: str, start: int) -> int:
    """Where the run of key characters from ``start`` ends, read a slice at a time at C speed."""
    end = start
    while True:
        piece = text[end : end + 256]
        rest = piece.lstrip(_KEY_CHARACTERS)
        end += len(piece) - len(rest)
        if rest or not piece:
            return end


def _key_service(run: str) -> str | None:
    """The service whose key ``run`` (a whole run of key characters) is, if it is one."""
    if run.startswith("sk-ant-"):
        return "anthropic" if len(run) >= 27 else None
    if run.startswith("sk-"):
        return "openai" if len(run) >= 23 and not run.startswith("sk-or-") else None
    if run.startswith("AIza"):
        return "google" if len(run) == 39 else None
    return "aws" if len(run) == 20 and _AWS_KEY_CHARACTERS.issuperset(run[4:]) else None


def key_service(value: object) -> str | None:
    """The service whose key shape ``value`` has, whole (anthropic, openai, google, aws), or None."""
    if not isinstance(value, str):
        return None
    found = find_keys(value)
    return found[0][2] if len(found) == 1 and found[0][:2] == (0, len(value)) else None


def key_secrets(text: str) -> list[str]:
    """Every key-shaped run of ``text``, whatever field or file holds it."""
    return [text[start:end] for start, end, _ in find_keys(text)]


def url_secrets(text: str) -> list[str]:
    """The userinfo, a non-numeric port and secret-named query values of every URL in ``text``, as written and
    unquoted."""
    if "://" not in text:
        return []

    def unquote(part: str) -> str:  # urllib.parse costs 2.5 ms to import: only for a URL that holds a secret
        from urllib.parse import unquote

        return unquote(part)

    secrets = []
    for authority, query in _url_parts(text):
        userinfo, at, host = authority.rpartition("@")
        if at:
            for part in dict.fromkeys((userinfo, *userinfo.split(":", 1))):
                secrets += [part, unquote(part)]
        port = host.rsplit("]", 1)[-1].partition(":")[2]
        if port and not port.isdigit():
            secrets += [port, unquote(port)]
        for pair in query.replace(";", "&").split("&"):
            name, _, value = pair.partition("=")
            if value and (looks_secret(name) or name.lower() in _URL_SECRET_PARAMETERS):
                secrets += [value, unquote(value)]
    return secrets


def _url_parts(text: str):
    """(authority, query without its ``?``) of every URL in ``text``, found by its ``://``."""
    separator = text.find("://")
    while separator != -1:
        authority_end = _scan(text, separator + 3, _ENDS_AUTHORITY)
        end = _scan(text, authority_end, _ENDS_PATH)
        query = ""
        if end < len(text) and text[end] == "?":
            query_end = _scan(text, end + 1, _ENDS_URL)
            query, end = text[end + 1 : query_end], query_end
        yield text[separator + 3 : authority_end], query
        separator = text.find("://", max(end, separator + 3))  # past this URL: each character read once


def _scan(text: str, start: int, ends: frozenset[str]) -> int:
    """The index of the first character from ``start`` on that is whitespace or in ``ends`` (else the length)."""
    for index in range(start, len(text)):
        character = text[index]
        if character in ends or character.isspace():
            return index
    return len(text)


def credentials_secrets(data: object, field: str | None = None) -> list:
    """Every value of a parsed credentials document but the public fields', and every URL's secrets."""
    secrets: list = []
    _collect_credentials(data, field, secrets)
    return secrets


def _collect_credentials(data: object, field: str | None, secrets: list) -> None:
    if isinstance(data, (dict, _Pairs)):
        for key, value in data.items():
            _collect_credentials(value, key if isinstance(value, (str, int, float, list)) else None, secrets)
    elif isinstance(data, list):
        for item in data:
            _collect_credentials(item, field, secrets)
    elif field is not None and not isinstance(data, bool):
        if is_secret_field(field):
            secrets.append(data)
        elif isinstance(data, str):
            secrets += url_secrets(data)


def credentials_text_secrets(text: str) -> list[str]:
    """The secret values of credentials text (JSON or YAML) read as tokens, whether or not it parses:
    a string, number or word followed by ``:`` is a key; any other is a value of the last key."""
    import json
    import re

    secrets: list[str] = []
    key: str | None = None
    pending: list[str] = []  # the forms of the last string, number or word, until the next token says what it is

    def commit() -> None:
        if pending and key is not None and is_secret_field(key):
            secrets.extend(pending)
        pending.clear()

    for match in re.finditer(_TOKEN, text):
        double, single, punctuation, number, word = match.groups()
        if punctuation == ":":
            key = pending[-1] if pending else None
            pending.clear()
        elif punctuation is not None:
            commit()
        elif double is not None:
            commit()
            pending.append(double)
            try:
                pending.append(json.loads(f'"{double}"'))
            except ValueError:
                pass
        elif single is not None:
            commit()
            pending.extend((single, single.replace("''", "'")))
        elif number is not None or word is not None:
            commit()
            pending.append(number if number is not None else word)
    commit()
    for match in re.finditer(_YAML_PLAIN_VALUE, text):  # a plain YAML scalar may hold spaces: the whole value
        if is_secret_field(match.group(1).strip()):
            secrets.append(match.group(2))
    return secrets + url_secrets(text)


def source_secrets(source) -> list:
    """The secrets of a file read (a :class:`pbcfg.source.reading.Source`).

    Credentials JSON that parses is walked pair by pair (a duplicate key's first value too); anything else is
    read as tokens (:func:`credentials_text_secrets`)."""
    secrets = key_secrets(source.text)
    if source.kind != "credentials":
        return secrets + url_secrets(source.text)
    if not source.name.lower().endswith((".yaml", ".yml")):
        from pbcfg.util.json_load import loads

        try:
            # numbers as written: 1e30 must be masked as 1e30, not as Python prints it
            return secrets + credentials_secrets(
                loads(source.text, object_pairs_hook=_Pairs, parse_int=str, parse_float=str, parse_constant=str)
            )
        except (ValueError, RecursionError):
            pass
    return secrets + credentials_text_secrets(source.text)


class _Pairs(list):
    """A JSON object as its list of (key, value) pairs, duplicates kept."""

    def items(self):
        return iter(self)


def _names_a_file(value: str) -> bool:
    """A path, existing or not (``~/.config/gcloud/application_default_credentials.json``), not inline JSON."""
    return value.startswith(("/", "~", ".")) or value.endswith(".json") or os.sep in value and " " not in value


def environment_secrets(env) -> list[str]:
    """Every variable whose name says it holds a secret (not a path to one), and the URL secrets of the rest."""
    secrets = []
    for name, value in env.items():
        if not value:
            continue
        words = _SECRET_WORDS.intersection(name.lower().split("_"))
        if (
            words
            and not (os.sep in value and os.path.exists(value))
            and not (words <= _FILE_WORDS and _names_a_file(value))
        ):
            secrets.append(value)
        secrets += url_secrets(value) + key_secrets(value)
    return secrets


def register_value(value: object) -> None:
    """One secret value (any JSON type; lists and objects: every value in them)."""
    REDACTOR.add(value)


def register_url_secrets(text: str) -> None:
    """The secrets of every URL in ``text`` (:func:`url_secrets`)."""
    register(url_secrets(text))


def register_credentials_text(text: str) -> None:
    """The secret values of credentials text, parsed or not (:func:`credentials_text_secrets`)."""
    register(credentials_text_secrets(text))


def register_environment(env) -> None:
    """The secrets of the environment (:func:`environment_secrets`)."""
    register(environment_secrets(env))
