"""The sentences on the response: judicial follow-up (the judicial reports: cases pending, and
cases brought to trial) and service gaps (the service gaps report). Figures are read from those
reports as their routes publish them; nothing here counts."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.core.i18n import N_
from app.core.permissions import Permission
from app.judicial import reports as judicial
from app.judicial.stages import BROUGHT_TO_TRIAL
from app.models.enums import JudicialStage
from app.paragraphs.draft import Span, Writer, api_url, page_url
from app.paragraphs.schemas import Omitted, Origin, Sentence
from app.paragraphs.words import Noun, counted, decimal, listed
from app.referrals import reports as services
from app.referrals.directory import search
from app.referrals.schemas import DirectoryQuery
from app.web.i18n import Translator

PENDING_BEFORE = Noun(
    lambda t, n: t.ngettext(
        "{count} case is pending before {court}", "{count} cases are pending before {court}", n
    ),
    True,
)
PENDING_IN_COURTS = Noun(
    lambda t, n: t.ngettext(
        "{count} case is pending: {courts}", "{count} cases are pending: {courts}", n
    ),
    True,
)
BEFORE_COURT = Noun(
    lambda t, n: t.ngettext("{count} before {court}", "{count} before {court}", n), True
)
TRIED = Noun(
    lambda t, n: t.ngettext(
        "; {count} has been brought to trial.", "; {count} have been brought to trial.", n
    ),
    True,
)
NONE_TRIED = N_("; {none} has been brought to trial.")
LOCALITIES = Noun(lambda t, n: "{count}", True)  # une localité
TRIAL_STAGES = [stage.value for stage in JudicialStage if stage in BROUGHT_TO_TRIAL]


def judicial_sentence(
    session: Session, principal: Principal, t: Translator, k: int
) -> Sentence | Omitted:
    """Your organisation's cases as they stand today, whatever the period: pending before
    which courts, and how many were ever brought to trial."""
    if not principal.can(Permission.JUDICIAL_READ):
        return Omitted(
            kind="judicial",
            reason=t.gettext(N_("Judicial follow-up is drafted for those who may read the cases.")),
        )
    pending = judicial.pending(session, principal, datetime.now(UTC).date())
    tried = len(judicial.brought_to_trial(session, principal))
    if pending.total == 0 and tried == 0:
        return Omitted(kind="judicial", reason=t.gettext(N_("No judicial case is recorded.")))
    w = Writer(t, k, "judicial")
    link = {
        "origin": Origin.JUDICIAL_CASES,
        "url": api_url("/judicial-cases/pending", {}),
        "page_url": "/judicial",
    }
    if pending.total == 0:
        none = w.place(t.gettext(N_("Not one")), 0, pointer="/total", **link)
        text = t.format(N_("{none} case is pending before the courts"), none=none)
        return w.sentence(text + _tried(w, t, tried))
    total = w.figure(pending.total, PENDING_BEFORE, pointer="/total", **link)
    if len(pending.courts) == 1:
        text = counted(t, PENDING_BEFORE, total, court=pending.courts[0].court.name)
    else:
        courts = []
        for index, group in enumerate(pending.courts):
            count = w.figure(group.count, BEFORE_COURT, pointer=f"/courts/{index}/count", **link)
            courts.append(counted(t, BEFORE_COURT, count, court=group.court.name))
        text = counted(t, PENDING_IN_COURTS, total, courts=listed(courts, t))
    return w.sentence(text + _tried(w, t, tried))


def _tried(w: Writer, t: Translator, tried: int) -> str:
    trial_link = {
        "origin": Origin.JUDICIAL_CASES,
        "url": api_url("/judicial-cases", {"stage": TRIAL_STAGES}),
        "pointer": "",
        "counts_items": True,
    }
    if tried == 0:
        none = w.place(t.gettext(N_("none")), 0, **trial_link)
        return t.format(NONE_TRIED, none=none)
    return counted(t, TRIED, w.figure(tried, TRIED, **trial_link))


def service_gaps_sentence(
    session: Session, principal: Principal, span: Span, country: str | None, t: Translator, k: int
) -> Sentence | Omitted:
    """The share of the localities with incidents that have no operating service point, where
    the directory holds any service point to judge by."""
    if not search(session, DirectoryQuery(country=country)):
        return Omitted(
            kind="service_gaps",
            reason=t.gettext(N_("The service directory holds no service point to judge by.")),
        )
    period = services.Period(span.start, span.end, country)
    report = services.service_gaps(session, period, principal.organisation_id, k)
    if not report["localities_with_incidents"]:
        return Omitted(
            kind="service_gaps",
            reason=t.gettext(N_("No locality with incidents in the period can be shown.")),
        )
    params = {
        "occurred_from": span.start.isoformat(),
        "occurred_to": span.end.isoformat(),
        "country": country,
    }
    link = {
        "origin": Origin.SERVICE_GAPS,
        "url": api_url("/reports/service-gaps", params),
        "page_url": page_url("/reports/service-gaps", params),
    }
    share = report["share_without_service"]
    w = Writer(t, k, "service_gaps")
    written_share = w.place(
        decimal(share, t.language), share, pointer="/share_without_service", **link
    )
    without = w.figure(
        report["localities_without_service"],
        LOCALITIES,
        pointer="/localities_without_service",
        **link,
    )
    localities = w.figure(
        report["localities_with_incidents"],
        LOCALITIES,
        pointer="/localities_with_incidents",
        **link,
    )
    return w.sentence(
        t.format(
            N_(
                "{share} per cent of the localities where incidents were recorded {period} "
                "({without} of {localities}) had no operating service point."
            ),
            share=written_share,
            period=span.phrase(t),
            without=without.text,
            localities=localities.text,
        )
    )
