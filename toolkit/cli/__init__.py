"""The command line.

entry.py      the ``pbcfg`` console script: every failure one line and a documented exit code
hotpath.py    ``validate`` and ``lint`` from pre-commit, without importing Click
actions.py    the click-free functions both paths call
commands/     the Click group, one module per command
"""
