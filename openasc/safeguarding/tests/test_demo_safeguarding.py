"""The demo's safeguarding history: shaped like the national figures, every record one the services would have
accepted, the hub and officers holding relationships exactly while the work is open, and the SAC counting it all
with nothing it cannot place."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from openasc.core.models import RelationshipKind
from openasc.demo.build import TODAY
from openasc.safeguarding import codes, sac
from openasc.safeguarding.models import Allegation, Concern, ConcernStatus, Enquiry, EnquiryStatus


@pytest.mark.no_audit_safety_net
def test_the_demo_has_a_believable_safeguarding_history(transactional_db):
    call_command(
        "demo", "--people", "3000", "--seed", "5", "--no-history", stdout=StringIO(), stderr=StringIO()
    )
    concerns = list(Concern.objects.select_related("team_relationship"))
    assert len(concerns) > 250
    decided = [c for c in concerns if c.status != ConcernStatus.AWAITING_DECISION]
    enquiries = list(Enquiry.objects.select_related("officer_relationship", "concern__team_relationship"))
    assert 0.2 < len(enquiries) / len(decided) < 0.4  # the conversion rate
    s42 = [e for e in enquiries if e.kind == codes.EnquiryKind.SECTION_42]
    assert len(s42) / len(enquiries) > 0.85
    types = Counter(Allegation.objects.values_list("type_of_risk", flat=True))
    places = Counter(Allegation.objects.values_list("location_of_risk", flat=True))
    assert types.most_common(1)[0][0] == codes.TypeOfRisk.NEGLECT
    assert places.most_common(1)[0][0] == codes.LocationOfRisk.OWN_HOME
    for c in concerns:
        assert c.received_on <= TODAY and c.decision_due_on > c.received_on
        assert c.team_relationship.kind == RelationshipKind.SAFEGUARDING_ENQUIRY
        open_ = c.status == ConcernStatus.AWAITING_DECISION or (
            c.status == ConcernStatus.ENQUIRY and c.enquiry.status != EnquiryStatus.CLOSED
        )
        assert (c.team_relationship.ends_at is None) == open_, c.pk
        if c.decision == codes.ConcernDecision.SECTION_42:
            assert c.care_and_support_needs and c.abuse_or_neglect and c.unable_to_protect
    for e in enquiries:
        assert e.allegations.exists()
        if e.status in (EnquiryStatus.IN_PROGRESS, EnquiryStatus.CONCLUDED, EnquiryStatus.CLOSED):
            assert e.officer_id and e.officer_relationship.user_id == e.officer_id
            assert (e.officer_relationship.ends_at is None) == (e.status != EnquiryStatus.CLOSED)
        if e.concluded_on:
            assert e.risk_assessment_outcome and e.msp_asked is not None
    assert Concern.objects.filter(status=ConcernStatus.AWAITING_DECISION).exists()
    for year in (2024, 2025):
        r = sac.compute(year)
        assert r.problems == [] and r.derived["concerns"] > 50 and r.tables["SG2a"].count() > 5
    assert sac.compute(2025).tables["SG5a"].count() == 2
