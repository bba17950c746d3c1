import pytest
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model

from tests.support.libretranslate import libretranslate_server


@pytest.fixture(autouse=True)
async def fresh_channel_layer():
    """Each test starts with no groups left over from the one before."""
    yield
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        await layer.flush()


@pytest.fixture
def translator(settings):
    """Machine translation on, through a local server speaking LibreTranslate's API."""
    with libretranslate_server(api_key="secret-key") as fake:
        settings.ROUNDTABLE_TRANSLATE_URL = fake.url
        settings.ROUNDTABLE_TRANSLATE_API_KEY = "secret-key"
        settings.ROUNDTABLE_TRANSLATE_TIMEOUT_SECONDS = 1
        yield fake


@pytest.fixture
def organizer(client):
    """An account, signed in, that creates roundtables on the organizer's pages."""
    user = get_user_model().objects.create_user(
        username="org", email="org@example.org", password="x-Secret-123"
    )
    client.force_login(user)
    return user
