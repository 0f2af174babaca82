"""Every model and enum value the product plan lists exists in shared_models, verbatim."""

from __future__ import annotations

import enum
import re
from pathlib import Path

import pytest

import shared_models.enums as enums
import shared_models.models as models

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "crm-schema-plan.md"


def _spec_text() -> str:
    if not SPEC.exists():
        pytest.fail(f"the product plan is expected at {SPEC} (shared/ beside the checkout)")
    return SPEC.read_text(encoding="utf-8")


def test_every_spec_model_is_a_mapped_class() -> None:
    listed = re.findall(r"^\d+\. \*\*([A-Za-z]+)\*\* - ", _spec_text(), re.M)
    mapped = {cls.__name__ for cls in models.model_classes()}
    # Two numbered entries are relation notes ("Enhanced ... Relations"), not models.
    assert len(listed) >= 27
    assert sorted(set(listed) - mapped) == []


def test_every_spec_enum_value_is_present_verbatim() -> None:
    found = re.findall(r"^- \*\*([A-Za-z]+):\*\* ([A-Z_, ]+)$", _spec_text(), re.M)
    assert len(found) == 30
    for name, values in found:
        cls = getattr(enums, name)
        assert issubclass(cls, enum.Enum)
        expected = [v.strip() for v in values.split(",") if v.strip()]
        assert [m.value for m in cls][: len(expected)] == expected or set(expected) <= {
            m.value for m in cls
        }, name
