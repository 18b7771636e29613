"""Where a case may go from each stage: one table, read by the service and by the tests.

Civil-law procedure as in Mali: a complaint may be closed without action by the prosecutor, go to
a preliminary (police) investigation, or straight to an investigating judge when the victim joins
as civil party; the judge dismisses (non-lieu) or commits for trial; a trial ends in a verdict,
which may be appealed. Going back is not a move: it needs an explicit correction.
"""

from app.models.enums import JudicialStage as J

CLOSED = frozenset({J.CONVICTED, J.ACQUITTED, J.DISMISSED, J.CLOSED_WITHOUT_ACTION, J.WITHDRAWN})
# The stages a case reaches only once brought to trial ("none brought to trial" counts these).
BROUGHT_TO_TRIAL = frozenset({J.TRIAL, J.VERDICT, J.APPEAL, J.CONVICTED, J.ACQUITTED})

NEXT_STAGES: dict[J, frozenset[J]] = {
    J.NO_COMPLAINT: frozenset({J.COMPLAINT_FILED}),
    J.COMPLAINT_FILED: frozenset(
        {
            J.PRELIMINARY_INVESTIGATION,
            J.JUDICIAL_INVESTIGATION,
            J.CLOSED_WITHOUT_ACTION,
            J.WITHDRAWN,
        }
    ),
    J.PRELIMINARY_INVESTIGATION: frozenset(
        {J.JUDICIAL_INVESTIGATION, J.COMMITTED_FOR_TRIAL, J.CLOSED_WITHOUT_ACTION, J.WITHDRAWN}
    ),
    J.JUDICIAL_INVESTIGATION: frozenset({J.COMMITTED_FOR_TRIAL, J.DISMISSED, J.WITHDRAWN}),
    J.COMMITTED_FOR_TRIAL: frozenset({J.TRIAL, J.DISMISSED, J.WITHDRAWN}),
    J.TRIAL: frozenset({J.VERDICT}),
    J.VERDICT: frozenset({J.APPEAL, J.CONVICTED, J.ACQUITTED}),
    J.APPEAL: frozenset({J.CONVICTED, J.ACQUITTED}),
    **{closed: frozenset() for closed in CLOSED},
}
