"""The maintenance screen's forms: book a shop day, complete a job, open one by hand.

Each field is checked as the user types by the shared rule the service
applies (``shared_models.rules.maintenance``), with the same words; the write
runs on the database worker and a refusal shows under its field.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import QWidget

from client.services.crew import Truck
from client.services.maintenance import Completed, MaintenanceJob, MaintenanceService
from client.ui import format as fmt
from client.ui.fields import ChoiceField, DateField, Field, FormDialog
from client.ui.widgets import Card, label
from shared_models.enums import MaintenanceType
from shared_models.rules import maintenance as rules
from shared_models.rules.errors import RuleViolation
from shared_models.rules.invoice_workflow import FALLBACK_ZONE, zone_date


def rule_check(parse: Callable[[Any], object]) -> Callable[[Any], str | None]:
    """A field check from a shared rule: its refusal's message, or None."""

    def check(value: Any) -> str | None:
        try:
            parse(value)
        except RuleViolation as exc:
            return exc.message
        return None

    return check


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def shop_day_check(tz: str) -> Callable[[dt.date | None], str | None]:
    """The service's shop-day rule against today at the unit's branch (zone ``tz``)."""
    return rule_check(lambda v: rules.check_shop_day(v, today=zone_date(tz, _now())))


def tomorrow_at(tz: str) -> Callable[[], dt.date]:
    """The default shop day: tomorrow at the unit's branch, whatever the laptop's date."""
    return lambda: zone_date(tz, _now()) + dt.timedelta(days=1)


class BookDialog(FormDialog):
    """Pick (or clear) the day the unit goes to the shop."""

    def __init__(
        self, service: MaintenanceService, job: MaintenanceJob, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Book shop day",
            f"{job.unit_number} · {fmt.humanize(job.type)}: {job.description}",
            parent,
        )
        self.service, self.job_id = service, job.id
        self.day: DateField = self.add(  # type: ignore[assignment]
            "date",
            DateField(
                "Shop day",
                shop_day_check(job.zone),
                default=tomorrow_at(job.zone),
                add_text="Pick a day",
            ),
        )
        self.day.set_value(job.scheduled_date)
        card = Card()
        card.body.addWidget(self.day)
        note = "From that day the dispatch board keeps the unit off the road until the job is done."
        card.body.addWidget(label(note, "Muted", wrap=True))
        self.columns[0].addWidget(card)
        self.body.setStretch(1, 0)
        self.finish_columns()
        self.save_button.setText("Book")
        self.resize(520, 300)
        self.revalidate()

    def values(self) -> dict[str, Any]:
        return {"date": self.day.value()}

    def write(self, values: dict[str, Any]) -> Any:
        self.service.book(self.job_id, values["date"])
        return values["date"]


class CompleteDialog(FormDialog):
    """When, readings, who did it and what it cost; Save stays off until all of it reads well."""

    busy_text = "Saving…"

    def __init__(
        self, service: MaintenanceService, job: MaintenanceJob, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            f"Complete job on {job.unit_number}",
            f"{job.description}\n{job.unit_number} goes back into service when nothing else "
            "keeps it in the shop.",
            parent,
        )
        self.service, self.job = service, job
        self.performed_at: DateField = self.add(  # type: ignore[assignment]
            "performed_at",
            DateField(
                "Work finished",
                self._check_when,
                with_time=True,
                default=_now,
                add_text="Set the time",
                tz=job.zone,
            ),
        )
        self.performed_at.set_value(_now())
        self.odometer: Field = self.add(  # type: ignore[assignment]
            "odometer_km",
            Field("Odometer (km)", rule_check(rules.parse_odometer), placeholder="e.g. 152340"),
        )
        self.engine_hours: Field = self.add(  # type: ignore[assignment]
            "engine_hours",
            Field("Engine hours", rule_check(rules.parse_engine_hours), placeholder="e.g. 1520.5"),
        )
        self.vendor: Field = self.add(  # type: ignore[assignment]
            "vendor_name",
            Field(
                "Shop or mechanic",
                rule_check(lambda v: rules.clean_text(v, "vendor_name")),
                placeholder="e.g. Lakeshore Truck Centre",
            ),
        )
        self.reference: Field = self.add(  # type: ignore[assignment]
            "vendor_reference",
            Field(
                "Work order / invoice no.",
                rule_check(lambda v: rules.clean_text(v, "vendor_reference")),
                placeholder="e.g. WO-88123",
            ),
        )
        self.cost: Field = self.add(  # type: ignore[assignment]
            "cost",
            Field(f"Cost ({job.currency})", rule_check(rules.parse_cost), placeholder="0.00"),
        )
        self.notes: Field = self.add(  # type: ignore[assignment]
            "notes",
            Field(
                "Notes",
                rule_check(lambda v: rules.clean_text(v, "notes")),
                placeholder="Parts replaced, advice for next time",
            ),
        )
        self.notes.set_text(job.notes or "")
        work, shop = Card("Work"), Card("Shop")
        for widget in (self.performed_at, self.odometer, self.engine_hours):
            work.body.addWidget(widget)
        for widget in (self.vendor, self.reference, self.cost, self.notes):
            shop.body.addWidget(widget)
        self.columns[0].addWidget(work)
        self.columns[1].addWidget(shop)
        self.finish_columns()
        self.save_button.setText("Complete job")
        self.setMinimumWidth(720)
        self.resize(760, 520)
        self.revalidate()

    def _check_when(self, value: dt.datetime | None) -> str | None:
        if value is None:
            return "Say when the work was finished."
        check = rule_check(
            lambda v: rules.check_performed_at(v, now=_now(), found_at=self.job.found_at)
        )
        return check(value)

    def values(self) -> dict[str, Any]:
        return {
            "performed_at": self.performed_at.value(),
            "odometer_km": self.odometer.text,
            "engine_hours": self.engine_hours.text,
            "vendor_name": self.vendor.text,
            "vendor_reference": self.reference.text,
            "cost": self.cost.text,
            "notes": self.notes.text,
        }

    def write(self, values: dict[str, Any]) -> Completed:
        return self.service.complete(self.job.id, **values)


class NewJobDialog(FormDialog):
    """A job opened by hand: which unit, what kind, what needs doing, and maybe a shop day."""

    def __init__(
        self,
        service: MaintenanceService,
        units: list[Truck],
        parent: QWidget | None = None,
        *,
        zones: Mapping[uuid.UUID, str] | None = None,
    ) -> None:
        super().__init__(
            "New maintenance job",
            "A repair the driver reported, a service the plan does not cover.",
            parent,
        )
        self.service = service
        self.zones = dict(zones or {})
        choices = [(f"{u.unit_number} · {u.name}", u.id) for u in units]
        self.unit: ChoiceField = self.add(  # type: ignore[assignment]
            "equipment_id",
            ChoiceField("Unit", choices, lambda v: None if v else "Choose the unit."),
        )
        kinds = [(fmt.humanize(t.value), t.value) for t in MaintenanceType]
        self.kind: ChoiceField = self.add("type", ChoiceField("Type", kinds))  # type: ignore[assignment]
        self.kind.set_value(MaintenanceType.CORRECTIVE.value)
        self.description: Field = self.add(  # type: ignore[assignment]
            "description",
            Field(
                "What needs doing",
                rule_check(
                    lambda v: rules.clean_text(v, "description", required="Say what needs doing.")
                ),
                placeholder="e.g. Tail lift leaks hydraulic fluid",
            ),
        )
        self.day: DateField = self.add(  # type: ignore[assignment]
            "date",
            DateField(
                "Shop day (optional)",
                lambda v: shop_day_check(self.zone())(v),
                default=lambda: tomorrow_at(self.zone())(),
                add_text="Pick a day",
            ),
        )
        card = Card()
        for widget in (self.unit, self.kind, self.description, self.day):
            card.body.addWidget(widget)
        self.columns[0].addWidget(card)
        self.body.setStretch(1, 0)
        self.finish_columns()
        self.save_button.setText("Open job")
        self.resize(540, 470)
        self.revalidate()

    def zone(self) -> str:
        """The chosen unit's branch zone: the job's shop day is a day there."""
        return self.zones.get(self.unit.value(), FALLBACK_ZONE)

    def values(self) -> dict[str, Any]:
        return {
            "equipment_id": self.unit.value(),
            "type": self.kind.value(),
            "description": self.description.text,
            "date": self.day.value(),
        }

    def write(self, values: dict[str, Any]) -> uuid.UUID:
        return self.service.open_job(**values)
