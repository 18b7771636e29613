"""A party's dossier and the table of parties meeting the pattern rule, counted by the
statistics engine itself: each table is `/stats` with `basis=verified_only` and the party as
`armed_party_id`, so every figure is the one `/stats` publishes, protected alike (the caller's
own organisation's part exact, other organisations' only with consent to statistics, perturbed
by its cell key and hidden below k).

The pattern rule reads those published figures and nothing else. A hidden figure is known to be
the caller's own part plus a part from other organisations from 1 to k-1 once perturbed, and the
rule uses no more than that: a year whose figure is hidden is `met` when even the least it can
be reaches the threshold, `not_met` when even the most it can be falls short, and `undetermined`
otherwise; the pattern is `undetermined` when such years decide it. So the verdict is a function
of what the caller already sees (the published table and their own records) and tells nothing
of a small count of another organisation's.
"""

import uuid
from collections.abc import Iterable
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.armed_parties.schemas import ArmedPartyRead, ArmedPartyRef
from app.core.auth import Principal
from app.core.config import API_PREFIX
from app.core.dates import EARLIEST_DATE
from app.models import ArmedParty, Incident
from app.models.base import utcnow
from app.party_dossiers import records
from app.party_dossiers.schemas import (
    CommitmentRead,
    DossierRead,
    DossierTable,
    ListingRead,
    OwnIncident,
    PatternEvaluation,
    PatternRow,
    PatternRuleRead,
    PatternsRead,
    PatternStatus,
    PatternYear,
    SanctionRead,
    VerifiedEnd,
    YearStatus,
)
from app.stats.cellkey import MAX_ADJUSTMENT
from app.stats.dimensions import DimensionName
from app.stats.queries import Cell, filtered_incidents
from app.stats.schemas import Basis, ProtectionInfo, StatsQuery, StatsResult, SuppressionInfo
from app.stats.service import Tabulated, publish, tabulate
from app.stats.suppression import Figure, Status, render

TABLES = {
    "by_year": DimensionName.YEAR,
    "by_quarter": DimensionName.QUARTER,
    "by_violation": DimensionName.VIOLATION,
    "by_region": DimensionName.ADMIN1,
    "by_victim_category": DimensionName.VICTIM_CATEGORY,
}
PATTERN_NOTE = (
    "The rule is read from the figures as published: your organisation's part exact, other "
    "organisations' perturbed. A hidden figure is only known to be your own part plus 1 to "
    "{k_less} from others, so a year whose hidden figure could fall either side of the "
    "threshold is undetermined, and so is the pattern when such years decide it."
)


def party_query(party_id: uuid.UUID, dimension: DimensionName) -> StatsQuery:
    return StatsQuery(group_by=[dimension], basis=Basis.VERIFIED_ONLY, armed_party_id=[party_id])


def stats_link(query: StatsQuery) -> str:
    params = query.as_query_params(exclude={"group_by"})
    params = {"group_by": ",".join(name.value for name in query.group_by), **params}
    return f"{API_PREFIX}/stats?{urlencode(params, doseq=True)}"


def dossier(
    session: Session, party: ArmedParty, reader: Principal, year: int | None, k: int
) -> DossierRead:
    year = utcnow().year if year is None else year
    counted: dict[str, tuple[Tabulated, StatsResult, StatsQuery]] = {}
    for name, dimension in TABLES.items():
        query = party_query(party.id, dimension)
        table = tabulate(session, query, reader, k)
        counted[name] = (table, publish(table, query, k), query)
    tables = {
        name: DossierTable(
            dimension=result.group_by[0].value,
            stats_query=stats_link(query),
            total=result.total,
            groups=result.groups,
        )
        for name, (_table, result, query) in counted.items()
    }
    rule = records.rule_read(records.stored_rule(session, reader.organisation_id))
    year_cells = _by_key(counted["by_year"][0].cells, DimensionName.YEAR)
    pattern = evaluate(rule, year, year_cells, k)
    own = _own_verified(session, party.id, reader)
    tabulated = [table for table, _result, _query in counted.values()]
    return DossierRead(
        party=ArmedPartyRead.model_validate(party),
        basis=Basis.VERIFIED_ONLY.value,
        total=counted["by_year"][1].total,
        **tables,
        first_verified=_end(tabulated, own, first=True),
        last_verified=_end(tabulated, own, first=False),
        rule=rule,
        pattern=pattern,
        listings=[
            ListingRead.model_validate(row)
            for row in records.party_records(session, records.LISTINGS, party.id, reader)
        ],
        commitments=[
            CommitmentRead.model_validate(row)
            for row in records.party_records(session, records.COMMITMENTS, party.id, reader)
        ],
        sanctions=[
            SanctionRead.model_validate(row)
            for row in records.party_records(session, records.SANCTIONS, party.id, reader)
        ],
        suppression=_suppression(tabulated, k),
        protection=_protection(tabulated, k),
        notes=_notes(tabulated, k),
    )


def patterns(session: Session, reader: Principal, year: int, k: int) -> PatternsRead:
    """Every party with verified incidents in the rule's window, read from one table by party
    and year whose cells are those of each party's dossier (the same incidents, so the same
    figures), split into those meeting the rule and those the protected figures leave open."""
    rule = records.rule_read(records.stored_rule(session, reader.organisation_id))
    query = StatsQuery(
        group_by=[DimensionName.ARMED_PARTY, DimensionName.YEAR],
        basis=Basis.VERIFIED_ONLY,
        # No incident precedes 1900 (nor may a filter): a window reaching further finds none.
        occurred_from=max(date(max(year - rule.window_years + 1, 1), 1, 1), EARLIEST_DATE),
        occurred_to=date(year, 12, 31),
    )
    table = tabulate(session, query, reader, k)
    by_party: dict[str, dict[int, Figure]] = {}
    for cell in table.cells:
        name, cell_year = cell.key[DimensionName.ARMED_PARTY.value], cell.key["year"]
        if name is not None and isinstance(cell_year, int):
            by_party.setdefault(str(name), {})[cell_year] = cell.incidents
    parties = {
        party.name: party
        for party in session.scalars(select(ArmedParty).where(ArmedParty.name.in_(by_party)))
    }
    meeting, undetermined = [], []
    for name in sorted(by_party, key=str.casefold):
        evaluation = evaluate(rule, year, by_party[name], k)
        row = PatternRow(
            party=ArmedPartyRef.model_validate(parties[name]),
            dossier=f"{API_PREFIX}/armed-parties/{parties[name].id}/dossier?year={year}",
            pattern=evaluation,
        )
        if evaluation.status is PatternStatus.MEETS:
            meeting.append(row)
        elif evaluation.status is PatternStatus.UNDETERMINED:
            undetermined.append(row)
    return PatternsRead(
        year=year,
        rule=rule,
        stats_query=stats_link(query),
        meeting=meeting,
        undetermined=undetermined,
        suppression=_suppression([table], k),
        protection=_protection([table], k),
        notes=_notes([table], k),
    )


def evaluate(
    rule: PatternRuleRead, year: int, figures: dict[int, Figure], k: int
) -> PatternEvaluation:
    """The rule for `year`, read from each year's published figure of verified incidents."""
    window = range(year - rule.window_years + 1, year + 1)
    years = []
    for each in window:
        figure = figures.get(each, Figure(0, 0, 0))
        least, most = _bounds(figure, k)
        if least >= rule.min_incidents_per_year:
            status = YearStatus.MET
        elif most < rule.min_incidents_per_year:
            status = YearStatus.NOT_MET
        else:
            status = YearStatus.UNDETERMINED
        years.append(PatternYear(year=each, incidents=render(figure, k), status=status))
    met = sum(item.status is YearStatus.MET for item in years)
    open_years = sum(item.status is YearStatus.UNDETERMINED for item in years)
    if met >= rule.years_required:
        verdict = PatternStatus.MEETS
    elif met + open_years < rule.years_required:
        verdict = PatternStatus.DOES_NOT_MEET
    else:
        verdict = PatternStatus.UNDETERMINED
    return PatternEvaluation(
        year=year,
        years=years,
        years_met=met,
        status=verdict,
        meaning=f"{met} of the {rule.window_years} year(s) {window.start}-{window.stop - 1} "
        f"reach {rule.min_incidents_per_year} verified incident(s); {rule.years_required} "
        f"needed ({open_years} undetermined from the protected figures).",
    )


def _bounds(figure: Figure, k: int) -> tuple[int, int]:
    """The least and the most a figure can be as published, from what the caller sees."""
    own = figure.value - figure.foreign
    if figure.status is Status.SMALL:
        return 1, k - 1
    if figure.status is Status.WITHHELD:
        return own + 1, own + k - 1
    return figure.published, figure.published


def _by_key(cells: Iterable[Cell], name: DimensionName) -> dict[int, Figure]:
    return {
        int(value): cell.incidents
        for cell in cells
        if isinstance(value := cell.key[name.value], int)
    }


def _end(
    tables: list[Tabulated], own: tuple[Incident | None, Incident | None], first: bool
) -> VerifiedEnd:
    """The first (last) year and quarter whose published figure is not 0, and the caller's own
    first (last) incident. A hidden figure is never 0: hiding concerns 1 to k-1."""
    by_year, by_quarter = tables[0], tables[1]

    def end(table: Tabulated, name: DimensionName) -> str | int | None:
        values = [
            value
            for cell in table.cells
            if (value := cell.key[name.value]) is not None
            and (cell.incidents.hidden or cell.incidents.published > 0)
        ]
        if not values:
            return None
        return min(values, key=str) if first else max(values, key=str)

    incident = own[0] if first else own[1]
    year = end(by_year, DimensionName.YEAR)
    quarter = end(by_quarter, DimensionName.QUARTER)
    return VerifiedEnd(
        year=None if year is None else int(year),
        quarter=None if quarter is None else str(quarter),
        own_incident=None
        if incident is None
        else OwnIncident(
            reference=incident.reference,
            occurred_on=incident.occurred_on,
            date_precision=incident.date_precision,
            verified_on=incident.verified_on,
        ),
    )


def _own_verified(
    session: Session, party_id: uuid.UUID, reader: Principal
) -> tuple[Incident | None, Incident | None]:
    """The caller's organisation's first and last verified incidents of the party, among those
    the statistics count (the same rows: not archived, not a duplicate)."""
    counted = filtered_incidents(
        StatsQuery(group_by=[DimensionName.YEAR], armed_party_id=[party_id]),
        reader.organisation_id,
        Basis.VERIFIED_ONLY,
    )
    own = select(counted.c.id).where(counted.c.foreign == 0)
    statement = select(Incident).where(Incident.id.in_(own))
    oldest = session.scalars(
        statement.order_by(Incident.occurred_on, Incident.reference).limit(1)
    ).first()
    newest = session.scalars(
        statement.order_by(Incident.occurred_on.desc(), Incident.reference.desc()).limit(1)
    ).first()
    return oldest, newest


def _all_figures(tables: list[Tabulated]) -> list[Figure]:
    return [figure for table in tables for figure in table.figures]


def _suppression(tables: list[Tabulated], k: int) -> SuppressionInfo:
    figures = _all_figures(tables)
    return SuppressionInfo(
        k=k,
        small_marker=f"<{k}",
        applied=any(figure.hidden for figure in figures),
        applies_to_other_organisations=any(figure.protected for figure in figures),
    )


def _protection(tables: list[Tabulated], k: int) -> ProtectionInfo:
    figures = _all_figures(tables)
    protected = any(figure.protected for figure in figures)
    return ProtectionInfo(
        applied=protected,
        k=k,
        max_adjustment=MAX_ADJUSTMENT,
        figures_perturbed=sum(f.protected and not f.hidden for f in figures),
        tables_add_up=not protected,
    )


def _notes(tables: list[Tabulated], k: int) -> list[str]:
    notes = [
        "Verified incidents only, counted as /stats counts them (each stats_query gives the "
        "same figures). An incident with several forms of violence, or victims of several "
        "categories, counts in each of their groups and once in the total.",
        PATTERN_NOTE.format(k_less=k - 1),
    ]
    if any(figure.protected for figure in _all_figures(tables)):
        notes.append(
            "Figures include other organisations' data, shared with the survivors' consent: "
            f"their part is adjusted by at most {MAX_ADJUSTMENT} and hidden below {k}."
        )
    return notes
