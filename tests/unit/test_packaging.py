"""The package imports without any service running (nothing connects at import time)."""

import importlib

import pytest


@pytest.mark.parametrize(
    "name", ["shared", "services.intake", "services.cases", "services.notify", "services.reporting"]
)
def test_imports_without_side_effects(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__name__ == name
