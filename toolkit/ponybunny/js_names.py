"""Ids PonyBunny's JavaScript reads as something else: the names every plain object inherits.

PonyBunny keeps models, endpoints and its own lookup tables in plain objects,
so ``table[id]`` on an id such as ``constructor`` or ``toString`` finds the
inherited function when the table has no own entry of that name. And
``"__proto__"``, which JSON.parse keeps as data, becomes the prototype of the
section PonyBunny's merge copies it into. ``prototype`` is not inherited by
plain objects: it is an ordinary id.
"""

__all__ = ["INHERITED"]

INHERITED = frozenset(
    {
        "__proto__",
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
    }
)
