"""Where secrets come from: every value pbcfg reads that must never be shown is handed to the redactor here.

- a credentials file, as it is read (:func:`register_source`): the value of
  every field but the public ones (URLs, region, project id), of any JSON
  type (an old file may hold ``"apiKey": 123456789`` or a list), duplicates
  included; a file that does not parse is read as tokens, so its values are
  known before a snippet shows their line (a YAML duplicate-key message
  quotes the value);
- any config text or parameter holding a URL: its userinfo
  (``http://user:KEY@host``), a port that is not a number, and the value of a
  query parameter whose name says it is a secret (``?api_key=KEY``);
- the environment: every variable whose name says it holds a key, secret,
  token or password (every key variable of PonyBunny's built-in endpoints
  does), and the URL parts above in any other variable.

- a string shaped like a vendor's API key (``sk-…``, ``sk-ant-…``,
  ``AIza…``, ``AKIA…``: :func:`find_keys`) anywhere, public fields and
  llm-config.json included: a key pasted into ``baseUrl`` is masked wherever
  any rule quotes that value.

The no-key values (``not-needed``, ``EMPTY``...) are not secrets
(:data:`pbcfg.util.masking.NOT_SECRET`).
"""

from __future__ import annotations

import os
import re

from pbcfg.util.masking import is_secret_field, looks_secret
from pbcfg.util.redaction import REDACTOR

__all__ = ["KEY_NAMES", "find_keys", "key_service", "may_hold_key", "register_credentials",
           "register_credentials_text", "register_environment", "register_keys", "register_source",
           "register_url_secrets", "register_value"]

# patterns, compiled by the re module on first use: most runs never need them
# what follows a URL's "://": authority (group 1), path, query (group 2). URLs are found by their "://", not by
# a pattern that starts at their scheme: that one tried again at every letter of a long word (a 60 MB config of
# long names took minutes), and the scheme changes nothing about which parts are secret.
_AFTER_SCHEME = r"""([^\s"'<>/?#\\]*)[^\s"'<>?#\\]*(\?[^\s"'<>#\\]*)?"""
_URL_SECRET_PARAMETERS = frozenset({"key", "sig", "signature", "auth", "code", "pass", "pwd"})
# a variable whose name holds one of these words (between underscores) holds a secret
_SECRET_WORDS = frozenset({"key", "keys", "apikey", "secret", "secrets", "token", "tokens", "password", "passwords",
                           "passwd", "credential", "credentials"})
# a variable named only by these (GOOGLE_APPLICATION_CREDENTIALS) names a file: the secrets are inside it, not its path
_FILE_WORDS = frozenset({"credential", "credentials"})
# the tokens of JSON or YAML text, good enough to tell which key a value belongs to in a file that does not parse
_TOKEN = (r"""(?s)//[^\n]*|/\*.*?(?:\*/|\Z)|\#[^\n]*|"((?:[^"\\\n]|\\.)*)"?|'((?:[^'\n]|'')*)'?|([{}\[\]:,])"""
          r"""|(-?[0-9][0-9A-Za-z.+_-]*)|([^\s{}\[\]:,"'#]+)""")
_YAML_PLAIN_VALUE = r"""(?m)^[ \t]*(?:-[ \t]+)?["']?([^"'\n#:]+?)["']?[ \t]*:[ \t]+([^\s"'\[{#][^\n#]*?)[ \t]*(?:#.*)?$"""


# the prefixes vendors give their API keys, each with the service it names: a key of one in a public field, or
# under another vendor's endpoint, is a mistake. The first alternative that matches wins (sk-ant- before sk-).
_KEY_SHAPE = (r"(?<![A-Za-z0-9_-])(?:(sk-ant-[A-Za-z0-9_-]{20,})|(sk-(?!ant-|or-)[A-Za-z0-9_-]{20,})"
              r"|(AIza[0-9A-Za-z_-]{35})|((?:AKIA|ASIA)[0-9A-Z]{16}))(?![A-Za-z0-9_-])")
_KEY_SERVICES = ("anthropic", "openai", "google", "aws")
KEY_NAMES = {"anthropic": "an Anthropic API key", "openai": "an OpenAI API key", "google": "a Google API key",
             "aws": "an AWS access key id"}


def may_hold_key(text: str) -> bool:
    """False when ``text`` holds no key prefix at all: the usual answer, in four searches at C speed."""
    return "sk-" in text or "AIza" in text or "AKIA" in text or "ASIA" in text


def find_keys(text: str) -> list[tuple[int, int, str]]:
    """(start, end, service) of every key-shaped run of ``text``, in one linear pass."""
    if not may_hold_key(text):
        return []
    return [(match.start(), match.end(), _KEY_SERVICES[match.lastindex - 1])
            for match in re.finditer(_KEY_SHAPE, text)]


def key_service(value: object) -> str | None:
    """The service whose key shape ``value`` has, whole (anthropic, openai, google, aws), or None."""
    if not isinstance(value, str):
        return None
    found = find_keys(value)
    return found[0][2] if len(found) == 1 and found[0][:2] == (0, len(value)) else None


def register_keys(text: str) -> None:
    """Every key-shaped run of ``text``, whatever field or file holds it."""
    for start, end, _ in find_keys(text):
        REDACTOR.add(text[start:end])


def register_value(value: object) -> None:
    """One secret value (any JSON type; lists and objects: every value in them)."""
    REDACTOR.add(value)


def register_url_secrets(text: str) -> None:
    """The userinfo, a non-numeric port and secret-named query values of every URL in ``text``."""
    if "://" not in text:
        return

    def unquote(part: str) -> str:  # urllib.parse costs 2.5 ms to import: only for a URL that holds a secret
        from urllib.parse import unquote

        return unquote(part)

    after_scheme = re.compile(_AFTER_SCHEME)
    separator = text.find("://")
    while separator != -1:
        match = after_scheme.match(text, separator + 3)
        separator = text.find("://", max(match.end(), separator + 3))  # past this URL: each character read once
        authority, query = match.group(1), match.group(2)
        userinfo, at, host = authority.rpartition("@")
        if at:
            for part in {userinfo, *userinfo.split(":", 1)}:
                REDACTOR.add(part)
                REDACTOR.add(unquote(part))
        port = host.rsplit("]", 1)[-1].partition(":")[2]
        if port and not port.isdigit():
            REDACTOR.add(port)
            REDACTOR.add(unquote(port))
        for pair in re.split(r"[&;]", (query or "")[1:]):
            name, _, value = pair.partition("=")
            if value and (looks_secret(name) or name.lower() in _URL_SECRET_PARAMETERS):
                REDACTOR.add(value)
                REDACTOR.add(unquote(value))


def register_credentials(data: object, field: str | None = None) -> None:
    """Every value of a parsed credentials document but the public fields', and every URL's secrets."""
    if isinstance(data, (dict, _Pairs)):
        for key, value in data.items():
            register_credentials(value, key if isinstance(value, (str, int, float, list)) else None)
    elif isinstance(data, list):
        for item in data:
            register_credentials(item, field)
    elif field is not None and not isinstance(data, bool):
        if is_secret_field(field):
            REDACTOR.add(data)
        elif isinstance(data, str):
            register_url_secrets(data)


def register_credentials_text(text: str) -> None:
    """The secret values of credentials text (JSON or YAML) read as tokens, whether or not it parses:
    a string, number or word followed by ``:`` is a key; any other is a value of the last key."""
    import json

    key: str | None = None
    pending: list[str] = []  # the forms of the last string, number or word, until the next token says what it is

    def commit() -> None:
        if pending and key is not None and is_secret_field(key):
            for value in pending:
                REDACTOR.add(value)
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
            REDACTOR.add(match.group(2))
    register_url_secrets(text)


def register_source(source):
    """A file just read (a :class:`pbcfg.source.files.Source`): its secrets registered; returned as is.

    Credentials JSON that parses is walked pair by pair (a duplicate key's first value too); anything else is
    read as tokens (:func:`register_credentials_text`)."""
    register_keys(source.text)
    if source.kind != "credentials":
        register_url_secrets(source.text)
        return source
    if not source.name.lower().endswith((".yaml", ".yml")):
        from pbcfg.util.json_load import loads

        try:
            # numbers as written: 1e30 must be masked as 1e30, not as Python prints it
            register_credentials(loads(source.text, object_pairs_hook=_Pairs, parse_int=str, parse_float=str,
                                            parse_constant=str))
            return source
        except (ValueError, RecursionError):
            pass
    register_credentials_text(source.text)
    return source


class _Pairs(list):
    """A JSON object as its list of (key, value) pairs, duplicates kept."""

    def items(self):
        return iter(self)


def _names_a_file(value: str) -> bool:
    """A path, existing or not (``~/.config/gcloud/application_default_credentials.json``), not inline JSON."""
    return value.startswith(("/", "~", ".")) or value.endswith(".json") or os.sep in value and " " not in value


def register_environment(env) -> None:
    """Every variable whose name says it holds a secret (not a path to one), and the URL secrets of the rest."""
    for name, value in env.items():
        if not value:
            continue
        words = _SECRET_WORDS.intersection(name.lower().split("_"))
        if words and not (os.sep in value and os.path.exists(value)) and not (words <= _FILE_WORDS and _names_a_file(value)):
            REDACTOR.add(value)
        register_url_secrets(value)
        register_keys(value)
