"""PonyBunny's merge: the user's llm-config.json deep-merged over the built-in defaults.

Objects merge key by key; arrays and scalars replace. So nothing in
the defaults can be removed, only overridden or disabled, and a partial tier
keeps the built-in fallback.
"""

from __future__ import annotations

from pbcfg.ponybunny.builtins import defaults

__all__ = ["deep_merge", "merged_llm_config"]


def deep_merge(base: object, override: object) -> object:
    """``override`` merged over ``base``. The result shares every subtree it does not change with its inputs
    (copying a config of 10,000 models cost more than linting it), so, like the defaults, it is read-only."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override


def merged_llm_config(user: object) -> dict:
    """The config PonyBunny actually runs on; ``user`` may be None (no file)."""
    merged = deep_merge(defaults(), user if isinstance(user, dict) else {})
    assert isinstance(merged, dict)  # an object merged over an object
    return merged
