"""``pbcfg validate``: parse, schema, references.

pipeline.py          paths in, documents and diagnostics out; lint and the runtime start here
schema_errors.py     jsonschema-rs finds the errors, this explains them
cross_references.py  what JSON Schema cannot express: references between entries and files
loader_findings.py   what PonyBunny's loaders will do with each checked file
"""
