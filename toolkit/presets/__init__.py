"""Configs generated from service presets: ``presets``, ``render``, ``init``, ``add``, ``build``.

    catalog.py     the presets in templates/, and rendering one
    scaffold.py    writing a rendered config into a directory
    add.py         merging a preset into an existing config as text edits
    build.py       YAML sources in, the JSON files PonyBunny reads out
    yamlemit.py    commented YAML from the schemas' descriptions
"""
