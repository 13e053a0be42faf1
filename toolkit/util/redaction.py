"""The one redaction boundary: every secret value in play, and the function every emitted byte passes.

Whoever reads a secret (a credentials file, an endpoint's environment variable,
a key in a URL) hands it to :data:`REDACTOR`; whatever pbcfg prints, writes as a
report or raises as a message passes :func:`redact` first, before any
truncation. A server may echo a key whole, cut, URL-encoded or JSON-escaped, so
any run of :data:`MIN_RUN` or more characters of a secret, in any of those
forms, is masked, character for character, so columns stay where they were.

Values that are not secrets (the no-key strings such as ``not-needed``) and
values too short to mask without masking ordinary words are not registered.
"""

from __future__ import annotations

import _thread  # threading's Lock, without importing threading on the validate path

from pbcfg.util.masking import NOT_SECRET, mask

__all__ = ["MIN_RUN", "REDACTOR", "Redactor", "Secret", "redact"]

MIN_RUN = 6  # a run this long of a secret is masked wherever it appears


def _forms(secret: str) -> set[str]:
    """The ways a secret shows up in text: as is, trimmed, URL-encoded (``-`` too, in either hex case),
    JSON-escaped, XML-escaped (a SARIF or JUnit report)."""
    import json
    import re
    from urllib.parse import quote

    trimmed = secret.strip()
    # surrogatepass: a value read from undecodable bytes (an env var) holds lone surrogates, which must not crash
    every = "".join(c if c.isascii() and c.isalnum() else quote(c, safe="", errors="surrogatepass") if not c.isascii()
                    else f"%{ord(c):02X}" for c in trimmed)
    xml = trimmed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    forms = {secret, trimmed, quote(trimmed, safe="", errors="surrogatepass"), every,
             re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), every), json.dumps(trimmed)[1:-1],
             json.dumps(trimmed, ensure_ascii=False)[1:-1], xml, xml.replace("'", "&apos;")}
    forms |= _base64_forms(trimmed.encode("utf-8", "surrogatepass"))
    return {form for form in forms if len(form) >= MIN_RUN}


def _base64_forms(data: bytes) -> set[str]:
    """The secret as base64 (standard and URL-safe) inside a longer encoded text (Basic auth, a token): at each of
    the three byte alignments, the characters its bytes alone decide."""
    from base64 import b64encode

    forms = set()
    for skip in range(3):
        encoded = b64encode(bytes(skip) + data).decode()
        known = encoded[-(-8 * skip // 6) : 8 * (skip + len(data)) // 6]
        forms |= {known, known.replace("+", "-").replace("/", "_")}
    return forms


class Redactor:
    """Knows the secrets in play; masks every run of :data:`MIN_RUN` characters of any of them."""

    def __init__(self) -> None:
        self._grams: set[str] = set()
        self._known: set[str] = set()
        self._lock = _thread.allocate_lock()

    def add(self, secret: object) -> None:
        """Register one secret value (any JSON type: an old file may hold ``"apiKey": 123456789``)."""
        if secret is None or isinstance(secret, bool):
            return
        if isinstance(secret, (list, dict)):
            for item in (secret.values() if isinstance(secret, dict) else secret):
                self.add(item)
            return
        if not isinstance(secret, str):
            import json

            secret = json.dumps(secret)
        text = secret
        if text in self._known or text.strip() in NOT_SECRET or len(text.strip()) < MIN_RUN:
            return
        grams = {form[i : i + MIN_RUN] for form in _forms(text) for i in range(len(form) - MIN_RUN + 1)}
        with self._lock:
            self._known.add(text)
            self._grams |= grams

    def __bool__(self) -> bool:
        return bool(self._grams)

    def redact(self, text: str) -> str:
        """``text`` with every run of a secret masked by ``*``, same length."""
        grams = self._grams
        if not grams or len(text) < MIN_RUN:
            return text
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

    def clear(self) -> None:
        """Forget every secret (tests, and long-lived processes that reload their config)."""
        with self._lock:
            self._grams = set()
            self._known = set()


REDACTOR = Redactor()


def redact(text: str) -> str:
    """``text`` as it may be shown: every known secret masked (see :class:`Redactor`)."""
    return REDACTOR.redact(text)


class Secret:
    """A secret value in the Python API: ``str`` and ``repr`` are masked; :meth:`reveal` is for the one
    place that sends it (the request's header). Creating one registers it with :data:`REDACTOR`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        REDACTOR.add(value)

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))
