"""Writes: record a capacity assessment, a best-interests decision, a Care Act s.67 advocacy judgement, an IMCA
referral, and consent to share information.

Each service takes the record as opened (`access.OpenedRecord`), checks every field and raises `ValidationFailed`
with every field's error at once before writing anything, then writes inside `transaction.atomic()` and audits the
write against the person. The audit trail says which kind of record, its outcome or basis and its links, never what
was written in it (the evidence, the wishes, the decision in words).

The rules, from the Mental Capacity Act 2005 and the Care Act 2014:
- capacity is presumed (s.1(2)); a person lacks capacity for a decision only if they cannot understand, retain, use or
  weigh the information or communicate their decision (s.3) *because of* an impairment of, or a disturbance in the
  functioning of, the mind or brain (s.2(1)). So "lacks capacity" needs stage 1 yes, at least one ability no and the
  causative nexus yes; "has capacity" needs stage 1 no, all four abilities yes, or the nexus no (the inability is not
  because of an impairment, so the presumption stands);
- a best-interests decision is made only for a decision the person was assessed as lacking capacity to make (s.4);
- the s.67 duty to arrange an independent advocate arises when the person would have substantial difficulty in any of
  the four areas AND there is no appropriate individual to support them; the service derives it;
- an IMCA is instructed for a person who lacks capacity for the decision, and (except in safeguarding) has no one
  appropriate to consult other than paid carers (ss.37-39);
- information shared without consent needs its basis: best interests rests on an assessment that found the person
  lacks capacity, an overriding public or vital interest needs its reason.
"""

from openasc.capacity.services._common import REFUSED, can_record, capacity_records_move
from openasc.capacity.services.advocacy import advocacy_record, imca_referral_record, s67_duty
from openasc.capacity.services.capacity import (
    best_interests_record,
    capacity_assessment_record,
    outcome_errors,
    parse_consulted,
    parse_options,
)
from openasc.capacity.services.consent import consent_record

__all__ = [
    "REFUSED",
    "advocacy_record",
    "best_interests_record",
    "can_record",
    "capacity_assessment_record",
    "capacity_records_move",
    "consent_record",
    "imca_referral_record",
    "outcome_errors",
    "parse_consulted",
    "parse_options",
    "s67_duty",
]
