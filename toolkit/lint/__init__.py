"""``pbcfg lint``: validation plus opinionated rules about what PonyBunny silently gets wrong.

    catalog.py     the Rule type and the registry every rule module adds to
    context.py     one directory's files, merged config and effective credentials
    secrets.py, environment.py, urls.py, routing.py, merging.py, files.py
                   the rules, one module per theme
    settings.py    [tool.pbcfg.lint] / .pbcfg.toml: select, ignore, severities, ignores
    fixes.py       safe fixes: text edits that keep formatting, modes, schema files
    engine.py      runs it all and applies settings
"""
