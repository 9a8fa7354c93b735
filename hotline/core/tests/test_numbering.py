"""R-DA-1: numbers by date, one series per prefix and year, shared by supervision letters
and report documents through hotline.core.numbering."""

import pytest

from hotline.core.numbering import next_in_series, official_number
from hotline.supervision.models import DocumentCounter

pytestmark = pytest.mark.django_db


def test_R_DA_1_each_series_counts_on_its_own_from_one():
    assert next_in_series(DocumentCounter, prefix="青溪12345简", year=2026) == 1
    assert next_in_series(DocumentCounter, prefix="青溪12345简", year=2026) == 2
    assert next_in_series(DocumentCounter, prefix="青溪12345简", year=2027) == 1
    assert next_in_series(DocumentCounter, prefix="青溪12345督", year=2026) == 1
    assert official_number("青溪12345简", 2026, 12) == "青溪12345简〔2026〕12号"
