"""What PonyBunny itself does with the files: its built-in defaults, its merge, its credentials.

    builtins.py    built-in endpoints, models, tiers and agents
    schema_files.py the *.schema.json files beside the config
    merge.py       the user's llm-config.json deep-merged over the defaults
    effective.py   what each endpoint really gets, and where each value came from
    chains.py      tier and agent model chains
"""
