"""Generated identifiers are random version 4 GUIDs in the form Partner Center writes."""

from __future__ import annotations

import uuid

from tenantry.domain.ids import is_guid, new_guid, new_guids


def test_each_generated_guid_is_a_distinct_version_4_guid_in_canonical_text() -> None:
    guids = new_guids(6) + [new_guid() for _ in range(200)]
    assert len(set(guids)) == len(guids) == 206
    for text in guids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text  # lower case, 8-4-4-4-12
        assert is_guid(text)


def test_a_batch_holds_as_many_as_asked() -> None:
    assert [len(new_guids(n)) for n in (0, 1, 7)] == [0, 1, 7]
