"""Secrets, in one place: what is secret and how it is shown (``masking``), which secrets are known and what finds
them in what pbcfg reads (``known``), the one ``redact`` every printed byte passes and the streams that apply it
(``boundary``), and the masked values of the Python API (``values``: ``Secret``, ``SecretURL``).

Nothing here registers a secret on import, and finding one registers nothing: the caller decides (the CLI entry
for a run, the runtime as it loads its config).
"""
