"""Protocol compatibility: answers may grow, requests may not (DESIGN 5, mixed versions)."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from shared_models.sync.wire import Mutation, PullResponse, PushResponse


def test_an_answer_with_fields_a_newer_server_added_still_parses() -> None:
    answer = {
        "results": [
            {
                "mutation_id": 1,
                "status": "applied",
                "row": None,
                "conflicts": [],
                "added_by_a_future_server": {"x": 1},
            }
        ],
        "last_mutation_id": 1,
        "also_new": True,
    }
    parsed = PushResponse.model_validate(answer)
    assert parsed.results[0].status == "applied"
    pull = PullResponse.model_validate(
        {"changes": [], "cursors": {}, "has_more": False, "buckets": [], "new": 1}
    )
    assert pull.has_more is False


def test_a_request_with_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Mutation.model_validate(
            {
                "mutation_id": 1,
                "table": "customer",
                "op": "update",
                "id": str(uuid.uuid4()),
                "changes": {},
                "hlc": "1790000000000-00000-a",
                "surprise": 1,
            }
        )
