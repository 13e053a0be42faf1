"""Answers computed once per argument, for the loaders on the clean path of ``pbcfg validate``.

``functools.cache`` would do, but importing functools (and ``types`` behind it)
costs that path about a millisecond, more than it spends checking a small
config.
"""

from __future__ import annotations

__all__ = ["once_per_argument"]


def once_per_argument(function):
    """``function`` (of hashable positional arguments) remembering each answer, like ``functools.cache``."""
    answers: dict = {}

    def remembered(*args):
        try:
            return answers[args]
        except KeyError:
            answer = answers[args] = function(*args)
            return answer

    remembered.__name__, remembered.__qualname__, remembered.__doc__ = (
        function.__name__,
        function.__qualname__,
        function.__doc__,
    )
    remembered.__wrapped__ = function
    return remembered
