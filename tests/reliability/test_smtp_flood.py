"""Keep it proven: an SMTP flood, the server SIGKILLed twice, every 250 stored once."""

from __future__ import annotations

import pytest

from tests.conftest import Database
from tests.reliability.flood import flood, mail


def test_every_acknowledged_message_is_stored_exactly_once(database: Database) -> None:
    database.engine.dispose()
    result = flood(database.url, mails=300, clients=6, kill_after=[80, 190])
    assert result.kills == 2
    everything = {mail(number)[0] for number in range(result.mails)}
    assert result.acknowledged == everything  # the clients retried until they heard 250
    assert set(result.stored) == everything
    assert set(result.stored.values()) == {1}  # nothing stored twice across the kills
    assert result.errors > 0  # the kills really cut connections


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_harness_sees_a_missing_message(database: Database) -> None:
    """The counting could be false: a message that was never sent is not in the store."""
    result = flood(database.url, mails=20, clients=2, kill_after=[])
    assert len(result.stored) == 20
    assert mail(20)[0] not in result.stored
