import pytest
from channels.layers import get_channel_layer


@pytest.fixture(autouse=True)
async def fresh_channel_layer():
    """Each test starts with no groups left over from the one before."""
    yield
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        await layer.flush()
