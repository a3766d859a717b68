"""The Safeguarding Adults Collection counted from the record: worked examples on both sides of each rule, the
reference mappings, the derived figures, who may see it and the audit of the people behind a cell, and the command.

All in the reporting year 2025-26 (1 April 2025 to 31 March 2026)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from openasc.core.models import AuditAction, AuditEvent
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding import codes, sac
from openasc.safeguarding.models import ConcernStatus, SafeguardingAdultsReview, SarIndividual
from openasc.safeguarding.tests.factories import AllegationFactory, ConcernFactory, EnquiryFactory

YEAR = 2025
FIRST, LAST = dt.date(2025, 4, 1), dt.date(2026, 3, 31)
T = codes.TypeOfRisk
L = codes.LocationOfRisk
S = codes.SourceOfRisk


def compute():
    return sac.compute(YEAR)


def person(**kw):
    kw.setdefault("date_of_birth", dt.date(1940, 6, 1))
    return PersonFactory(**kw)


def concluded(on: dt.date, who=None, **kw):
    concern = ConcernFactory(decided=True, received_on=on - dt.timedelta(days=30), person=who or person())
    return EnquiryFactory(concern=concern, concluded=True, concluded_on=on, **kw)


# --- The year: SG1 counts concerns received and enquiries started in it ------------------------------------------
@pytest.mark.parametrize(
    "received, counted",
    [
        (dt.date(2025, 3, 31), False),
        (FIRST, True),
        (LAST, True),
        (dt.date(2026, 4, 1), False),
    ],
)
def test_a_concern_counts_in_the_year_it_was_received(db, received, counted):
    ConcernFactory(received_on=received, person=person())
    r = compute()
    assert r.tables["SG1f"].count(sac.SG1F_ROWS[sac.CONCERNS], "Count") == int(counted)
    assert r.tables["SG1a"].count(sac.TOTAL, sac.CONCERNS) == int(counted)


def test_a_cancelled_concern_is_not_counted_and_one_waiting_for_a_decision_is(db):
    ConcernFactory(received_on=dt.date(2025, 5, 1), person=person(), status=ConcernStatus.CANCELLED)
    ConcernFactory(received_on=dt.date(2025, 5, 1), person=person())
    assert compute().derived["concerns"] == 1


def test_an_enquiry_counts_in_the_year_it_started_even_if_its_concern_was_received_the_year_before(db):
    concern = ConcernFactory(decided=True, received_on=dt.date(2025, 3, 30), person=person())
    EnquiryFactory(concern=concern, started_on=dt.date(2025, 4, 1))
    r = compute()
    assert (r.derived["concerns"], r.derived["section_42_enquiries"]) == (0, 1)


def test_a_concern_that_became_an_enquiry_counts_as_both_and_other_enquiries_apart(db):
    EnquiryFactory(concern=ConcernFactory(decided=True, received_on=dt.date(2025, 6, 1), person=person()))
    EnquiryFactory(
        other=True, concern=ConcernFactory(decided=True, received_on=dt.date(2025, 6, 2), person=person())
    )
    ConcernFactory(no_enquiry=True, received_on=dt.date(2025, 6, 3), person=person())
    d = compute().derived
    assert (d["concerns"], d["section_42_enquiries"], d["other_enquiries"], d["total_enquiries"]) == (
        3,
        1,
        1,
        2,
    )
    assert d["conversion_rate_percent"] == 66.7 and d["proportion_section_42_percent"] == 50.0


def test_an_adult_with_two_enquiries_is_one_individual_in_sg1a_to_c_but_two_cases_in_sg1d_and_sg1f(db):
    adult = person(primary_support_reason="Physical Support: Personal care support")
    for day in (dt.date(2025, 5, 1), dt.date(2025, 9, 1)):
        EnquiryFactory(concern=ConcernFactory(decided=True, received_on=day, person=adult))
    r = compute()
    assert r.tables["SG1a"].count(sac.TOTAL, sac.S42) == 1
    assert r.tables["SG1b"].count("Female", sac.S42) == 1
    assert r.tables["SG1c"].count("White", sac.CONCERNS) == 1
    assert r.tables["SG1d"].count("Physical Support", sac.S42) == 2
    assert r.tables["SG1f"].count(sac.SG1F_ROWS[sac.S42], "Count") == 2


# --- Age on the last day of the year, or at death --------------------------------------------------------------------
@pytest.mark.parametrize(
    "born, died, band",
    [
        (dt.date(1961, 3, 31), None, "65-74"),  # 65 on 31 March 2026
        (dt.date(1961, 4, 1), None, "18-64"),  # 64 until the day after the year ends
        (dt.date(1931, 3, 31), None, "95+"),
        (dt.date(1931, 4, 1), None, "85-94"),
        (dt.date(1951, 1, 1), dt.date(2025, 12, 1), "65-74"),  # 74 at death, 75 had they lived
        (dt.date(1950, 12, 1), dt.date(2025, 12, 2), "75-84"),  # 75 on the day they died
        (None, None, "Age unknown"),
        (dt.date(2010, 1, 1), None, "Age unknown"),  # 16: a date of birth no adult enquiry can have
    ],
)
def test_age_band_is_the_age_on_31_march_or_at_death(db, born, died, band):
    ConcernFactory(received_on=dt.date(2025, 6, 1), person=person(date_of_birth=born, date_of_death=died))
    t = compute().tables["SG1a"]
    assert t.count(band, sac.CONCERNS) == 1
    (row,) = t.cell_contributions(band, sac.CONCERNS)
    assert "concern received 1 June 2025" in row.rule


def test_the_label_of_the_age_unknown_column_is_a_setting(db, settings):
    settings.OPENASC_SAC_AGE_UNKNOWN_LABEL = "Not recorded"
    ConcernFactory(received_on=dt.date(2025, 6, 1), person=person(date_of_birth=None))
    t = compute().tables["SG1a"]
    assert t.rows[-1] == "Not recorded" and t.count("Not recorded", sac.CONCERNS) == 1


# --- The mappings (reference data) --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "field, value, table, category",
    [
        ("gender", "Male", "SG1b", "Male"),
        ("gender", "Other", "SG1b", "Not Known"),
        ("gender", "", "SG1b", "Not Known"),
        ("ethnicity", "Asian or Asian British: Indian", "SG1c", "Asian / Asian British"),
        (
            "ethnicity",
            "Black, Black British, Caribbean or African: African",
            "SG1c",
            "Black / African / Caribbean / Black British",
        ),
        ("ethnicity", "No data: Refused", "SG1c", "Refused"),
        ("ethnicity", "Other ethnic group: Arab", "SG1c", "Other Ethnic Group"),
        ("ethnicity", "", "SG1c", "Undeclared / Not Known"),
        (
            "primary_support_reason",
            "Support with Memory & Cognition",
            "SG1d",
            "Support with Memory and Cognition",
        ),
        ("primary_support_reason", "Social support: Support to unpaid carer", "SG1d", "Social Support"),
        ("primary_support_reason", "Unknown", "SG1d", "Not Known"),
        ("primary_support_reason", "Something a council made up", "SG1d", "Not Known"),
    ],
)
def test_record_codes_map_to_the_sac_categories(db, field, value, table, category):
    ConcernFactory(received_on=dt.date(2025, 6, 1), person=person(**{field: value}))
    t = compute().tables[table]
    assert t.count(category, sac.CONCERNS) == 1, t.grid()


def test_a_council_can_change_a_mapping(db, settings, tmp_path):
    rows = (sac.MAPPINGS_FILE.read_text(encoding="utf-8")).replace(
        "gender,Other,Not Known,LOCAL", "gender,Other,Female,LOCAL"
    )
    path = tmp_path / "mine.csv"
    path.write_text(rows, encoding="utf-8")
    settings.OPENASC_SAC_MAPPINGS_FILE = str(path)
    ConcernFactory(received_on=dt.date(2025, 6, 1), person=person(gender="Other"))
    assert compute().tables["SG1b"].count("Female", sac.CONCERNS) == 1


def test_autism_recorded_on_the_enquiry_counts_in_sg1e_for_the_concern_and_the_enquiry(db):
    concern = ConcernFactory(decided=True, received_on=dt.date(2025, 6, 1), person=person())
    EnquiryFactory(concern=concern, autism=codes.Autism.ASPERGERS)
    EnquiryFactory(concern=ConcernFactory(decided=True, received_on=dt.date(2025, 6, 1), person=person()))
    t = compute().tables["SG1e"]
    assert (
        t.count(codes.Autism.ASPERGERS, sac.CONCERNS) == 1 and t.count(codes.Autism.ASPERGERS, sac.S42) == 1
    )
    assert t.count(sac.TOTAL, sac.S42) == 1


# --- SG2 to SG4: section 42 enquiries concluded in the year --------------------------------------------------------
@pytest.mark.parametrize(
    "on, counted", [(dt.date(2025, 3, 31), False), (FIRST, True), (LAST, True), (dt.date(2026, 4, 1), False)]
)
def test_sg2_counts_section_42_enquiries_concluded_in_the_year(db, on, counted):
    AllegationFactory(enquiry=concluded(on))
    t = compute().tables["SG2a"]
    assert t.count(T.FINANCIAL, S.KNOWN) == int(counted)


def test_an_other_enquiry_concluded_in_the_year_is_not_in_sg2_to_sg4(db):
    AllegationFactory(enquiry=concluded(dt.date(2025, 8, 1), kind=codes.EnquiryKind.OTHER))
    r = compute()
    assert r.tables["SG2a"].count() == 0 and r.tables["SG3a"].count() == 0 and r.tables["SG4a"].count() == 0


def test_one_count_per_different_category_per_enquiry(db):
    e = concluded(dt.date(2025, 8, 1))
    AllegationFactory(
        enquiry=e, type_of_risk=T.FINANCIAL, source_of_risk=S.KNOWN, source_description="Grandson"
    )
    AllegationFactory(
        enquiry=e, type_of_risk=T.FINANCIAL, source_of_risk=S.KNOWN, source_description="Daughter"
    )
    AllegationFactory(
        enquiry=e,
        type_of_risk=T.FINANCIAL,
        source_of_risk=S.SERVICE_PROVIDER,
        location_of_risk=L.COMMUNITY_SERVICE,
    )
    AllegationFactory(enquiry=e, type_of_risk=T.PHYSICAL, source_of_risk=S.KNOWN)
    a, b = compute().tables["SG2a"], compute().tables["SG2b"]
    assert a.count(T.FINANCIAL, S.KNOWN) == 1  # two sources of the same type count once
    assert a.count(T.FINANCIAL, S.SERVICE_PROVIDER) == 1
    assert a.count(T.FINANCIAL, sac.TOTAL) == 1  # one enquiry, not the sum of its cells
    assert a.count(sac.TOTAL, S.KNOWN) == 1 and a.count() == 1
    assert a.grid()[T.PHYSICAL][S.KNOWN] == 1
    assert b.count(L.OWN_HOME, S.KNOWN) == 1 and b.count(L.COMMUNITY_SERVICE, S.SERVICE_PROVIDER) == 1


@pytest.mark.parametrize(
    "rao, in_sg2e",
    [
        (codes.RiskAssessmentOutcome.IDENTIFIED_ACTION, True),
        (codes.RiskAssessmentOutcome.IDENTIFIED_NO_ACTION, True),
        (codes.RiskAssessmentOutcome.INCONCLUSIVE_ACTION, False),
        (codes.RiskAssessmentOutcome.NONE_NO_ACTION, False),
    ],
)
def test_sg2e_counts_the_risk_outcome_only_where_a_risk_was_identified(db, rao, in_sg2e):
    AllegationFactory(
        enquiry=concluded(
            dt.date(2025, 8, 1), risk_assessment_outcome=rao, risk_outcome=codes.RiskOutcome.REMOVED
        )
    )
    r = compute()
    assert r.tables["SG2c"].count(rao, sac.CONCLUDED) == 1
    assert r.tables["SG2e"].count(codes.RiskOutcome.REMOVED, sac.CONCLUDED) == int(in_sg2e)


def test_sg3a_advocacy_counts_only_among_those_who_lacked_capacity(db):
    AllegationFactory(
        enquiry=concluded(
            dt.date(2025, 8, 1), lacked_capacity=codes.LackedCapacity.YES, supported_by_advocate=True
        )
    )
    AllegationFactory(
        enquiry=concluded(
            dt.date(2025, 8, 2), lacked_capacity=codes.LackedCapacity.NO, supported_by_advocate=True
        )
    )
    AllegationFactory(enquiry=concluded(dt.date(2025, 8, 3), lacked_capacity=""))
    r = compute()
    t = r.tables["SG3a"]
    assert t.count(codes.LackedCapacity.YES, sac.CONCLUDED) == 1
    assert t.count(sac.ADVOCACY_ROW, sac.CONCLUDED) == 1
    assert t.count(codes.LackedCapacity.NOT_RECORDED, sac.CONCLUDED) == 1
    assert r.derived["concluded_section_42_enquiries"] == 3


def test_sg4a_counts_achievement_only_where_outcomes_were_expressed(db):
    AllegationFactory(enquiry=concluded(dt.date(2025, 8, 1)))  # expressed, partially achieved
    AllegationFactory(
        enquiry=concluded(
            dt.date(2025, 8, 2), msp_asked=codes.MspAsked.NOT_EXPRESSED, msp_achieved=codes.MspAchieved.FULLY
        )
    )
    AllegationFactory(enquiry=concluded(dt.date(2025, 8, 3), msp_asked="", msp_achieved=""))
    t = compute().tables["SG4a"]
    g = {row: cols[sac.CONCLUDED] for row, cols in t.grid().items()}
    assert g[codes.MspAsked.EXPRESSED] == 1 and g[codes.MspAsked.NOT_EXPRESSED] == 1
    assert g[codes.MspAsked.NOT_RECORDED] == 1
    assert g[codes.MspAchieved.PARTIALLY] == 1 and g[codes.MspAchieved.FULLY] == 0


def test_what_the_rules_cannot_place_is_listed_by_id_without_names(db):
    e = concluded(dt.date(2025, 8, 1), risk_assessment_outcome="")
    problems = compute().problems
    assert f"Enquiry {e.pk} was concluded with no allegation line: not counted in SG2a or SG2b." in problems
    assert any(
        p.startswith(f"Enquiry {e.pk} was concluded with no risk assessment outcome") for p in problems
    )
    assert not any(e.person.last_name in p for p in problems)


def test_sg5_counts_reviews_completed_in_the_year_and_their_individuals(db, staff):
    died, lived = person(), person()

    def review(ref, completed, outcomes):
        r = SafeguardingAdultsReview.objects.create(
            reference=ref,
            referred_on=dt.date(2024, 5, 1),
            mandatory=True,
            completed_on=completed,
            recorded_by=staff.safeguarding_lead,
            recorded_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        )
        for who, outcome in outcomes:
            SarIndividual.objects.create(review=r, person=who, outcome=outcome)

    from openasc.core import audit

    with audit.exempt_from_safety_net():
        review(
            "SAR-1", dt.date(2025, 9, 1), [(died, codes.SarOutcome.DIED), (lived, codes.SarOutcome.SURVIVED)]
        )
        review("SAR-2", dt.date(2025, 10, 1), [(lived, codes.SarOutcome.SURVIVED)])
        review("SAR-3", dt.date(2026, 4, 1), [(lived, codes.SarOutcome.SURVIVED)])  # the next year
    r = compute()
    assert r.tables["SG5a"].grid() == {
        sac.SG5A_DIED: {"Count": 1},
        sac.SG5A_NONE_DIED: {"Count": 1},
        sac.TOTAL: {"Count": 2},
    }
    assert r.tables["SG5b"].count(sac.SG5B_SURVIVED, "Count") == 2


# --- Derived figures ---------------------------------------------------------------------------------------------
def test_rates_per_100000_adults_use_the_population_reference(db):
    from openasc.reporting import population

    figures = population.for_period(FIRST)
    adults = figures["18-64"] + figures["65+"]
    for _ in range(3):
        ConcernFactory(received_on=dt.date(2025, 6, 1), person=person())
    d = compute().derived
    assert d["adult_population"] == adults
    assert d["concerns_per_100000_adults"] == round(3 * 100_000 / adults, 1)
    assert d["conversion_rate_percent"] == 0.0


def test_no_concerns_gives_no_conversion_rate_rather_than_a_division_by_zero(db):
    d = compute().derived
    assert (
        d["concerns"] == 0
        and d["conversion_rate_percent"] is None
        and d["proportion_section_42_percent"] is None
    )


# --- Who sees it, and the audit of the people behind a cell ---------------------------------------------------------
def test_a_social_worker_may_not_see_the_return_and_the_refusal_is_audited(staff):
    with pytest.raises(sac.NotAllowed):
        sac.results_for(staff.social_worker, YEAR, refresh=True, full=True)
    assert AuditEvent.objects.filter(actor=staff.social_worker, action=AuditAction.ACCESS_REFUSED).exists()


def test_an_analyst_sees_la_ids_but_no_names_and_each_adult_shown_is_audited(staff):
    adults = [person(), person()]
    for a in adults:
        ConcernFactory(received_on=dt.date(2025, 6, 1), person=a)
    r = sac.results_for(staff.performance_analyst, YEAR, refresh=True, full=True)
    rows = sac.cell_people(
        user=staff.performance_analyst, results=r, table="SG1a", row=sac.TOTAL, column=sac.CONCERNS
    )
    assert sorted(x.la_person_id for x in rows) == sorted(a.la_person_id for a in adults)
    assert all(x.name == "" and not x.can_open for x in rows)
    events = AuditEvent.objects.filter(
        actor=staff.performance_analyst, action=AuditAction.VIEW, basis=sac.BASIS
    ).exclude(person_id=None)
    assert sorted(events.values_list("person_id", flat=True)) == sorted(a.pk for a in adults)
    assert {e.details["table"] for e in events} == {"SG1a"}


def test_the_safeguarding_lead_sees_the_names_of_adults_whose_record_they_may_open(staff):
    from openasc.core.models import RelationshipKind
    from openasc.core.tests.factories import CareRelationshipFactory

    a, other = person(first_name="Ivy", last_name="Pennant"), person(last_name="Hidden")
    for adult in (a, other):
        ConcernFactory(received_on=dt.date(2025, 6, 1), person=adult)
    CareRelationshipFactory(
        person=a, user=staff.safeguarding_lead, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
    )
    r = sac.results_for(staff.safeguarding_lead, YEAR, refresh=True, full=True)
    rows = sac.cell_people(
        user=staff.safeguarding_lead,
        results=r,
        table="SG1f",
        row=sac.SG1F_ROWS[sac.CONCERNS],
        column="Count",
        fmt="csv",
    )
    shown = {x.la_person_id: (x.name, x.can_open) for x in rows}
    assert shown == {a.la_person_id: ("Ivy Pennant", True), other.la_person_id: ("", False)}
    assert AuditEvent.objects.filter(
        actor=staff.safeguarding_lead, action=AuditAction.EXPORT, person_id=a.pk
    ).exists()


def test_an_unknown_table_or_cell_is_a_clear_error(staff):
    r = sac.results_for(staff.performance_analyst, YEAR, refresh=True, full=True)
    with pytest.raises(ValueError, match="no table 'SG9'"):
        sac.cell_people(user=staff.performance_analyst, results=r, table="SG9")
    with pytest.raises(ValueError, match="SG2a has no cell 'Teleportation'"):
        sac.cell_people(user=staff.performance_analyst, results=r, table="SG2a", row="Teleportation")


def test_the_person_alleged_to_cause_harm_is_never_behind_a_cell(staff):
    alleged = person(first_name="Grandson")
    e = concluded(dt.date(2025, 8, 1))
    AllegationFactory(enquiry=e, source_person=alleged)
    r = sac.results_for(staff.safeguarding_lead, YEAR, refresh=True, full=True)
    every = {c.person_id for t in r.tables.values() for c in t.contributions}
    assert every == {e.person_id}
    sac.cell_people(user=staff.safeguarding_lead, results=r, table="SG2a")
    assert not AuditEvent.objects.filter(person_id=alleged.pk).exists()


# --- The command ---------------------------------------------------------------------------------------------------
def test_the_command_prints_the_documented_json_shape(staff, capsys):
    AllegationFactory(enquiry=concluded(dt.date(2025, 8, 1)))
    call_command("sac", "--year", "2025-26")
    out = json.loads(capsys.readouterr().out)
    assert out["return"] == "Safeguarding Adults Collection" and out["year"] == "2025-26"
    assert out["period"] == {"start": "2025-04-01", "end": "2026-03-31"}
    assert list(out["tables"]) == sac.TABLE_IDS
    assert out["tables"]["SG2a"]["rows"][T.FINANCIAL][S.KNOWN] == 1
    assert out["tables"]["SG1f"]["rows"]["Total Number of Section 42 Safeguarding Enquiries"] == {"Count": 1}
    assert set(out["derived"]) >= {"conversion_rate_percent", "proportion_section_42_percent"}
    assert {r["status"] for r in out["reference"]} >= {"NOT FOUND", "DERIVED"}


def test_the_command_writes_csv_and_xlsx(staff, tmp_path, capsys):
    ConcernFactory(received_on=dt.date(2025, 6, 1), person=person())
    call_command("sac", "--year", "2025-26", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {
        "TABLE_REFERENCE": "SG1f",
        "ROW": "Total Number of Safeguarding Concerns",
        "COLUMN": "Count",
        "VALUE": "1",
    } in rows
    call_command("sac", "--year", "2025-26", "--format", "xlsx", "--out", str(tmp_path / "sac.xlsx"))
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "sac.xlsx")
    assert book.sheetnames[:3] == ["SG1a", "SG1b", "SG1c"] and "Notes" in book.sheetnames
    sheet = book["SG1f"]
    assert [c.value for c in sheet[3]] == ["Total Number of Safeguarding Concerns", 1]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--year", "2025"], "write it as 2025-26"),
        (["--year", "2025-27"], "write it as 2025-26"),
        (["--year", "2025-26", "--format", "xlsx"], "give it with --out"),
        (["--year", "2025-26", "--as-user", "nobody"], "no active account called 'nobody'"),
        (["--year", "2025-26", "--as-user", "social_worker"], "may not see"),
    ],
)
def test_the_command_says_what_is_wrong(staff, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("sac", *args)


def test_the_command_detail_files_hold_la_ids_not_names_and_are_audited_per_adult(staff, tmp_path, capsys):
    a = person(last_name="Pennant")
    ConcernFactory(received_on=dt.date(2025, 6, 1), person=a)
    call_command("sac", "--year", "2025-26", "--detail", str(tmp_path), "--as-user", "performance_analyst")
    text = (tmp_path / "sac-2025-26-SG1a.csv").read_text(encoding="utf-8")
    assert a.la_person_id in text and "Pennant" not in text
    assert (
        AuditEvent.objects.filter(
            actor=staff.performance_analyst,
            action=AuditAction.EXPORT,
            person_id=a.pk,
            details__what="openasc sac --detail",
        ).count()
        == 1
    )


def test_an_enquiry_started_in_one_year_and_concluded_in_the_next_counts_in_each_year_once(db):
    concern = ConcernFactory(decided=True, received_on=dt.date(2025, 3, 10), person=person())
    e = EnquiryFactory(
        concern=concern, started_on=dt.date(2025, 3, 12), concluded=True, concluded_on=dt.date(2025, 4, 20)
    )
    AllegationFactory(enquiry=e)
    before, after = sac.compute(2024), sac.compute(2025)
    assert before.derived["section_42_enquiries"] == 1 and before.tables["SG2a"].count() == 0
    assert after.derived["section_42_enquiries"] == 0 and after.tables["SG2a"].count() == 1
    assert after.derived["concerns"] == 0  # received in 2024-25


def test_an_enquiry_ceased_at_the_adults_request_counts_in_sg2c_and_not_in_sg2e(db):
    ceased = codes.RiskAssessmentOutcome.CEASED
    AllegationFactory(enquiry=concluded(dt.date(2025, 9, 1), risk_assessment_outcome=ceased, risk_outcome=""))
    r = compute()
    assert r.tables["SG2c"].count(ceased, sac.CONCLUDED) == 1
    assert r.tables["SG2e"].count() == 0 and r.problems == []


def test_a_page_of_counts_is_cached_without_its_contributors_and_a_cell_asks_for_them(staff):
    ConcernFactory(received_on=dt.date(2025, 6, 1), person=person())
    slim = sac.results_for(staff.performance_analyst, YEAR, refresh=True)
    assert slim.tables["SG1f"].count(sac.SG1F_ROWS[sac.CONCERNS], "Count") == 1
    assert slim.tables["SG1f"].contributions == []
    with pytest.raises(ValueError, match="without its contributors"):
        sac.cell_people(user=staff.performance_analyst, results=slim, table="SG1f")
    full = sac.results_for(staff.performance_analyst, YEAR, full=True)
    assert len(sac.cell_people(user=staff.performance_analyst, results=full, table="SG1f")) == 1
    assert full.as_json()["tables"] == slim.as_json()["tables"]
