"""Every action the application records has a label for the admin's audit trail page, in every
language (the page itself: tests/web/test_audit_action_labels.py)."""

from app.models.enums import CaseEventKind
from app.web.audit_actions import AUDIT_ACTION_LABELS
from app.web.i18n import LANGUAGES, Translator
from app.web.labels import Labels
from tests.audit.recorded_actions import recorded_actions


def test_every_recorded_action_has_a_label_and_every_label_a_recorded_action() -> None:
    found = recorded_actions()
    assert not found.not_understood, f"actions named in a way the scan cannot read: {found}"
    assert len(found.actions) > 50  # the scan itself works
    unlabelled = found.actions - set(AUDIT_ACTION_LABELS)
    assert not unlabelled, f"label these in app/web/audit_actions.py: {sorted(unlabelled)}"
    stale = set(AUDIT_ACTION_LABELS) - found.actions
    assert not stale, f"labels of actions no longer recorded: {sorted(stale)}"


def test_the_scan_reads_each_way_of_naming_an_action_and_reports_any_other() -> None:
    source = """
ACTION = "thing.make"
class ThingChange(RecordChange):
    record_type = "thing"
def work(session, kind, data):
    record(session, ACTION, actor=None)
    record(session, "thing.a" if data else "thing.b", actor=None)
    record(session, f"judicial_case.{data.kind.value}", actor=None)
    add_recorded(session, row, "gadget", actor=None, fields=[])
    ThingChange(session, thing, principal, "polish")
    record(session, name_from(data), actor=None)
    record(session, f"thing.{data.other}", actor=None)
"""
    found = recorded_actions({"things.py": source})
    assert found.actions == {
        "thing.make",
        "thing.a",
        "thing.b",
        *(f"judicial_case.{kind.value}" for kind in CaseEventKind),
        "gadget.create",
        "thing.polish",
    }
    assert found.not_understood == ["things.py:11", "things.py:12"]


def test_the_labels_differ_from_each_other_in_every_language() -> None:
    """Two actions under one label could not be told apart on the page."""
    for language in LANGUAGES:
        translate = Translator(language).gettext
        labels = [translate(label) for label in AUDIT_ACTION_LABELS.values()]
        assert len(set(labels)) == len(labels), language


def test_an_action_without_a_label_shows_as_its_code() -> None:
    """An old trail may hold an action no longer recorded: it stays readable by its code."""
    labels = Labels(Translator("fr"))
    assert labels.audit_action("incident.restore") == "incident.restore"
    assert labels.audit_action("incident.update") == "Incident modifié"
