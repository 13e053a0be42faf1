"""The lint rules, one module per group: a rule ``url.missing-v1`` lives in ``url.py``."""
