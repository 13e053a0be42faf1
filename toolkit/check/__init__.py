"""``pbcfg validate``: parse, schema, references.

    pipeline.py    paths in, documents and diagnostics out; lint and the runtime start here
    schema.py      jsonschema-rs finds the errors, this explains them
    references.py  what JSON Schema cannot express: references between entries and files
"""
