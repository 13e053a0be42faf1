"""Configs generated from service presets: ``presets``, ``render``, ``init``, ``add``, ``build``.

service_presets.py  the presets in templates/: each one's metadata and templates
render.py      rendering one: parameters in, both files out
scaffold.py    writing a rendered config into a directory
add.py         merging a preset into an existing config as text edits
yaml_build.py  YAML sources in, the JSON files PonyBunny reads out
yamlemit.py    commented YAML from the schemas' descriptions
"""
