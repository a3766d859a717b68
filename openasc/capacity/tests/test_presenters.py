"""Presenters on unsaved records: labels, tags, the duty sentence, escaping, missing values as a dash."""

import datetime as dt

from openasc.capacity import presenters
from openasc.capacity.models import (
    AdvocacyDuty,
    BestInterestsDecision,
    CapacityAssessment,
    ConsentBasis,
    ConsentToShare,
    Outcome,
)
from openasc.core.models import User


def _user():
    return User(username="sam", first_name="Sam", last_name="Worthing")


def _assessment(**kw):
    base = {
        "decision": "Where to live",
        "assessed_on": dt.date(2026, 11, 20),
        "assessor": "Sam Worthing",
        "location": "Home",
        "present": "",
        "impairment": True,
        "impairment_detail": "Dementia",
        "understand": True,
        "understand_evidence": "Said it back",
        "retain": True,
        "retain_evidence": "Remembered",
        "use_weigh": False,
        "use_weigh_evidence": "Could not weigh the risk",
        "communicate": True,
        "communicate_evidence": "Clear",
        "nexus": True,
        "nexus_evidence": "",
        "support_steps": "Easy read",
        "outcome": Outcome.LACKS_CAPACITY,
        "recorded_by": _user(),
        "recorded_at": dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC),
    }
    base.update(kw)
    return CapacityAssessment(**base)


def test_outcome_tags_and_labels():
    assert presenters.outcome_tag(_assessment()) == {
        "text": "Lacks capacity for this decision",
        "classes": "govuk-tag--orange",
    }
    assert presenters.outcome_tag(_assessment(outcome=Outcome.HAS_CAPACITY))["classes"] == "govuk-tag--green"
    assert presenters.basis_tag(ConsentToShare(basis=ConsentBasis.REFUSED))["classes"] == "govuk-tag--red"


def test_capacity_rows_show_a_dash_for_what_is_missing_and_the_test_as_answered():
    rows = {r["key"]["text"]: r["value"] for r in presenters.capacity_rows(_assessment())}
    assert rows["Who else was present"] == {"text": "—"} and rows["Date assessed"] == {
        "text": "20 November 2026"
    }
    stages = [r["value"]["text"] for r in presenters.stage_rows(_assessment())]
    assert (
        stages[0] == "Yes: Dementia" and stages[3] == "No. Could not weigh the risk" and stages[-1] == "Yes"
    )
    none = presenters.stage_rows(_assessment(impairment=False, impairment_detail="", nexus=None))
    assert none[0]["value"]["text"] == "No" and none[-1]["value"]["text"] == "Not applicable"


def test_what_was_typed_is_escaped_in_html_cells():
    rows = presenters.capacity_rows(_assessment(present="<script>x</script>\nAnn"))
    present = next(r for r in rows if r["key"]["text"] == "Who else was present")["value"]["html"]
    assert "<script>" not in str(present) and "&lt;script&gt;" in str(present) and "<br>" in str(present)


def test_the_duty_sentence_on_each_side():
    assert presenters.duty_sentence(AdvocacyDuty(duty=True, referral_made=True)).endswith("(referred)")
    assert presenters.duty_sentence(AdvocacyDuty(duty=True, referral_made=False)).endswith(
        "(no referral made)"
    )
    assert presenters.duty_sentence(AdvocacyDuty(duty=False)) == "No duty to arrange an independent advocate"


def test_best_interests_rows_name_who_was_consulted_and_the_options():
    b = BestInterestsDecision(
        capacity_assessment=_assessment(),
        consulted=[{"name": "Ann", "role": "daughter"}],
        wishes="Home",
        options=[{"option": "Home", "benefits": "Own home", "risks": "Falls"}],
        least_restrictive="Home",
        decision="Home with care",
        decision_maker="Sam",
        decided_on=dt.date(2026, 11, 21),
        recorded_by=_user(),
        recorded_at=dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC),
    )
    rows = {r["key"]["text"]: r["value"] for r in presenters.best_interests_rows(b)}
    assert str(rows["Who was consulted"]["html"]) == "Ann (daughter)"
    assert presenters.option_rows(b) == [[{"text": "Home"}, {"text": "Own home"}, {"text": "Falls"}]]


def test_a_refusal_says_what_not_to_share_and_with_whom():
    s = ConsentToShare(
        what="Her plan", agencies="GP\nHousing", basis=ConsentBasis.REFUSED, recorded_on=dt.date(2026, 11, 2)
    )
    assert presenters.refusal_text(s, "Edith") == (
        "Edith refused consent on 2 November 2026 to share Her plan with GP, Housing. Do not share it unless there "
        "is an overriding reason, recorded."
    )
    assert presenters.shorten("a " * 100, 20).endswith("…") and len(presenters.shorten("a " * 100, 20)) == 20


def test_a_consent_review_is_due_on_its_date_and_not_the_day_before():
    s = ConsentToShare(review_on=dt.date(2026, 12, 3))
    assert presenters.review_text(s, dt.date(2026, 12, 2)) == "3 December 2026"
    assert presenters.review_text(s, dt.date(2026, 12, 3)) == "3 December 2026 (due)"
    assert presenters.review_text(ConsentToShare(review_on=None), dt.date(2026, 12, 3)) == "No review date"
