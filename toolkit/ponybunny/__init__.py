"""What PonyBunny itself does with the files: its built-in defaults, its merge, its credentials, its two code paths.

builtins.py        built-in endpoints, models, tiers and agents
schema_files.py    the *.schema.json files beside the config, and which one PonyBunny uses
ajv_view.py        a schema file compiled and applied as PonyBunny's Ajv does it
loader_model.py    what its loaders do with each file: load, fall back, ignore or refuse
deep_merge.py      the user's llm-config.json deep-merged over the defaults
effective.py       what each endpoint really gets (as the docs say), and where each value came from
chains.py          tier and agent model chains
path_b.py          what its Path B (the conversation agent) really tries
urls.py            what its fetch does with a base URL
js_names.py        ids its JavaScript reads as object internals
"""
