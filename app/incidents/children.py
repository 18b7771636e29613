"""Victims and perpetrators of an incident: checked, then created or updated in place.

A PATCH sends the complete new list. Items that carry the id of an existing row update it (so
anything linked to that victim later, such as consent, is kept); the others are new; rows left out
are removed. Every problem is collected before anything changes.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.armed_parties.service import load_armed_parties
from app.core.domain_errors import FieldProblem
from app.incidents.intake_fields import PerpetratorIntake
from app.incidents.rules import (
    adult_said_separated,
    victim_age_group,
    victim_category,
    victim_disability,
)
from app.incidents.schemas import PerpetratorCreate, VictimCreate, field_values
from app.models import ArmedParty, Perpetrator, Victim

Child = Victim | Perpetrator
INTAKE_FIELDS = set(PerpetratorIntake.model_fields)
# The columns a victim's or a perpetrator's own fields are stored in, in the models' order.
VICTIM_COLUMNS = tuple(
    name for name in VictimCreate.model_fields if name not in ("age_group", "identity", "consent")
)
PERPETRATOR_INTAKE = tuple(name for name in PerpetratorCreate.model_fields if name in INTAKE_FIELDS)


@dataclass
class ChildPlan:
    model: type[Victim] | type[Perpetrator]
    # In the new order: the existing row to update (None for a new one) and its column values.
    rows: list[tuple[Child | None, dict[str, Any]]] = field(default_factory=list)
    problems: list[FieldProblem] = field(default_factory=list)


def plan_victims(current: Sequence[Victim], items: Sequence[VictimCreate]) -> ChildPlan:
    plan = ChildPlan(Victim)
    existing = _match_existing(current, items, "victims", plan)
    for index, item in enumerate(items):
        age_group = victim_age_group(item)
        if age_group is None:
            plan.problems.append(
                FieldProblem(("body", "victims", index, "age_group"), "contradicts the age given")
            )
            continue
        loc = ("body", "victims", index)
        disability = victim_disability(item)
        if disability is None:
            plan.problems.append(
                FieldProblem((*loc, "disability_kind"), "contradicts disability: no")
            )
            continue
        if adult_said_separated(item, age_group):
            plan.problems.append(
                FieldProblem((*loc, "unaccompanied_separated"), "applies only to children")
            )
            continue
        values = field_values(item, VICTIM_COLUMNS)
        values.update(age_group=age_group, disability=disability)
        values["category"] = victim_category(item.sex, age_group)
        plan.rows.append((existing[index], values))
    return plan


def plan_perpetrators(
    session: Session,
    current: Sequence[Perpetrator],
    items: Sequence[PerpetratorCreate],
    parties: Mapping[uuid.UUID, ArmedParty] | None = None,
) -> ChildPlan:
    """`parties`: the armed parties already loaded (a batch's, read once for all its
    incidents), holding every one that exists of those `items` name; else they are read here."""
    plan = ChildPlan(Perpetrator)
    existing = _match_existing(current, items, "perpetrators", plan)
    if parties is None:
        parties = load_armed_parties(session, named_parties(items))
    for index, item in enumerate(items):
        loc = ("body", "perpetrators", index)
        party = parties.get(item.armed_party_id) if item.armed_party_id else None
        if item.armed_party_id and party is None:
            plan.problems.append(
                FieldProblem((*loc, "armed_party_id"), "no armed party has this id")
            )
            continue
        category = item.category or (party.category if party else None)
        if category is None:
            plan.problems.append(
                FieldProblem((*loc, "category"), "is required unless armed_party_id is given")
            )
            continue
        if party is not None and category != party.category:
            plan.problems.append(
                FieldProblem(
                    (*loc, "category"),
                    "does not match the category of the armed party ({category})",
                    values={"category": party.category.value},
                )
            )
            continue
        values = {"category": category, "armed_party_id": party and party.id}
        values.update(field_values(item, PERPETRATOR_INTAKE))
        plan.rows.append((existing[index], values))
    return plan


def named_parties(items: Iterable[PerpetratorCreate]) -> set[uuid.UUID]:
    """The armed parties these perpetrators name."""
    return {item.armed_party_id for item in items if item.armed_party_id}


def apply_plan(current: list[Any], plan: ChildPlan) -> bool:
    """Make `current` (an ORM collection) match the plan; True if anything changed."""
    new_rows: list[Child] = []
    changed = False
    for position, (row, values) in enumerate(plan.rows):
        values = {**values, "position": position}
        if row is None:
            row = _new_row(plan.model, values)
            changed = True
        else:
            changed |= bool(set_changed(row, values))
        new_rows.append(row)
    kept = {id(row) for row in new_rows}
    changed |= any(id(row) not in kept for row in current)
    current[:] = new_rows
    return changed


def new_rows(plan: ChildPlan) -> list[Any]:
    """The rows of a plan for a new incident (none of them exists yet)."""
    return [
        _new_row(plan.model, {**values, "position": position})
        for position, (_, values) in enumerate(plan.rows)
    ]


def _new_row(model: type[Victim] | type[Perpetrator], values: dict[str, Any]) -> Child:
    row = model(id=uuid.uuid4(), **values)
    if isinstance(row, Victim):
        # A new victim has no identity or consent yet: saying so spares a query for each later.
        row.identity = None
        row.consent_rows = []
    return row


def _match_existing(
    current: Sequence[Child], items: Sequence[Any], field_name: str, plan: ChildPlan
) -> list[Child | None]:
    by_id = {row.id: row for row in current}
    matched: list[Child | None] = []
    seen = set()
    for index, item in enumerate(items):
        # From the model's values: `getattr` on a model without the field (a new incident's
        # victims have no id) goes through pydantic's __getattr__ and an exception, a third of
        # checking a new incident.
        item_id = vars(item).get("id")
        loc = ("body", field_name, index, "id")
        if item_id is not None and item_id in seen:
            plan.problems.append(FieldProblem(loc, "appears twice"))
        elif item_id is not None and item_id not in by_id:
            plan.problems.append(FieldProblem(loc, "is not one of this incident's records"))
        seen.add(item_id)
        matched.append(by_id.get(item_id))
    return matched


def set_changed(row: Any, values: dict[str, Any]) -> list[str]:
    """Assign only the values that differ, so unchanged rows are not written; their names."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed
