"""Fixtures of the system tests."""

from __future__ import annotations

import pytest
from git_projects import freeze_checkout


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """(frozen checkout, its revision, pre-commit home): pre-commit builds the hooks' environment once per module."""
    return freeze_checkout(tmp_path_factory)
