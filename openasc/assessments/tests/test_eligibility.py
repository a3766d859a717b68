"""The three-condition test (SI 2015/313 regs 2 and 3) on both sides of every boundary."""

import pytest

from openasc.assessments.eligibility import (
    ADULT_OUTCOMES,
    CARER_OUTCOMES,
    OutcomeAnswer,
    determine_adult,
    determine_carer,
)


def unable(*codes, limbs=("a",)):
    return [OutcomeAnswer(code=c, limbs=frozenset(limbs)) for c in codes]


def test_ten_adult_and_eight_carer_outcomes():
    assert len(ADULT_OUTCOMES) == 10 and len(CARER_OUTCOMES) == 8


def test_adult_one_outcome_unable_is_not_eligible():
    result = determine_adult(
        impairment_or_illness=True, answers=unable("nutrition"), significant_wellbeing_impact=True
    )
    assert result.eligible is False
    assert result.unable == ["nutrition"]
    assert "Two or more outcomes must be unachievable for the needs to be eligible." in result.reasons


def test_adult_two_outcomes_unable_is_eligible():
    result = determine_adult(
        impairment_or_illness=True, answers=unable("nutrition", "hygiene"), significant_wellbeing_impact=True
    )
    assert result.eligible is True
    assert result.reasons[1] == (
        "Unable to achieve 2 of the 10 outcomes: managing and maintaining nutrition; "
        "maintaining personal hygiene."
    )


@pytest.mark.parametrize("limb", ["a", "b", "c", "d"])
def test_adult_any_limb_counts_including_taking_longer(limb):
    result = determine_adult(
        impairment_or_illness=True,
        answers=unable("nutrition", "toilet", limbs=[limb]),
        significant_wellbeing_impact=True,
    )
    assert result.eligible is True


def test_adult_outcome_achieved_has_no_limbs():
    answers = [OutcomeAnswer("nutrition"), OutcomeAnswer("hygiene"), *unable("toilet")]
    assert (
        determine_adult(
            impairment_or_illness=True, answers=answers, significant_wellbeing_impact=True
        ).eligible
        is False
    )


def test_adult_condition_one_false_is_not_eligible():
    result = determine_adult(
        impairment_or_illness=False, answers=unable("nutrition", "hygiene"), significant_wellbeing_impact=True
    )
    assert result.eligible is False
    assert result.reasons[0] == "The needs do not arise from a physical or mental impairment or illness."


def test_adult_condition_three_false_is_not_eligible():
    result = determine_adult(
        impairment_or_illness=True, answers=unable("nutrition", "hygiene"), significant_wellbeing_impact=False
    )
    assert result.eligible is False
    assert result.reasons[-1] == "There is not a significant impact on wellbeing."


def test_adult_unknown_codes_do_not_count():
    result = determine_adult(
        impairment_or_illness=True,
        answers=unable("nutrition", "recreation"),
        significant_wellbeing_impact=True,
    )
    assert result.eligible is False  # 'recreation' is a carer outcome only


def test_carer_no_outcome_and_health_not_at_risk_is_not_eligible():
    result = determine_carer(
        needs_from_necessary_care=True, health_at_risk=False, answers=[], significant_wellbeing_impact=True
    )
    assert result.eligible is False
    assert "The carer's health is not at risk and they can achieve all of the 8 outcomes." in result.reasons


def test_carer_one_outcome_unable_is_eligible():
    result = determine_carer(
        needs_from_necessary_care=True,
        health_at_risk=False,
        answers=unable("recreation"),
        significant_wellbeing_impact=True,
    )
    assert result.eligible is True
    assert result.unable == ["recreation"]


def test_carer_health_at_risk_alone_is_eligible():
    result = determine_carer(
        needs_from_necessary_care=True, health_at_risk=True, answers=[], significant_wellbeing_impact=True
    )
    assert result.eligible is True
    assert "The carer's physical or mental health is, or is at risk of, deteriorating." in result.reasons


def test_carer_limb_d_does_not_count():
    result = determine_carer(
        needs_from_necessary_care=True,
        health_at_risk=False,
        answers=unable("recreation", limbs=["d"]),
        significant_wellbeing_impact=True,
    )
    assert result.eligible is False
    assert result.unable == []


def test_carer_condition_one_false_is_not_eligible():
    result = determine_carer(
        needs_from_necessary_care=False,
        health_at_risk=True,
        answers=unable("recreation"),
        significant_wellbeing_impact=True,
    )
    assert result.eligible is False
    assert result.reasons[0] == "The needs do not arise from providing necessary care for an adult."


def test_carer_condition_three_false_is_not_eligible():
    result = determine_carer(
        needs_from_necessary_care=True,
        health_at_risk=True,
        answers=unable("recreation"),
        significant_wellbeing_impact=False,
    )
    assert result.eligible is False
