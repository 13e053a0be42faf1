"""``pbcfg lint``: validation plus opinionated rules about what PonyBunny silently gets wrong.

registry.py    the rule functions by id: every rule module adds to it (what a rule is: pbcfg.catalog)
context.py     one directory's files, merged config and effective credentials
rules/         the rules, one module per rule group (url.missing-v1 lives in rules/url.py)
reach.py       who can reach a file, in words; gitwork.py: would git commit it
settings.py    [tool.pbcfg.lint] / .pbcfg.toml: select, ignore, severities, ignores
fixes.py       safe fixes: text edits that keep formatting, modes, schema files
linter.py      runs it all and applies settings
"""
