"""Editing a config by id: ``pbcfg rename`` and ``pbcfg remove``, with every reference that names it.

:mod:`pbcfg.edit.transaction` reads and checks the files, applies the text edits and validates the
result before it writes anything; :mod:`pbcfg.edit.id_usages` finds what names an id; one module per
operation decides the edits.
"""

__all__: list[str] = []
