"""The helpers a generated validator may call, as real code: the compiler copies each one's source
(:func:`inspect.getsource`) into ``generated/validators.py``, which must import nothing of pbcfg's.

Each takes and returns plain values, so it runs the same here and there; the names start with an
underscore because the generated module keeps them private.
"""

_BIG = 2**53  # past this an integer may not compare as jsonschema-rs compares it: "not sure"
_FLOAT = 1.7976931348623157e308  # the largest finite float: inf and nan are "not sure"
_STR_OR_INT = frozenset((str, int))
# RFC 3986 character sets, for _uri
_HOST = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;="  # unreserved, sub-delims
_SCHEME = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-"
_USERINFO = _HOST + ":"
_PATH = _HOST + ":@/"
_QUERY = _HOST + ":@/?"
_HOST_NAME = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"  # for _http_url


def _text(s):
    """A non-ASCII string jsonschema-rs can take: no lone surrogate."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _plain(value):
    """A value no keyword constrains: still one jsonschema-rs takes as JSON."""
    kind = type(value)
    if kind is str:
        return value.isascii() or _text(value)
    if kind is int:
        return -_BIG <= value <= _BIG
    if kind is float:
        return -_FLOAT <= value <= _FLOAT
    if kind is dict:
        return all((k.isascii() or _text(k)) and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(v) for v in value)
    return kind is bool or value is None


def _unique(items):
    """uniqueItems, for strings and integers (a string never equals an integer); anything else: not sure."""
    return set(map(type, items)) <= _STR_OR_INT and len(set(items)) == len(items)


def _uri(s):
    """format: uri, RFC 3986 without IP literals; ASCII only."""
    if not s.isascii():
        return False
    scheme, colon, rest = s.partition(":")
    if not colon or not scheme[:1].isalpha() or scheme.strip(_SCHEME):
        return False
    rest, _, fragment = rest.partition("#")
    rest, _, query = rest.partition("?")
    if not (_chars(query, _QUERY) and _chars(fragment, _QUERY)):
        return False
    if not rest.startswith("//"):
        return _chars(rest, _PATH)
    authority, _, path = rest[2:].partition("/")
    if "@" in authority:
        userinfo, _, authority = authority.partition("@")
        if not _chars(userinfo, _USERINFO):
            return False
    host, _, port = authority.partition(":")
    return not port.strip("0123456789") and _chars(host, _HOST) and _chars(path, _PATH)


def _chars(part, allowed):
    """Only ``allowed`` characters and well-formed %XX escapes."""
    if "%" in part:
        pieces = part.split("%")
        if any(len(p) < 2 or p[:2].strip("0123456789ABCDEFabcdef") for p in pieces[1:]):
            return False
        part = pieces[0] + "".join(p[2:] for p in pieces[1:])
    return not part.strip(allowed)


def _http_url(s):
    """A common http(s) URL: a host name or IPv4 address, a port up to 65535, a path of printable characters
    without spaces or backslashes. True only where the URL pattern matches too; anything else: ask it."""
    scheme, sep, rest = s.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return False
    end = min((at for at in map(rest.find, "/?#") if at != -1), default=len(rest))
    authority, path = rest[:end], rest[end:]
    host, colon, port = authority.partition(":")
    if not host or host.strip(_HOST_NAME):
        return False
    if colon and port and not (len(port) <= 5 and port.isdigit() and int(port) <= 65535):
        return False
    return " " not in path and "\\" not in path and path.isprintable()


def _search(pattern, s):
    """``pattern`` (ASCII classes) found in ``s``. The re module is imported here, on the first string a fast
    check cannot settle: importing it costs a clean ``pbcfg validate`` more than the whole check."""
    import re

    return re.search(pattern, s, re.ASCII) is not None
