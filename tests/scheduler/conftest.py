from collections.abc import Iterator

import pytest

from stations.services.alert_routing import alert_routing, configure_alert_routing
from tests.fake_telegram.fixtures import fake_telegram, make_fake_telegram  # noqa: F401
from tests.scheduler.helpers import (  # noqa: F401
    bot,
    fake,
    no_coordinators,
    routing,
    settings,
    vtime,
)


@pytest.fixture(autouse=True)
def _undo_alert_routing() -> Iterator[None]:
    """The scheduler's runtime sets the process-wide alert routing: each test starts clean."""
    before = alert_routing()
    yield
    configure_alert_routing(
        coordinator_chat_id=before.coordinator_chat_id, language=before.language
    )
