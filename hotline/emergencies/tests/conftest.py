from hotline.tickets.tests.conftest import *  # noqa: F403  (people, units, at, flow)
