import pytest

from hotline.intelligence.selectors import forget_served_model


@pytest.fixture(autouse=True)
def _models_in_tmp(settings, tmp_path):
    """Model files in a fresh data dir; the served-model cache checked on every call."""
    settings.DATA_DIR = tmp_path
    settings.HOTLINE_MODEL_CHECK_SECONDS = 0
    forget_served_model()
    yield
    forget_served_model()
