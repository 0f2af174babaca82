"""Equipment inspections: checklists per unit type, and what a failed item does.

Templates follow the daily trip inspection of NSC Standard 13 (Schedule 1)
for trucks and trailers, and the makers' daily checks for forklifts and moving
gear. A safety-critical item that fails takes the unit out of service: to
REPAIR for a mechanical defect the unit must not be driven with (brakes,
steering, tires), to MAINTENANCE for something a shop restores without
repairing the unit (a missing extinguisher, worn wiper blades, torn straps).
Any failure opens one CORRECTIVE maintenance job naming the defects.

Preventive service and usage figures live in ``fleet_service``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from shared_models.enums import CheckKind, CheckResult, EquipmentStatus, EquipmentType
from shared_models.rules.errors import RuleViolation

INVALID_CHECK: Final = "invalid_check"
INCOMPLETE_CHECK: Final = "incomplete_check"

S = EquipmentStatus
R = CheckResult


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One line of a checklist; ``on_fail`` is the status a failure forces (None: stays in use)."""

    code: str
    label: str
    on_fail: EquipmentStatus | None = None
    #: May be answered NOT_APPLICABLE (coupling devices on a straight truck).
    optional: bool = False

    @property
    def safety_critical(self) -> bool:
        return self.on_fail is not None


def _item(
    code: str, label: str, on_fail: EquipmentStatus | None, optional: bool = False
) -> ChecklistItem:
    return ChecklistItem(code, label, on_fail, optional)


_TRUCK = (
    _item("service_brakes", "Service brakes (air or hydraulic)", S.REPAIR),
    _item("parking_brake", "Parking brake", S.REPAIR),
    _item("steering", "Steering", S.REPAIR),
    _item("lights_reflectors", "Lights and reflectors", S.REPAIR),
    _item("tires_wheels", "Tires, wheels, rims and fasteners", S.REPAIR),
    _item("horn", "Horn", S.MAINTENANCE),
    _item("mirrors", "Mirrors", S.MAINTENANCE),
    _item("windshield_wipers", "Windshield, wipers and washers", S.MAINTENANCE),
    _item("coupling_devices", "Coupling devices", S.REPAIR, optional=True),
    _item("emergency_equipment", "Emergency equipment (extinguisher, triangles)", S.MAINTENANCE),
    _item("fluid_leaks", "No fuel, oil or coolant leaks", S.REPAIR),
    _item("cargo_securement", "Cargo securement (straps, load bars)", S.MAINTENANCE),
    _item("dashboard_warnings", "Dashboard warning lights", None),
    _item("body_doors", "Body, box and roll-up door", None),
    _item("cab_clean", "Cab clean, paperwork on board", None),
)
_TRAILER = (
    _item("service_brakes", "Service brakes", S.REPAIR),
    _item("lights_reflectors", "Lights and reflectors", S.REPAIR),
    _item("tires_wheels", "Tires, wheels, rims and fasteners", S.REPAIR),
    _item("coupling_devices", "Coupling devices, safety chains, breakaway", S.REPAIR),
    _item("cargo_securement", "Cargo securement (straps, load bars)", S.MAINTENANCE),
    _item("body_doors", "Body, ramp and doors", None),
)
_FORKLIFT = (
    _item("service_brakes", "Service brakes", S.REPAIR),
    _item("parking_brake", "Parking brake", S.REPAIR),
    _item("steering", "Steering", S.REPAIR),
    _item("forks_mast_chains", "Forks, mast and lift chains", S.REPAIR),
    _item("hydraulic_leaks", "No hydraulic leaks", S.REPAIR),
    _item("horn", "Horn and backup alarm", S.MAINTENANCE),
    _item("seat_belt", "Seat belt and overhead guard", S.MAINTENANCE),
    _item("tires_wheels", "Tires and wheels", S.MAINTENANCE),
    _item("battery_fuel", "Battery charge or fuel level", None),
)
_DOLLY = (
    _item("frame", "Frame and welds intact", S.REPAIR),
    _item("wheels", "Wheels and axles turn freely", S.MAINTENANCE),
    _item("straps_ratchet", "Straps and ratchet (appliance dolly)", S.MAINTENANCE, optional=True),
)
_STRAPS = (
    _item("webbing", "Webbing free of cuts, burns and fraying", S.MAINTENANCE),
    _item("hardware", "Ratchets, buckles and hooks work", S.MAINTENANCE),
)
_BLANKETS = (
    _item("clean_dry", "Clean and dry", None),
    _item("no_tears", "No large tears", None),
)
_TOOLS = (
    _item("guards_cords", "Guards in place, cords and plugs intact", S.REPAIR),
    _item("working_order", "In working order", None),
)
_OTHER = (_item("general_condition", "General condition", S.MAINTENANCE),)

CHECKLISTS: Mapping[EquipmentType, tuple[ChecklistItem, ...]] = {
    EquipmentType.TRUCK: _TRUCK,
    EquipmentType.TRAILER: _TRAILER,
    EquipmentType.FORKLIFT: _FORKLIFT,
    EquipmentType.DOLLY: _DOLLY,
    EquipmentType.STRAPS: _STRAPS,
    EquipmentType.BLANKETS: _BLANKETS,
    EquipmentType.TOOLS: _TOOLS,
    EquipmentType.OTHER: _OTHER,
}

#: Worst first: a unit needing repair is not "only" in maintenance.
_SEVERITY = {None: 0, S.MAINTENANCE: 1, S.REPAIR: 2}
#: Statuses an inspection never changes (the unit is not in the fleet any more).
_OUT_OF_FLEET = frozenset({S.RETIRED, S.SOLD})


def checklist_for(kind: EquipmentType | str) -> tuple[ChecklistItem, ...]:
    return CHECKLISTS[EquipmentType(kind)]


def blank_items(kind: EquipmentType | str) -> list[dict[str, Any]]:
    """The checklist as ``EquipmentCheck.items`` holds it, every result still to fill."""
    return [
        {
            "code": i.code,
            "label": i.label,
            "result": None,
            "safety_critical": i.safety_critical,
            "note": None,
        }
        for i in checklist_for(kind)
    ]


@dataclass(frozen=True, slots=True)
class ItemResult:
    code: str
    label: str
    result: CheckResult
    on_fail: EquipmentStatus | None
    note: str | None = None

    @property
    def safety_critical(self) -> bool:
        return self.on_fail is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "result": self.result.value,
            "safety_critical": self.safety_critical,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What an inspection means for its unit."""

    items: tuple[ItemResult, ...]
    overall_result: CheckResult
    failed: tuple[ItemResult, ...]
    #: The status the unit must move to (None: it stays as it is).
    status: EquipmentStatus | None
    #: One line per defect, for ``defects_summary`` and the corrective job.
    defects_summary: str | None

    @property
    def opens_maintenance(self) -> bool:
        return bool(self.failed)

    @property
    def safety_failures(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.failed if i.safety_critical)


def parse_items(
    kind: EquipmentType | str, items: Sequence[Mapping[str, Any]], *, complete: bool = True
) -> tuple[ItemResult, ...]:
    """Checked answers to the unit type's checklist.

    Safety-criticality always comes from the template for its items (a client
    cannot make brakes optional); extra items keep their own flag and fail to
    MAINTENANCE when flagged. ``complete`` demands an answer to every item.
    """
    template = {i.code: i for i in checklist_for(kind)}
    out: list[ItemResult] = []
    seen: set[str] = set()
    for index, raw in enumerate(items):
        if not isinstance(raw, Mapping):
            raise RuleViolation(
                INVALID_CHECK, f"item {index} is not an object", field=f"items.{index}"
            )
        code = str(raw.get("code") or "").strip()
        if not code:
            raise RuleViolation(
                INVALID_CHECK, f"item {index} has no code", field=f"items.{index}.code"
            )
        if code in seen:
            raise RuleViolation(
                INVALID_CHECK, f"item {code!r} answered twice", field=f"items.{index}.code"
            )
        seen.add(code)
        try:
            result = R(str(raw.get("result")))
        except ValueError:
            raise RuleViolation(
                INVALID_CHECK,
                f"item {code!r}: result must be PASS, FAIL or NOT_APPLICABLE, not {raw.get('result')!r}",
                field=f"items.{index}.result",
            ) from None
        known = template.get(code)
        if known is not None:
            if result is R.NOT_APPLICABLE and not known.optional:
                raise RuleViolation(
                    INVALID_CHECK, f"{known.label} cannot be skipped", field=f"items.{index}.result"
                )
            label, on_fail = known.label, known.on_fail
        else:
            label = str(raw.get("label") or code)
            on_fail = S.MAINTENANCE if raw.get("safety_critical") else None
        note = raw.get("note")
        out.append(ItemResult(code, label, result, on_fail, None if note is None else str(note)))
    missing = [i.label for i in template.values() if i.code not in seen]
    if complete and missing:
        raise RuleViolation(INCOMPLETE_CHECK, f"not inspected: {', '.join(missing)}", field="items")
    return tuple(out)


def evaluate(items: Iterable[ItemResult], *, declared: CheckResult | None = None) -> CheckOutcome:
    """The overall result, the unit's forced status and the defects of an inspection.

    An inspector may fail a unit for a reason outside the list (``declared``
    FAIL with every item passed): taken as a defect that needs repair.
    """
    items = tuple(items)
    failed = tuple(i for i in items if i.result is R.FAIL)
    status: EquipmentStatus | None = None
    for item in failed:
        if _SEVERITY[item.on_fail] > _SEVERITY[status]:
            status = item.on_fail
    lines = [f"{i.label}: {i.note}" if i.note else i.label for i in failed]
    if declared is R.FAIL and not failed:
        failed = (ItemResult("inspector", "Failed by the inspector", R.FAIL, S.REPAIR),)
        status, lines = S.REPAIR, [failed[0].label]
    overall = R.FAIL if status is not None or declared is R.FAIL else R.PASS
    return CheckOutcome(items, overall, failed, status, "; ".join(lines) or None)


def evaluate_check(
    kind: EquipmentType | str,
    items: Sequence[Mapping[str, Any]],
    *,
    check_kind: CheckKind | str = CheckKind.PRE_TRIP,
    declared: CheckResult | str | None = None,
) -> CheckOutcome:
    """Parse and evaluate; trip inspections (pre and post) must cover the whole checklist."""
    complete = CheckKind(check_kind) in (CheckKind.PRE_TRIP, CheckKind.POST_TRIP)
    return evaluate(
        parse_items(kind, items, complete=complete),
        declared=None if declared is None else R(declared),
    )


def status_after(
    current: EquipmentStatus | str, forced: EquipmentStatus | None
) -> EquipmentStatus | None:
    """The unit's new status, or None to leave it: never downgrade REPAIR, never touch RETIRED/SOLD."""
    current = S(current)
    if forced is None or current in _OUT_OF_FLEET:
        return None
    return forced if _SEVERITY[forced] > _SEVERITY.get(current, 0) else None


def corrective_description(unit_number: str, outcome: CheckOutcome) -> str:
    """The text of the corrective job a failed inspection opens."""
    return f"Defects found on {unit_number} at inspection: {outcome.defects_summary}"
