"""The sentences on what happened: verified cases and their victims, reported incidents and
their perpetrators (from the records, or from a partner's aggregate table beside them), and the
forms of violence. Every figure is read from `compute_stats` or the side-by-side report, as the
linked query publishes it: nothing here counts."""

from typing import Any

from sqlalchemy.orm import Session

from app.aggregates.report import side_by_side
from app.aggregates.schemas import PartnerColumn, SideBySideQuery
from app.core.auth import Principal
from app.core.i18n import N_
from app.models.aggregate import AggregateDimension, AggregateMeasure
from app.models.enums import Source
from app.paragraphs.draft import Span, Writer, api_url, page_url
from app.paragraphs.schemas import Origin, Sentence
from app.paragraphs.words import Noun, Written, counted, listed
from app.stats.schemas import StatsQuery, StatsResult
from app.stats.service import compute_stats
from app.web.i18n import Translator

CASES = Noun(
    lambda t, n: t.ngettext(
        "The mission verified {count} case of conflict-related sexual violence {period}",
        "The mission verified {count} cases of conflict-related sexual violence {period}",
        n,
    )
)
VICTIMS = {
    "woman": Noun(lambda t, n: t.ngettext("{count} woman", "{count} women", n), True),
    "girl": Noun(lambda t, n: t.ngettext("{count} girl", "{count} girls", n), True),
    "man": Noun(lambda t, n: t.ngettext("{count} man", "{count} men", n)),
    "boy": Noun(lambda t, n: t.ngettext("{count} boy", "{count} boys", n)),
    "unknown": Noun(
        lambda t, n: t.ngettext(
            "{count} victim whose sex or age was not recorded",
            "{count} victims whose sex or age was not recorded",
            n,
        ),
        True,
    ),
}
REPORTED = Noun(
    lambda t, n: t.ngettext(
        "{count} incident of conflict-related sexual violence was reported {period}",
        "{count} incidents of conflict-related sexual violence were reported {period}",
        n,
    )
)
PARTNER_REPORTED = Noun(
    lambda t, n: t.ngettext(
        "{partner} reported {count} incident of conflict-related sexual violence {period}",
        "{partner} reported {count} incidents of conflict-related sexual violence {period}",
        n,
    )
)
PERPETRATORS = {
    "non_state_armed_group": Noun(
        lambda t, n: t.ngettext(
            "non-state armed groups in {count} case", "non-state armed groups in {count} cases", n
        )
    ),
    "state_security_forces": Noun(
        lambda t, n: t.ngettext(
            "national security forces in {count} case",
            "national security forces in {count} cases",
            n,
        )
    ),
    "unidentified_armed_element": Noun(
        lambda t, n: t.ngettext(
            "unidentified armed elements in {count} case",
            "unidentified armed elements in {count} cases",
            n,
        )
    ),
    "international_forces": Noun(
        lambda t, n: t.ngettext(
            "international forces in {count} case", "international forces in {count} cases", n
        )
    ),
    "civilian": Noun(
        lambda t, n: t.ngettext("civilians in {count} case", "civilians in {count} cases", n)
    ),
    "other": Noun(
        lambda t, n: t.ngettext(
            "other perpetrators in {count} case", "other perpetrators in {count} cases", n
        )
    ),
}
PARTNER_LABEL = Noun(
    lambda t, n: t.ngettext("{label} in {count} case", "{label} in {count} cases", n)
)
NOT_RECORDED = Noun(
    lambda t, n: t.ngettext(
        "; the perpetrator was not recorded in {count}",
        "; the perpetrator was not recorded in {count}",
        n,
    )
)
FORMS = {
    "rape": Noun(lambda t, n: t.ngettext("rape in {count} case", "rape in {count} cases", n)),
    "attempted_rape": Noun(
        lambda t, n: t.ngettext(
            "attempted rape in {count} case", "attempted rape in {count} cases", n
        )
    ),
    "sexual_slavery": Noun(
        lambda t, n: t.ngettext(
            "sexual slavery in {count} case", "sexual slavery in {count} cases", n
        )
    ),
    "forced_prostitution": Noun(
        lambda t, n: t.ngettext(
            "forced prostitution in {count} case", "forced prostitution in {count} cases", n
        )
    ),
    "forced_pregnancy": Noun(
        lambda t, n: t.ngettext(
            "forced pregnancy in {count} case", "forced pregnancy in {count} cases", n
        )
    ),
    "forced_abortion": Noun(
        lambda t, n: t.ngettext(
            "forced abortion in {count} case", "forced abortion in {count} cases", n
        )
    ),
    "enforced_sterilization": Noun(
        lambda t, n: t.ngettext(
            "enforced sterilization in {count} case", "enforced sterilization in {count} cases", n
        )
    ),
    "forced_marriage": Noun(
        lambda t, n: t.ngettext(
            "forced marriage in {count} case", "forced marriage in {count} cases", n
        )
    ),
    "sexual_mutilation": Noun(
        lambda t, n: t.ngettext(
            "sexual mutilation in {count} case", "sexual mutilation in {count} cases", n
        )
    ),
    "trafficking_sexual_exploitation": Noun(
        lambda t, n: t.ngettext(
            "trafficking for sexual exploitation in {count} case",
            "trafficking for sexual exploitation in {count} cases",
            n,
        )
    ),
    "other_sexual_violence": Noun(
        lambda t, n: t.ngettext(
            "other forms of sexual violence in {count} case",
            "other forms of sexual violence in {count} cases",
            n,
        )
    ),
}
PERPETRATED_BY = Noun(
    lambda t, n: t.ngettext(", perpetrated by {items}", ", perpetrated by {items}", n)
)
NOT_ADDED = N_(
    "These figures are a partner's aggregate table, set beside the mission's records and never "
    "added to them."
)
OVERLAP = N_(
    "An incident may have perpetrators of several categories and counts under each, so these "
    "cases add up to more than {total}."
)


class Figures:
    """Reads the statistics for one period and drafts the sentences on them."""

    def __init__(
        self, session: Session, principal: Principal, span: Span, country: str | None, k: int
    ) -> None:
        self.session, self.principal, self.span, self.country, self.k = (
            session,
            principal,
            span,
            country,
            k,
        )

    def stats(self, group_by: str, **params: Any) -> tuple[StatsResult, str, str]:
        """The table as /stats publishes it, the API query that gives it and the page showing it."""
        query = StatsQuery.model_validate(
            {
                **self.span.incident_filters(),
                "country": [self.country] if self.country else [],
                "group_by": [group_by],
                **params,
            }
        )
        result = compute_stats(self.session, query, self.principal, self.k)
        sent = query.model_dump(mode="json", exclude_defaults=True)
        return result, api_url("/stats", sent), page_url("/statistics", sent)

    def verified(self, t: Translator) -> Sentence | None:
        result, url, page = self.stats("victim_category", basis="verified_only")
        w = Writer(t, self.k, "verified")
        link = {"origin": Origin.RECORDS, "url": url, "page_url": page}
        total = result.total.incidents
        period = self.span.phrase(t)
        if total == 0:
            none = w.place(t.gettext(N_("no")), 0, pointer="/total/incidents", **link)
            return w.sentence(
                t.format(
                    N_(
                        "The mission verified {none} case of conflict-related sexual violence "
                        "{period}."
                    ),
                    none=none,
                    period=period,
                )
            )
        cases = w.figure(total, CASES, pointer="/total/incidents", **link)
        victims = []
        for index, group in enumerate(result.groups):
            category = group.key["victim_category"]
            if category in VICTIMS and group.victims != 0:
                noun = VICTIMS[str(category)]
                count = w.figure(group.victims, noun, pointer=f"/groups/{index}/victims", **link)
                victims.append(counted(t, noun, count))
        main = counted(t, CASES, cases, period=period)
        if not victims:
            return w.sentence(main + ".")
        return w.sentence(
            t.format(N_("{main} against {victims}."), main=main, victims=listed(victims, t))
        )

    def reported(self, t: Translator) -> list[Sentence]:
        """From the caller's organisation's partners' GBVIMS tables covering the period when
        there are any, else from the records: never both added."""
        tables = self.partner_tables(t)
        if tables:
            return tables
        result, url, page = self.stats("perpetrator_category")
        w = Writer(t, self.k, "reported")
        link = {"origin": Origin.RECORDS, "url": url, "page_url": page}
        if result.total.incidents == 0:
            return []
        total = w.figure(result.total.incidents, REPORTED, pointer="/total/incidents", **link)
        groups = [
            (index, group.key["perpetrator_category"], group.incidents)
            for index, group in enumerate(result.groups)
        ]
        text = counted(t, REPORTED, total, period=self.span.phrase(t))
        text += self._perpetrators(w, t, total, groups, link, "/groups/{index}/incidents")
        coverage = result.dimensions[0].coverage
        if not result.protection.applied and isinstance(coverage.incidents_sum_over_groups, int):
            remainder = coverage.incidents_without_value
            assert isinstance(remainder, int) and isinstance(result.total.incidents, int)
            if coverage.incidents_sum_over_groups + remainder > result.total.incidents:
                again = w.figure(
                    result.total.incidents, REPORTED, pointer="/total/incidents", **link
                )
                text += " " + t.format(OVERLAP, total=again.text)
        return [w.sentence(text)]

    def _perpetrators(
        self,
        w: Writer,
        t: Translator,
        total: Written,
        groups: list[tuple[int, Any, int | str]],
        link: dict[str, Any],
        pointer: str,
        labels: dict[int, str] | None = None,
    ) -> str:
        """ ", perpetrated by ... in N cases ...; the perpetrator was not recorded in M", ending
        with a full stop unless an overlap note follows."""
        items, remainder = [], ""
        for index, category, value in groups:
            if value == 0:
                continue
            at = pointer.format(index=index)
            if category is None:
                count = w.figure(value, NOT_RECORDED, pointer=at, **link)
                remainder = counted(t, NOT_RECORDED, count)
            elif category in PERPETRATORS:
                noun = PERPETRATORS[str(category)]
                items.append(counted(t, noun, w.figure(value, noun, pointer=at, **link)))
            elif labels and index in labels:  # a partner's label mapped to none of ours
                count = w.figure(value, PARTNER_LABEL, pointer=at, **link)
                items.append(counted(t, PARTNER_LABEL, count, label=labels[index]))
        text = counted(t, PERPETRATED_BY, total, items=listed(items, t)) if items else ""
        return text + remainder + "."

    def partner_tables(self, t: Translator) -> list[Sentence]:
        query = SideBySideQuery(
            period_from=self.span.start,
            period_to=self.span.end,
            country=[self.country] if self.country else [],
            source=[Source.GBVIMS],
            measure=AggregateMeasure.INCIDENTS,
            group_by=AggregateDimension.PERPETRATOR_CATEGORY,
        )
        report = side_by_side(self.session, query, self.principal, self.k)
        url = api_url("/stats/side-by-side", query.model_dump(mode="json", exclude_defaults=True))
        return [
            self._partner_sentence(t, position, column, url)
            for position, column in enumerate(report.partner_tables)
            # The caller's organisation's tables only: another organisation's would take the
            # place of the caller's records in their draft, and put its words there.
            if column.own_organisation
            and (column.period_from, column.period_to) == (self.span.start, self.span.end)
            and column.total is not None
        ]

    def _partner_sentence(
        self, t: Translator, position: int, column: PartnerColumn, url: str
    ) -> Sentence:
        w = Writer(t, self.k, "partner_table")
        page = f"/aggregates/{column.submission_id}" if column.submission_id else None
        link = {"origin": Origin.PARTNER_TABLE, "url": url, "page_url": page}
        base = f"/partner_tables/{position}"
        assert column.total is not None
        total = w.figure(column.total, PARTNER_REPORTED, pointer=f"{base}/total", **link)
        text = counted(
            t, PARTNER_REPORTED, total, partner=column.partner_name, period=self.span.phrase(t)
        )
        groups = [(i, g.category, g.count) for i, g in enumerate(column.groups or [])]
        labels = {i: ", ".join(g.partner_labels) for i, g in enumerate(column.groups or [])}
        text += self._perpetrators(
            w, t, total, groups, link, base + "/groups/{index}/count", labels
        )
        return w.sentence(text + " " + t.gettext(NOT_ADDED))

    def forms(self, t: Translator) -> Sentence | None:
        result, url, page = self.stats("violation")
        w = Writer(t, self.k, "forms")
        link = {"origin": Origin.RECORDS, "url": url, "page_url": page}
        items = []
        for index, group in enumerate(result.groups):
            form = group.key["violation"]
            if form in FORMS and group.incidents != 0:
                noun = FORMS[str(form)]
                count = w.figure(
                    group.incidents, noun, pointer=f"/groups/{index}/incidents", **link
                )
                items.append(counted(t, noun, count))
        if not items:
            return None
        return w.sentence(
            t.format(
                N_("The incidents reported {period} included {forms}."),
                period=self.span.phrase(t),
                forms=listed(items, t),
            )
        )
