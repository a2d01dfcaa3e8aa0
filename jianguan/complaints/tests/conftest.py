import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    """Rate limits start from zero in every test; the bot trap's delay is off unless a test sets it."""
    settings.JIANGUAN_FORM_MIN_SECONDS = 0
    cache.clear()
    yield
    cache.clear()
