"""The secrets' scanners read text without the re module (which a clean ``pbcfg validate`` must not import); the
regular expressions and stdlib encoders they replace are kept here, as the oracle they must agree with."""

from __future__ import annotations

import json
import re
from base64 import b64encode, urlsafe_b64encode
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from pbcfg.secrets.known import _url_parts, find_keys
from pbcfg.secrets.masking import MIN_RUN, looks_secret, written_forms

# a key: a whole run of [A-Za-z0-9_-] starting with a vendor's prefix, the first alternative that matches winning
KEY_SHAPE = re.compile(
    r"(?<![A-Za-z0-9_-])(?:(sk-ant-[A-Za-z0-9_-]{20,})|(sk-(?!ant-|or-)[A-Za-z0-9_-]{20,})"
    r"|(AIza[0-9A-Za-z_-]{35})|((?:AKIA|ASIA)[0-9A-Z]{16}))(?![A-Za-z0-9_-])"
)
SERVICES = ("anthropic", "openai", "google", "aws")
SECRET_NAME = re.compile(r"(?i)(api[_-]?key|apikey|secret|token|password|passwd|access[_-]?key)")
# a URL after its "://": authority (group 1), path, query (group 2)
AFTER_SCHEME = re.compile(r"""([^\s"'<>/?#\\]*)[^\s"'<>?#\\]*(\?[^\s"'<>#\\]*)?""")

pieces = st.sampled_from(
    ["sk-", "sk-ant-", "sk-or-", "AIza", "AKIA", "ASIA", "a", "Z", "7", "_", "-", " ", ".", "\n", "é", "\u2028"]
    + ["ABCDEFGHIJKLMNOP", "abcdefghij", "://", "@", ":", "/", "?", "&", ";", "=", "#", '"', "'", "<", "\\"]
    + ["key=", "api_key=", "token=", "%41", "[::1]", "\u00a0", "\u3000"]
)
texts = st.lists(pieces, max_size=24).map("".join)


def keys_by_pattern(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), SERVICES[(m.lastindex or 1) - 1]) for m in KEY_SHAPE.finditer(text)]


def url_parts_by_pattern(text: str) -> list[tuple[str, str]]:
    """(authority, query without its "?") of each URL, as the pattern splits them."""
    parts, separator = [], text.find("://")
    while separator != -1:
        match = AFTER_SCHEME.match(text, separator + 3)
        assert match is not None
        parts.append((match.group(1), (match.group(2) or "")[1:]))
        separator = text.find("://", max(match.end(), separator + 3))
    return parts


@settings(max_examples=600)
@given(texts)
def test_key_runs_are_the_patterns_matches(text):
    assert find_keys(text) == keys_by_pattern(text)


def test_key_runs_at_the_edges():
    anthropic, openai = "sk-ant-" + "a" * 20, "sk-" + "b" * 20
    text = (
        f"{anthropic} x{openai} {openai}! AIza{'c' * 35} AIza{'c' * 36} AKIA{'D' * 16} ASIA{'d' * 16} sk-or-{'e' * 30}"
    )
    assert find_keys(text) == keys_by_pattern(text)
    assert [service for _, _, service in find_keys(text)] == ["anthropic", "openai", "google", "aws"]


@settings(max_examples=600)
@given(texts)
def test_url_parts_are_the_patterns_groups(text):
    assert list(_url_parts(text)) == url_parts_by_pattern(text)


secrets = st.text(
    st.characters(codec=None, exclude_categories=()) | st.sampled_from(["\ud800", "\udcff", "-", "_", "~", "%"]),
    max_size=24,
)


@settings(max_examples=600)
@given(secrets)
def test_written_forms_are_the_stdlib_encodings(secret):
    trimmed = secret.strip()
    raw = trimmed.encode("utf-8", "surrogatepass")
    every = "".join(
        c if c.isascii() and c.isalnum() else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        for c in trimmed
    )
    forms = {
        secret,
        trimmed,
        quote(trimmed, safe="", errors="surrogatepass"),
        every,
        re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), every),
        json.dumps(trimmed)[1:-1],
        json.dumps(trimmed, ensure_ascii=False)[1:-1],
    }
    xml = trimmed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    forms |= {xml, xml.replace("'", "&apos;")}
    for skip in range(3):
        for encode in (b64encode, urlsafe_b64encode):
            encoded = encode(bytes(skip) + raw).decode()
            forms.add(encoded[-(-8 * skip // 6) : 8 * (skip + len(raw)) // 6])
    assert written_forms(secret) == {form for form in forms if len(form) >= MIN_RUN}


names = st.lists(
    st.sampled_from(["api", "key", "KEY", "_", "-", "secret", "token", "pass", "word", "passwd", "access", "x"])
    | st.sampled_from(["\u0130", "\u0131", "\u017f", "\u212a", "S", "I", "t", "o", "k", "e", "n", "y"]),
    max_size=8,
).map("".join)


@settings(max_examples=600)
@given(names)
def test_secret_names_are_the_patterns(name):
    assert looks_secret(name) == bool(SECRET_NAME.search(name))


def test_secret_names_ignore_case_as_the_pattern_does():
    assert [looks_secret(name) for name in ("X-Api-Key", "API_KEY", "to\u212aen", "\u017fecret", "ap\u0131key")] == [
        True
    ] * 5
    assert [looks_secret(name) for name in ("model", "api__key", "apiKy")] == [False] * 3
