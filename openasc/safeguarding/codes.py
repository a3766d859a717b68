"""The Safeguarding Adults Collection's categories, as the national strings (specs/data/sac_categories.csv), and the
choices of a concern's decision. Every string the SAC counts is one of these; the model fields store them as they
are, so a row of the record is a row of the return with no translation.

Where the national material is silent (the label of the "age unknown" column, SG2d, the local sub-types of a source
of risk, whether SG2e covers both "Risk identified" outcomes) the choice made here is named in
docs/safeguarding.md and, for the local sub-types, held as reference data a council sets (LocalSourceType)."""

from __future__ import annotations

from django.db import models


class National(models.TextChoices):
    """A national list: each value is the collection's own string, and what a form or page shows is that string too
    (Django would otherwise make a label from the member's name, "Identified Action")."""

    @property
    def label(self) -> str:
        return self.value


class TypeOfRisk(National):
    """SG2a rows (the order of the return)."""

    PHYSICAL = "Physical Abuse"
    SEXUAL = "Sexual Abuse"
    PSYCHOLOGICAL = "Psychological Abuse"
    FINANCIAL = "Financial or Material Abuse"
    DISCRIMINATORY = "Discriminatory Abuse"
    ORGANISATIONAL = "Organisational Abuse"
    NEGLECT = "Neglect and Acts of Omission"
    DOMESTIC = "Domestic Abuse"
    SEXUAL_EXPLOITATION = "Sexual Exploitation"
    MODERN_SLAVERY = "Modern Slavery"
    SELF_NEGLECT = "Self-Neglect"


class LocationOfRisk(National):
    """SG2b rows."""

    OWN_HOME = "Own Home"
    COMMUNITY = "In the Community"
    COMMUNITY_SERVICE = "Community Service"
    CARE_HOME_NURSING = "Care Home - Nursing"
    CARE_HOME_RESIDENTIAL = "Care Home - Residential"
    HOSPITAL_ACUTE = "Hospital - Acute"
    HOSPITAL_MENTAL_HEALTH = "Hospital - Mental Health"
    HOSPITAL_COMMUNITY = "Hospital - Community"
    OTHER = "Other"


class SourceOfRisk(National):
    """SG2a and SG2b columns. Service Provider: anyone paid, contracted or commissioned to provide social care,
    however funded; not the staff who assess and manage care (council, NHS trusts, GPs), who are Other."""

    SERVICE_PROVIDER = "Service Provider"
    KNOWN = "Other - Known to individual"
    UNKNOWN = "Other - Unknown to individual"


class RiskAssessmentOutcome(National):
    """SG2c."""

    IDENTIFIED_ACTION = "Risk identified and action taken"
    IDENTIFIED_NO_ACTION = "Risk identified and no action taken"
    INCONCLUSIVE_ACTION = "Risk Assessment inconclusive and action taken"
    INCONCLUSIVE_NO_ACTION = "Risk Assessment inconclusive and no action taken"
    NONE_ACTION = "No risk identified and action taken"
    NONE_NO_ACTION = "No risk identified and no action taken"
    CEASED = "Enquiry ceased at individual's request and no action taken"


# SG2e is asked where a risk was identified: both "Risk identified" outcomes (national wording NOT FOUND; this
# follows the Hackney recording form, docs/safeguarding.md).
RISK_IDENTIFIED = frozenset(
    {RiskAssessmentOutcome.IDENTIFIED_ACTION, RiskAssessmentOutcome.IDENTIFIED_NO_ACTION}
)


class RiskOutcome(National):
    """SG2e."""

    REMAINED = "Risk remained"
    REDUCED = "Risk reduced"
    REMOVED = "Risk removed"


class LackedCapacity(National):
    """SG3a."""

    YES = "Yes, they lacked capacity"
    NO = "No, they did not lack capacity"
    DONT_KNOW = "Don't know"
    NOT_RECORDED = "Not recorded"


class MspAsked(National):
    """SG4a: was the adult or their representative asked about the outcomes they wanted."""

    EXPRESSED = "Yes they were asked and outcomes were expressed"
    NOT_EXPRESSED = "Yes they were asked but no outcomes were expressed"
    NO = "No"
    DONT_KNOW = "Don't Know"
    NOT_RECORDED = "Not Recorded"


class MspAchieved(National):
    """SG4a, of the enquiries where outcomes were expressed."""

    FULLY = "Fully Achieved"
    PARTIALLY = "Partially Achieved"
    NOT = "Not Achieved"


class EnquiryKind(models.TextChoices):
    SECTION_42 = "s42", "Section 42 enquiry"
    OTHER = "other", "Other safeguarding enquiry"


class ConcernDecision(models.TextChoices):
    """What the safeguarding manager decided about a concern."""

    SECTION_42 = "s42", "Section 42 enquiry"
    OTHER_ENQUIRY = "other", "Other safeguarding enquiry"
    NO_ENQUIRY = "none", "No enquiry"


class NoEnquiryOutcome(models.TextChoices):
    INFORMATION_AND_ADVICE = "information_and_advice", "Information and advice"
    REFERRAL_ELSEWHERE = "referral_elsewhere", "Referral to another service or agency"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class Consent(models.TextChoices):
    """The adult's consent to the concern being shared and acted on."""

    GIVEN = "given", "The adult consented"
    REFUSED_RESPECTED = "refused", "The adult refused, and this was respected"
    OVERRIDDEN = "overridden", "The adult refused or could not be asked, and this was overridden"
    NOT_ASKED = "not_asked", "Not yet asked"
    LACKS_CAPACITY = "lacks_capacity", "The adult lacks capacity to consent (best interests)"


class HarmPersonKnown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class ReferrerKind(models.TextChoices):
    SELF = "self", "The adult themselves"
    FAMILY = "family", "Family member, friend or neighbour"
    SOCIAL_CARE = "social_care", "Council social care staff"
    PROVIDER = "provider", "Care provider"
    HEALTH = "health", "Health (NHS)"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    OTHER_PROFESSIONAL = "professional", "Other professional"
    ANONYMOUS = "anonymous", "Anonymous"


class Agency(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation"
    FIRE = "fire", "Fire and rescue"
    PROVIDER = "provider", "Care provider"
    CQC = "cqc", "Care Quality Commission"
    OTHER = "other", "Other agency"


class SharingBasis(models.TextChoices):
    """The lawful basis on which another agency's information was shared (UK GDPR and the Care Act)."""

    CONSENT = "consent", "The adult's consent"
    VITAL_INTERESTS = "vital_interests", "Vital interests (a risk to life or of serious harm)"
    PUBLIC_TASK = "public_task", "Public task: the council's safeguarding duty (Care Act s.42)"
    CRIME = "crime", "Prevention or detection of crime"
    LEGAL_OBLIGATION = "legal_obligation", "A legal obligation or court order"


class MeetingKind(models.TextChoices):
    DISCUSSION = "discussion", "Strategy discussion"
    MEETING = "meeting", "Strategy meeting"
    CASE_CONFERENCE = "case_conference", "Case conference"


class Autism(models.TextChoices):
    """SG1e's two mandatory health conditions (the longer voluntary list is NOT FOUND)."""

    NONE = "", "Neither recorded"
    AUTISM = (
        "Learning, Developmental or Intellectual Disability (Autism excluding Asperger's Syndrome/ High "
        "Functioning Autism)",
        "Autism (excluding Asperger's syndrome or high-functioning autism)",
    )
    ASPERGERS = (
        "Learning, Developmental or Intellectual Disability (Asperger's Syndrome/ High Functioning Autism)",
        "Asperger's syndrome or high-functioning autism",
    )


class SarOutcome(models.TextChoices):
    DIED = "died", "Suffered serious harm and died"
    SURVIVED = "survived", "Suffered serious harm and survived"
