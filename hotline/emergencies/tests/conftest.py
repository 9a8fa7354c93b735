import pytest

from hotline.tickets.tests.conftest import *  # noqa: F403  (people, units, at, flow)


@pytest.fixture(autouse=True)
def default_keywords(db):
    """The migration's words, again: a flush by an earlier browser test removes them."""
    from hotline.emergencies.defaults import install_default_keywords

    install_default_keywords()
