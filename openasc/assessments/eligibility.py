"""The Care and Support (Eligibility Criteria) Regulations 2015 (SI 2015/313), as data and one decision function.

Source: legislation.gov.uk/uksi/2015/313/made, regulations 2 (adults) and 3 (carers); specs/national-data.md §4.
Fluctuating needs (regs 2(4), 3(4)) are not modelled here: the assessor records them in the outcome notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Reg 2(2): the ten outcomes for adults who need care and support.
ADULT_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("nutrition", "Managing and maintaining nutrition"),
    ("hygiene", "Maintaining personal hygiene"),
    ("toilet", "Managing toilet needs"),
    ("clothing", "Being appropriately clothed"),
    ("home_safety", "Being able to make use of the home safely"),
    ("habitable_home", "Maintaining a habitable home environment"),
    ("relationships", "Developing and maintaining family or other personal relationships"),
    ("work_education", "Accessing and engaging in work, training, education or volunteering"),
    (
        "community",
        "Making use of necessary facilities or services in the local community, including public "
        "transport and recreational facilities or services",
    ),
    ("caring_for_child", "Carrying out any caring responsibilities the adult has for a child"),
)

# Reg 3(2)(b): the eight outcomes for carers.
CARER_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("caring_for_child", "Carrying out any caring responsibilities the carer has for a child"),
    ("caring_for_others", "Providing care to other persons for whom the carer provides care"),
    ("habitable_home", "Maintaining a habitable home environment in the carer's home"),
    ("nutrition", "Managing and maintaining nutrition"),
    ("relationships", "Developing and maintaining family or other personal relationships"),
    ("work_education", "Engaging in work, training, education or volunteering"),
    (
        "community",
        "Making use of necessary facilities or services in the local community, including recreational "
        "facilities or services",
    ),
    ("recreation", "Engaging in recreational activities"),
)

# Reg 2(3) / 3(3): the ways in which a person is "unable to achieve" an outcome. Carers have no (d).
LIMBS: tuple[tuple[str, str], ...] = (
    ("a", "Unable to achieve it without assistance"),
    ("b", "Able to achieve it without assistance, but doing so causes significant pain, distress or anxiety"),
    (
        "c",
        "Able to achieve it without assistance, but doing so endangers or is likely to endanger the health or "
        "safety of the person or of others",
    ),
    (
        "d",
        "Able to achieve it without assistance, but it takes significantly longer than would normally be expected",
    ),
)
CARER_LIMBS = ("a", "b", "c")


@dataclass(frozen=True)
class OutcomeAnswer:
    code: str
    limbs: frozenset[str] = frozenset()  # empty = can achieve the outcome


@dataclass
class Determination:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    unable: list[str] = field(default_factory=list)  # outcome codes the person cannot achieve


def _labels(outcomes) -> dict[str, str]:
    return dict(outcomes)


def determine_adult(
    *, impairment_or_illness: bool, answers: list[OutcomeAnswer], significant_wellbeing_impact: bool
) -> Determination:
    """Reg 2(1): eligible if (a) needs arise from an impairment or illness, (b) unable to achieve two or more of the
    ten outcomes, and (c) as a consequence there is or is likely to be a significant impact on wellbeing."""
    labels = _labels(ADULT_OUTCOMES)
    unable = [a.code for a in answers if a.code in labels and a.limbs & {"a", "b", "c", "d"}]
    reasons = []
    c1 = impairment_or_illness
    reasons.append(
        "The needs arise from or are related to a physical or mental impairment or illness."
        if c1
        else "The needs do not arise from a physical or mental impairment or illness."
    )
    c2 = len(unable) >= 2
    if unable:
        reasons.append(
            f"Unable to achieve {len(unable)} of the 10 outcomes: "
            + "; ".join(labels[c].lower() for c in unable)
            + "."
        )
    else:
        reasons.append("Able to achieve all of the 10 outcomes.")
    if not c2 and unable:
        reasons.append("Two or more outcomes must be unachievable for the needs to be eligible.")
    c3 = significant_wellbeing_impact
    reasons.append(
        "As a consequence there is, or is likely to be, a significant impact on wellbeing."
        if c3
        else "There is not a significant impact on wellbeing."
    )
    return Determination(eligible=c1 and c2 and c3, reasons=reasons, unable=unable)


def determine_carer(
    *,
    needs_from_necessary_care: bool,
    health_at_risk: bool,
    answers: list[OutcomeAnswer],
    significant_wellbeing_impact: bool,
) -> Determination:
    """Reg 3(1): eligible if (a) needs arise from providing necessary care for an adult, (b) the carer's physical or
    mental health is, or is at risk of, deteriorating, or they are unable to achieve any of the eight outcomes, and
    (c) as a consequence there is or is likely to be a significant impact on wellbeing."""
    labels = _labels(CARER_OUTCOMES)
    unable = [a.code for a in answers if a.code in labels and a.limbs & set(CARER_LIMBS)]
    reasons = []
    c1 = needs_from_necessary_care
    reasons.append(
        "The needs arise from providing necessary care for an adult."
        if c1
        else "The needs do not arise from providing necessary care for an adult."
    )
    if health_at_risk:
        reasons.append("The carer's physical or mental health is, or is at risk of, deteriorating.")
    if unable:
        reasons.append(
            f"Unable to achieve {len(unable)} of the 8 carer outcomes: "
            + "; ".join(labels[c].lower() for c in unable)
            + "."
        )
    if not health_at_risk and not unable:
        reasons.append("The carer's health is not at risk and they can achieve all of the 8 outcomes.")
    c2 = health_at_risk or bool(unable)
    c3 = significant_wellbeing_impact
    reasons.append(
        "As a consequence there is, or is likely to be, a significant impact on wellbeing."
        if c3
        else "There is not a significant impact on wellbeing."
    )
    return Determination(eligible=c1 and c2 and c3, reasons=reasons, unable=unable)
