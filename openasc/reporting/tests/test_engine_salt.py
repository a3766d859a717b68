# ruff: noqa: C408  (dict(...) keeps the worked CLD rows readable)
"""SALT-style tables (engine/salt.py): small worked examples on both sides of each rule, counted by hand."""

from __future__ import annotations

import datetime as dt

from openasc.reporting.engine.salt import salt_json, salt_tables

from .conftest import cld_con

PS, PE = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
STMAX = "Short term support: ST-Max"
COMMUNITY = "Long term support: Community"
RESIDENTIAL = "Long term support: Residential care"
NURSING = "Long term support: Nursing care"
INFO = "NFA: Information and advice or signposting"
OLD, YOUNG = "65 and over", "18 to 64"
S1_STMAX = "Short Term Support to Maximise Independence"
S1_COMMUNITY = "Long Term Support Community"
S1_UNIVERSAL = "Universal Services/ Signposted to other services"
S1_OTHER = "No Services Provided - other reason"
UTC = "Unable to classify"
ROUTE = "Discharge from hospital"


def tables(rows):
    return salt_tables(cld_con(rows), PS, PE)


def req(person, start, end, outcome=INFO, route=ROUTE, **kw):
    return dict(
        person=person,
        type="Request",
        start=start,
        end=end,
        outcome=outcome,
        Request_Route_of_Access=route,
        **kw,
    )


def svc(person, start, end, service, outcome=None, **kw):
    return dict(person=person, type="Service", start=start, end=end, service=service, outcome=outcome, **kw)


def asm(person, start, end, outcome, **kw):
    return dict(person=person, type="Assessment", start=start, end=end, outcome=outcome, **kw)


def sts001_sequels(rows, band=OLD):
    """{sequel: count} over the counted requests of one age band."""
    t = tables(rows)["STS001"]
    return {
        d["column"]: sum(
            1 for x in t.details if x["counted"] and x["group"] == band and x["column"] == d["column"]
        )
        for d in t.details
        if d["counted"] and d["group"] == band
    }


# -- STS001 ---------------------------------------------------------------------------------------------------


def test_sts001_service_sequel_uses_the_nhs_england_hierarchy_st_max_first():
    rows = [
        req("A", "2024-05-01", "2024-05-02", "Progress to reablement/ST-Max"),
        svc("A", "2024-05-03", None, COMMUNITY),
        svc("A", "2024-05-04", "2024-06-01", STMAX),
    ]
    t = tables(rows)["STS001"]
    assert t.cell(OLD, ROUTE, S1_STMAX) == 1
    assert t.cell(OLD, ROUTE, S1_COMMUNITY) == 0
    assert t.cell(OLD, "Total", "Total") == 1
    assert "hierarchy rank 1" in t.details[0]["rule"]


def test_sts001_first_event_28_days_after_is_in_scope_29_is_not():
    in_scope = [
        req("A", "2024-05-01", "2024-05-02", "Progress to support planning or services"),
        svc("A", "2024-05-30", None, COMMUNITY),
    ]  # 28 days after 2 May
    out_scope = [
        req("A", "2024-05-01", "2024-05-02", "Progress to support planning or services"),
        svc("A", "2024-05-31", None, COMMUNITY),
    ]  # 29 days
    assert sts001_sequels(in_scope) == {S1_COMMUNITY: 1}
    assert sts001_sequels(out_scope) == {UTC: 1}  # own outcome "progress to ..." cannot be classified
    assert "29 days" in tables(out_scope)["STS001"].details[0]["rule"]


def test_sts001_chain_allows_3_day_gaps_but_not_4():
    base = [
        req("A", "2024-05-01", "2024-05-02", "Progress to assessment, review or reassessment"),
        asm("A", "2024-05-05", "2024-05-10", "Progress to support planning or services"),
    ]
    assert sts001_sequels([*base, svc("A", "2024-05-13", None, COMMUNITY)]) == {S1_COMMUNITY: 1}  # 3 days
    assert sts001_sequels([*base, svc("A", "2024-05-14", None, COMMUNITY)]) == {
        UTC: 1
    }  # 4 days: chain broken


def test_sts001_nfa_outcome_of_an_assessment_and_conflicting_nfas():
    one = [
        req("A", "2024-05-01", "2024-05-02", "Progress to assessment, review or reassessment"),
        asm("A", "2024-05-03", "2024-05-10", "NFA: Deceased"),
    ]
    assert sts001_sequels(one) == {"No Services Provided - Deceased": 1}
    conflict = [*one, asm("A", "2024-05-04", "2024-05-10", INFO)]  # same latest end, different NFA
    assert sts001_sequels(conflict) == {S1_OTHER: 1}
    earlier = [*one, asm("A", "2024-05-04", "2024-05-09", INFO)]  # the later-ending NFA wins
    assert sts001_sequels(earlier) == {"No Services Provided - Deceased": 1}


def test_sts001_request_clusters_join_within_4_days_not_5():
    four = [req("A", "2024-05-01", "2024-05-02"), req("A", "2024-05-06", "2024-05-07")]
    five = [req("A", "2024-05-01", "2024-05-02"), req("A", "2024-05-07", "2024-05-08")]
    assert tables(four)["STS001"].cell(OLD, "Total", "Total") == 1
    assert tables(five)["STS001"].cell(OLD, "Total", "Total") == 2


def test_sts001_a_later_request_supersedes_and_the_first_keeps_its_own_outcome():
    rows = [
        req("A", "2024-05-01", "2024-05-02", "Progress to support planning or services"),
        req("A", "2024-05-10", "2024-05-11", INFO),
        svc("A", "2024-05-12", None, COMMUNITY),
    ]
    t = tables(rows)["STS001"]
    assert t.cell(OLD, ROUTE, UTC) == 1  # superseded: own outcome, not the service
    assert t.cell(OLD, ROUTE, S1_COMMUNITY) == 1  # the second request's sequel
    assert "superseded by a new request on 2024-05-10" in t.details[0]["rule"]


def test_sts001_new_client_boundary():
    ended_day_before = [svc("A", "2023-01-01", "2024-04-30", COMMUNITY), req("A", "2024-05-01", "2024-05-02")]
    ends_on_start = [svc("A", "2023-01-01", "2024-05-01", COMMUNITY), req("A", "2024-05-01", "2024-05-02")]
    assert tables(ended_day_before)["STS001"].cell(OLD, "Total", "Total") == 1
    t = tables(ends_on_start)["STS001"]
    assert t.cell(OLD, "Total", "Total") == 0
    assert not t.details[0]["counted"] and "existing client" in t.details[0]["rule"]


def test_sts001_requests_must_end_in_the_period_and_open_ones_do_not_count():
    rows = [
        req("A", "2024-03-25", "2024-03-31"),
        req("B", "2025-03-30", "2025-04-01"),
        req("C", "2025-03-30", "2025-03-31"),
        req("D", "2025-01-01", None, outcome=None),
    ]
    t = tables(rows)["STS001"]
    assert [d["person_id"] for d in t.details] == ["C"]
    assert t.cell(OLD, "Total", "Total") == 1


def test_sts001_age_bands_at_period_end_and_unknown_or_child_not_counted():
    rows = [
        req("A", "2024-05-01", "2024-05-02", dob="1960-03-15"),  # 65 on 31 Mar 2025 (proxy DOB 1 Mar 1960)
        req("B", "2024-05-01", "2024-05-02", dob="1960-04-15"),  # 64 (proxy DOB 1 Apr 1960)
        req("C", "2024-05-01", "2024-05-02", dob=None),
        req("D", "2024-05-01", "2024-05-02", dob="2010-01-01"),
    ]
    t = tables(rows)["STS001"]
    assert t.cell(OLD, ROUTE, S1_UNIVERSAL) == 1
    assert t.cell(YOUNG, ROUTE, S1_UNIVERSAL) == 1
    counted = {d["person_id"]: d["counted"] for d in t.details}
    assert counted == {"A": True, "B": True, "C": False, "D": False}
    assert "age unknown" in next(d["rule"] for d in t.details if d["person_id"] == "C")


def test_sts001_duplicates_across_submissions_latest_version_wins():
    q1 = dict(rps="2024-04-01", rpe="2024-06-30")
    q2 = dict(rps="2024-04-01", rpe="2024-09-30")
    rows = [
        req("A", "2024-06-20", None, outcome=None, **q1),  # open in the first submission
        req("A", "2024-06-20", "2024-07-05", INFO, **q2),  # closed in the next one
        req("B", "2024-05-01", "2024-05-02", INFO, **q1),
        req("B", "2024-05-01", "2024-05-02", INFO, **q2),
    ]  # re-submitted unchanged
    t = tables(rows)["STS001"]
    assert t.cell(OLD, ROUTE, S1_UNIVERSAL) == 2
    assert sorted(d["person_id"] for d in t.details) == ["A", "B"]


def test_person_id_la_id_seen_with_an_nhs_number_is_dropped():
    rows = [
        req("A", "2024-05-01", "2024-05-02", NHS_Number="9434765919"),
        req("A", "2024-08-01", "2024-08-02"),  # no NHS number; LA ID A is linked to one: dropped
        req("B", "2024-08-01", "2024-08-02"),
    ]
    t = tables(rows)
    assert t["STS001"].cell(OLD, "Total", "Total") == 2
    assert sorted(d["person_id"] for d in t["STS001"].details) == ["9434765919", "B"]
    assert any("1 rows were left out" in n for n in t["STS001"].notes)


# -- STS002a / STS002b ------------------------------------------------------------------------------------------


def _stmax_case(after):
    return [
        req("A", "2024-05-01", "2024-05-02", "Progress to reablement/ST-Max"),
        svc("A", "2024-05-03", "2024-05-20", STMAX, "NFA: Support declined"),
        *after,
    ]


def test_sts002a_sequel_window_is_3_days():
    within = tables(_stmax_case([svc("A", "2024-05-23", None, "Short term support: Ongoing low level")]))
    beyond = tables(_stmax_case([svc("A", "2024-05-24", None, "Short term support: Ongoing low level")]))
    assert within["STS002a"].cell("", "Ongoing Low Level Support", OLD) == 1
    declined = "No services provided – needs identified but support declined"
    assert beyond["STS002a"].cell("", declined, OLD) == 1  # own outcome of the ST-Max
    assert beyond["STS002a"].cell("", "Total", "Total") == 1


def test_sts002a_long_term_support_and_only_stmax_that_followed_a_request():
    t = tables(
        [
            *_stmax_case([svc("A", "2024-05-21", None, NURSING)]),
            svc("B", "2024-06-01", "2024-06-20", STMAX, "NFA: Support declined"),
        ]
    )  # B: no request
    assert t["STS002a"].cell("", "Long Term Support (any setting)", OLD) == 1
    assert t["STS002a"].cell("", "Total", "Total") == 1
    assert [d["person_id"] for d in t["STS002a"].details] == ["A"]


def test_sts002a_stmax_rows_a_day_apart_are_one_episode_two_days_are_two():
    one = [
        req("A", "2024-05-01", "2024-05-02", "Progress to reablement/ST-Max"),
        svc("A", "2024-05-03", "2024-05-10", STMAX, "Continuation of support or services"),
        svc("A", "2024-05-11", "2024-05-20", STMAX, INFO),
    ]  # next day: same episode, its outcome is the last one
    t = tables(one)["STS002a"]
    universal = "No Services Provided – Universal Services / signposted to other services"
    assert t.cell("", universal, OLD) == 1 and t.cell("", "Total", "Total") == 1
    assert "(2 rows clustered)" in t.details[0]["unit"]
    two = [*one[:2], svc("A", "2024-05-12", "2024-05-20", STMAX, INFO)]  # a day's gap: two episodes
    t = tables(two)["STS002a"]
    assert t.cell("", "Total", "Total") == 2
    assert t.cell("", UTC, OLD) == 1  # the first is superseded by the second: own outcome unclassifiable
    assert t.cell("", universal, OLD) == 1


def test_sts002b_counts_stmax_of_existing_clients_only():
    rows = [
        svc("A", "2023-01-01", None, COMMUNITY),
        svc("A", "2024-06-01", "2024-06-20", STMAX),
        svc("A", "2024-06-21", "2024-06-30", STMAX),  # 1 day later: same episode
        svc("B", "2024-06-01", "2024-06-20", STMAX),  # new client
        svc("C", "2023-01-01", None, COMMUNITY, dob="1990-01-01"),
        svc("C", "2024-06-01", "2025-04-02", STMAX),
    ]  # ends after the period
    t = tables(rows)["STS002b"]
    assert t.cell("", "ST-Max episodes of existing clients", OLD) == 1
    assert t.cell("", "ST-Max episodes of existing clients", "Total") == 1
    assert {d["person_id"]: d["counted"] for d in t.details} == {"A": True, "B": False}


# -- LTS001a/b/c ------------------------------------------------------------------------------------------------


def test_lts001a_setting_hierarchy_and_psr_rules():
    rows = [
        svc("A", "2024-01-01", None, COMMUNITY, dm="Direct payment", psr="Mental health support"),
        svc("A", "2024-06-01", "2024-07-01", NURSING, psr="Unknown"),
        svc(
            "A", "2024-06-01", "2024-07-01", NURSING, psr="Learning disability support"
        ),  # known beats Unknown
        svc("B", "2024-01-01", None, COMMUNITY, dm="Direct payment", psr="Mental health support"),
        svc("B", "2024-02-01", None, COMMUNITY, dm="CASSR commissioned support", psr="Mental health support"),
        svc("C", "2024-05-01", None, COMMUNITY, psr="Mental health support"),
        svc("C", "2024-05-01", None, COMMUNITY, psr="Learning disability support"),  # conflict: Unknown
        svc("D", "2023-01-01", "2024-03-31", RESIDENTIAL),
    ]  # ended before the period
    t = tables(rows)["LTS001a"]
    assert t.cell(OLD, "Learning disability support", "Nursing") == 1
    assert t.cell(OLD, "Mental health support", "Community: Direct payment") == 1
    assert t.cell(OLD, "Unknown", "Community: delivery mechanism not recorded") == 1
    assert t.cell(OLD, "Total", "Total") == 3
    assert sorted(d["person_id"] for d in t.details) == ["A", "B", "C"]


def test_lts001b_year_end_open_services_and_deaths():
    rows = [
        svc("A", "2024-01-01", "2025-03-31", RESIDENTIAL),  # ends on the last day: at year end
        svc("B", "2024-01-01", "2025-03-30", RESIDENTIAL),  # ended the day before
        svc("C", "2024-01-01", None, RESIDENTIAL, dod="2025-03-01"),  # died before the year end
        svc("E", "2024-01-01", None, COMMUNITY, Has_Unpaid_Carer="Yes", dob="1990-05-05"),
    ]
    t = tables(rows)
    assert t["LTS001a"].cell(OLD, "Total", "Total") == 3
    b = t["LTS001b"]
    assert b.cell(f"By primary support reason: {OLD}", "Total", "Residential") == 1
    assert (
        b.cell(
            f"By support from an unpaid carer: {YOUNG}",
            "Has an unpaid carer",
            "Community: delivery mechanism not recorded",
        )
        == 1
    )
    assert b.cell(f"By gender: {OLD}", "Female", "Total") == 1


def test_lts001c_twelve_months_continuous_support():
    rows = [
        svc("A", "2024-03-31", None, RESIDENTIAL),  # exactly 12 months before 31 Mar 2025
        svc("B", "2024-04-01", None, RESIDENTIAL),  # a day short
        svc("C", "2023-06-01", "2024-05-31", COMMUNITY),
        svc("C", "2024-06-01", None, RESIDENTIAL),  # next day
        svc("D", "2023-06-01", "2024-05-31", COMMUNITY),
        svc("D", "2024-06-02", None, RESIDENTIAL),
    ]  # a day's gap
    t = tables(rows)["LTS001c"]
    assert sorted(d["person_id"] for d in t.details) == ["A", "C"]
    assert t.cell(OLD, "Total", "Residential") == 2


def test_lts_tables_use_the_latest_covering_submission():
    first = dict(rps="2024-04-01", rpe="2025-03-31")
    rows = [
        svc("A", "2024-01-01", None, RESIDENTIAL, **first),
        svc("B", "2024-01-01", None, RESIDENTIAL, **first),
        svc("A", "2024-01-01", None, RESIDENTIAL, rps="2024-07-01", rpe="2025-06-30"),
    ]
    # the later file starts in July 2024, so it does not cover the period: the first file is used
    assert tables(rows)["LTS001b"].cell(f"By primary support reason: {OLD}", "Total", "Total") == 2
    rows[-1] = svc("A", "2024-01-01", None, RESIDENTIAL, rps="2024-04-01", rpe="2025-06-30")
    # now the newer file covers the period and holds only A: B is not counted
    assert tables(rows)["LTS001b"].cell(f"By primary support reason: {OLD}", "Total", "Total") == 1
    quarters = [
        svc("A", "2024-01-01", None, RESIDENTIAL, rps="2024-04-01", rpe="2024-06-30"),
        svc("B", "2024-01-01", None, RESIDENTIAL, rps="2025-01-01", rpe="2025-03-31"),
    ]
    t = tables(quarters)["LTS001b"]  # no file covers the year: latest version of each event, and a note
    assert t.cell(f"By primary support reason: {OLD}", "Total", "Total") == 2
    assert any("No single submission covers the whole period" in n for n in t.notes)


def test_release_1_wording_in_any_case_is_understood():
    rows = [
        req(
            "A",
            "2024-05-01",
            "2024-05-02",
            "nfa - information & advice / signposting only",
            route="Discharge From Hospital",
            client="SERVICE USER",
        ),
        svc(
            "B",
            "2024-01-01",
            None,
            "Long Term Support: Residential Care",
            client="Service User",
            psr="Social Support: Support to Carer",
        ),
    ]
    t = tables(rows)
    assert t["STS001"].cell(OLD, ROUTE, S1_UNIVERSAL) == 1
    assert t["LTS001a"].cell(OLD, "Social support: Support to unpaid carer", "Residential") == 1


# -- LTS002a/b --------------------------------------------------------------------------------------------------


def review(person, start, end, reason, outcome, **kw):
    return dict(
        person=person, type="Review", start=start, end=end, Review_Reason=reason, outcome=outcome, **kw
    )


def test_lts002a_unplanned_reviews_and_planned_reviews_leading_to_a_care_home():
    rows = [
        svc("A", "2023-01-01", "2024-09-30", COMMUNITY),
        review(
            "A",
            "2024-06-01",
            "2024-06-02",
            "Unplanned: Safeguarding concern",
            "Continuation of support or services",
        ),
        review("A", "2024-09-01", "2024-09-02", "Planned", "Progress to support planning or services"),
        svc("A", "2024-10-01", None, NURSING),
        svc("B", "2023-01-01", None, COMMUNITY),
        review("B", "2024-06-01", "2024-06-02", "Planned", "Continuation of support or services"),
        review(
            "B",
            "2024-07-01",
            "2024-07-02",
            "Unplanned: Hospital",
            "NFA: Deceased",
            Method_of_Review="Carer only",
        ),
    ]
    t = tables(rows)["LTS002a"]
    # A is in nursing care at the LTS001 hierarchy, so A's reviews are in the residential or nursing block
    g = f"{OLD}, residential or nursing"
    assert t.cell(g, "Unplanned: Safeguarding concern", "Long term support continued") == 1
    assert t.cell(g, "Total", "Total") == 1  # planned: the client is not in the community
    gc = f"{OLD}, community"
    assert (
        t.cell(gc, "Total", "Total") == 0
    )  # B: planned with no progress outcome, unplanned carer-only review
    assert len(t.details) == 4 and sum(d["counted"] for d in t.details) == 1


def test_lts002a_planned_review_followed_by_admission_for_a_community_client():
    rows = [
        svc("A", "2023-01-01", None, COMMUNITY, psr="Mental health support"),
        review("A", "2024-09-01", "2024-09-02", "Planned", "Progress to support planning or services"),
        dict(svc("A", "2025-04-10", None, RESIDENTIAL)),
    ]  # admission after the period end: not seen
    assert tables(rows)["LTS002a"].cell(f"{OLD}, community", "Total", "Total") == 0
    rows[-1] = svc("A", "2025-03-01", None, RESIDENTIAL, client="Unpaid carer")  # not a service-user service
    assert tables(rows)["LTS002a"].cell(f"{OLD}, community", "Total", "Total") == 0
    rows[-1] = svc("C", "2025-03-01", None, RESIDENTIAL)  # someone else's admission
    assert tables(rows)["LTS002a"].cell(f"{OLD}, community", "Total", "Total") == 0
    rows[0] = svc("A", "2023-01-01", "2025-02-28", COMMUNITY)
    rows[-1] = svc("A", "2025-03-01", None, RESIDENTIAL)
    t = tables(rows)["LTS002a"]
    assert (
        t.cell(f"{OLD}, residential or nursing", "Total", "Total") == 0
    )  # highest setting is now residential
    assert (
        "client's setting Residential or nursing; not counted: planned reviews count only"
        in t.details[0]["rule"]
    )


def test_lts002b_uses_the_twelve_month_cohort():
    rows = [
        svc("A", "2023-01-01", None, COMMUNITY),
        svc("B", "2024-06-01", None, COMMUNITY),
        review(
            "A", "2024-06-01", "2024-06-02", "Unplanned: Provider failure", "Progress to reablement/ST-Max"
        ),
        review(
            "B", "2024-08-01", "2024-08-02", "Unplanned: Provider failure", "Progress to reablement/ST-Max"
        ),
        review("A", "2024-09-01", "2024-09-02", "Planned", "Progress to assessment, review or reassessment"),
    ]
    t = tables(rows)
    gc = f"{OLD}, community"
    assert t["LTS002a"].cell(gc, "Unplanned: Provider failure", "Progress to reablement/ST-Max") == 2
    assert t["LTS002a"].cell(gc, "Planned review", "Total") == 0  # no care home admission followed
    assert t["LTS002b"].cell(gc, "Unplanned: Provider failure", "Progress to reablement/ST-Max") == 1
    assert t["LTS002b"].cell(gc, "Planned review", "Further assessment or support planning") == 1


# -- LTS003 -----------------------------------------------------------------------------------------------------


def test_lts003_carer_support_hierarchy_and_carer_age_bands():
    carer = dict(client="Unpaid carer")
    rows = [
        asm("K1", "2024-05-01", "2024-05-10", INFO, dob="1960-01-01", **carer),
        svc(
            "K1",
            "2024-06-01",
            None,
            "Unpaid carer support: Direct to unpaid carer",
            dm="Direct payment",
            dob="1960-01-01",
            **carer,
        ),
        asm("K2", "2024-05-01", "2024-05-10", INFO, dob="2000-01-01", **carer),  # 25 on 31 Mar 2025
        asm("K3", "2024-05-01", "2024-05-10", "NFA: Support declined", dob=None, **carer),
        svc(
            "K4",
            "2024-06-01",
            None,
            "Unpaid carer support: Direct to unpaid carer",
            dob="1930-01-01",
            **carer,
        ),  # no delivery mechanism; aged 95
        asm("K5", "2024-03-01", "2024-03-10", INFO, **carer),  # ended before the period
        asm("S", "2024-05-01", "2024-05-10", INFO),
    ]  # a service user, not a carer
    t = tables(rows)["LTS003"]
    assert t.cell("", "Direct Payment only", "65 to 84") == 1  # 65 on 31 Mar 2025: DP outranks the advice
    assert t.cell("", "Information, Advice and Other Universal Services / Signposting", "18 to 25") == 1
    assert t.cell("", "No Direct Support Provided to Carer", "Age unknown") == 1
    assert t.cell("", "Support Direct to Carer: Unknown Delivery Mech", "85 and over") == 1
    assert t.cell("", "Total", "Total") == 4


# -- LTS004 -----------------------------------------------------------------------------------------------------


def test_lts004_learning_disability_working_age_latest_status():
    ld = dict(psr="Learning disability support", dob="1990-01-01")
    rows = [
        svc(
            "A",
            "2023-01-01",
            "2024-06-30",
            COMMUNITY,
            accom="Registered care home",
            Employment_Status="Unknown",
            **ld,
        ),
        svc(
            "A",
            "2024-07-01",
            None,
            COMMUNITY,
            accom="Tenant: Private landlord",
            Employment_Status="Paid: Less than 16 hours a week",
            **ld,
        ),
        svc(
            "B",
            "2024-01-01",
            None,
            RESIDENTIAL,
            accom="Registered care home",
            Gender="Male",
            Employment_Status=None,
            **ld,
        ),
        svc(
            "C",
            "2024-01-01",
            None,
            COMMUNITY,
            accom="Tenant: Private landlord",
            psr="Learning disability support",
            dob="1950-01-01",
        ),  # 75: not working age
        svc(
            "D",
            "2024-01-01",
            None,
            COMMUNITY,
            accom="Tenant: Private landlord",
            psr="Mental health support",
            dob="1990-01-01",
        ),
        svc("E", "2024-01-01", None, "Long term support: Prison", **ld),
    ]  # prison not included
    t = tables(rows)["LTS004"]
    assert t.cell("Accommodation: settled (SALT table 2a)", "Tenant: Private landlord", "Female") == 1
    assert t.cell("Accommodation: unsettled (SALT table 2b)", "Registered care home", "Male") == 1
    assert t.cell("Employment status", "Paid: Less than 16 hours a week", "Female") == 1
    assert t.cell("Employment status", "Not recorded or not in the list", "Male") == 1
    assert t.cell("Employment status", "Total", "Total") == 2


# -- output shape ------------------------------------------------------------------------------------------------


def test_json_shape_and_every_table_has_notes():
    t = tables([req("A", "2024-05-01", "2024-05-02")])
    out = salt_json(t, PS, PE)
    assert out["period"] == {"start": "2024-04-01", "end": "2025-03-31"}
    assert list(out["tables"]) == [
        "STS001",
        "STS002a",
        "STS002b",
        "LTS001a",
        "LTS001b",
        "LTS001c",
        "LTS002a",
        "LTS002b",
        "LTS003",
        "LTS004",
    ]
    sts = out["tables"]["STS001"]
    assert set(sts) == {"title", "unit", "counted", "columns", "rows", "notes"}
    assert sts["counted"] == 1  # the headline: the one request
    first = next(r for r in sts["rows"] if r["label"] == ROUTE and r["group"] == OLD)
    assert first["cells"][sts["columns"].index(S1_UNIVERSAL)] == 1 and first["cells"][-1] == 1
    assert all(len(v["notes"]) >= 3 for v in out["tables"].values())


# -- command line ------------------------------------------------------------------------------------------------


def test_cli_json_csv_and_detail(tmp_path, capsys):
    import csv
    import json

    from openasc.reporting.engine.cli import salt_main
    from openasc.reporting.engine.schema import CLD_COLUMNS

    path = tmp_path / "cld.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow([c[0] for c in CLD_COLUMNS])
        base = dict.fromkeys([c[0] for c in CLD_COLUMNS], "")
        base.update(
            {
                "Reporting Period Start Date": "2024-04-01",
                "Reporting Period End Date": "2025-03-31",
                "Client Type": "Service user",
                "Date of Birth": "1950-01-01",
                "Event Type": "Request",
                "Event Start Date": "2024-05-01",
                "Event End Date": "2024-05-02",
                "Event Outcome": INFO,
                "Request: Route of Access": ROUTE,
            }
        )
        for pid in ("A", "B"):
            w.writerow([{**base, "LA Person Unique Identifier": pid}[c[0]] for c in CLD_COLUMNS])
    assert (
        salt_main(["--cld", str(path), "--period", "2024-04-01:2025-03-31", "--detail", str(tmp_path / "d")])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    sts = out["tables"]["STS001"]
    row = next(r for r in sts["rows"] if r["group"] == OLD and r["label"] == ROUTE)
    assert row["cells"][sts["columns"].index(S1_UNIVERSAL)] == 2
    detail = (tmp_path / "d" / "salt_STS001.csv").read_text().splitlines()
    # the LA person id, not the NHS number, unless --with-nhs-numbers
    assert detail[0] == "la_person_id,la_code,unit,group,row,column,counted,rule" and len(detail) == 3
    assert salt_main(["--cld", str(path), "--period", "2024-04-01:2025-03-31", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "table,group,row,column,count"
    assert f"STS001,{OLD},{ROUTE},{S1_UNIVERSAL},2" in lines
    assert salt_main(["--cld", str(path), "--period", "2025-03-31:2024-04-01"]) == 2
    assert "end is before its start" in capsys.readouterr().err
