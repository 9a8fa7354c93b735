"""The tickets app's fixtures (demo city people and units, the happy-path Flow), reused."""

from hotline.tickets.tests.conftest import flow  # noqa: F401
