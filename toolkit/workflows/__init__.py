"""Workflows: the sequences behind ``doctor`` and ``resolve --as ponybunny``, callable from Python.

Each returns a result object (the files, the diagnostics, the notes, and the command's own data); the command
line only parses its options and hands that result to :func:`pbcfg.reporters.emit`. Modules: ``checkup`` (lint,
probe, a verdict per tier and agent), ``readiness`` (those verdicts), ``findings`` (probes, plans and verdicts
as diagnostics), ``path_b_comparison`` (pbcfg's plan beside PonyBunny's Path B), ``preset_files`` (a preset's
files, shown or written: ``render``).
"""
