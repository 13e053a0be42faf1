"""Package discovery only; everything else is in pyproject.toml.

toolkit/ installs as ``pbcfg``: every folder under it with an ``__init__.py`` becomes
``pbcfg.<folder>``, so a new stage needs no edit here.
"""

from setuptools import find_packages, setup

setup(packages=["pbcfg", *(f"pbcfg.{name}" for name in find_packages("toolkit")),
                "pbcfg.generated", "pbcfg.schemas", "pbcfg.templates"])
