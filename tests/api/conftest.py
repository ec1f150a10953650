"""tests/api talk to a local simulator over real sockets, so sockets are enabled for every test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Allow the 127.0.0.1 connections pytest-homeassistant-custom-component blocks by default."""
