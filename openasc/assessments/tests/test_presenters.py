"""The assessment presenters on unsaved objects: the task list's statuses and last step, and the summary rows."""

import datetime as dt

from openasc.assessments import presenters, sections, selectors
from openasc.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from openasc.core.models import User


def unsaved(status=AssessmentStatus.IN_PROGRESS, **kwargs) -> Assessment:
    return Assessment(
        pk=7,
        kind=AssessmentKind.NEEDS,
        status=status,
        started_on=dt.date(2026, 9, 1),
        assessment_type="Long term assessment",
        method="",
        assessor=User(username="ann", first_name="Ann", last_name="Lee"),
        **kwargs,
    )


def items(status: str):
    return [selectors.TaskItem(s, status) for s in sections.for_kind(AssessmentKind.NEEDS)]


def last_step(groups):
    assert groups[-1]["title"] == "Complete"
    return groups[-1]["items"][0]


def test_each_section_status_reads_as_the_task_list_pattern_says():
    assert presenters.section_status(selectors.COMPLETED) == {"text": "Completed"}
    assert presenters.section_status(selectors.IN_PROGRESS)["tag"]["text"] == "In progress"
    assert presenters.section_status(selectors.NOT_STARTED)["tag"]["text"] == "Not started"


def test_the_last_step_opens_only_when_every_section_is_done_and_the_assessment_is_in_progress():
    step = last_step(presenters.task_groups(unsaved(), items(selectors.COMPLETED)))
    assert step["href"] == "/assessments/7/complete" and step["hint"] is None
    one_left = items(selectors.COMPLETED)
    one_left[-1] = selectors.TaskItem(one_left[-1].section, selectors.IN_PROGRESS)
    step = last_step(presenters.task_groups(unsaved(), one_left))
    assert step["href"] is None and step["status"]["text"] == "Cannot start yet"


def test_a_finished_or_cancelled_assessment_says_which_in_its_last_step():
    done = items(selectors.COMPLETED)
    assert last_step(presenters.task_groups(unsaved(AssessmentStatus.COMPLETED), done))["status"] == {
        "text": "Completed"
    }
    cancelled = last_step(presenters.task_groups(unsaved(AssessmentStatus.CANCELLED), done))
    assert cancelled["status"] == {"text": "Cancelled"} and cancelled["href"] is None


def test_sections_are_grouped_in_order_with_links():
    groups = presenters.task_groups(unsaved(), items(selectors.NOT_STARTED))
    first = groups[0]["items"][0]
    assert first["title"] == {"text": sections.for_kind(AssessmentKind.NEEDS)[0].title}
    assert first["href"] == f"/assessments/7/{sections.for_kind(AssessmentKind.NEEDS)[0].key}"


def test_summary_rows_show_the_reason_only_for_a_cancelled_assessment():
    def keys(rows):
        return [r["key"]["text"] for r in rows]

    rows = presenters.summary_rows(unsaved())
    assert keys(rows) == ["Status", "Type", "Method", "Started", "Assessor"]
    assert rows[2]["value"]["text"] == "Not recorded" and rows[3]["value"]["text"] == "1 September 2026"
    assert "Why it was cancelled" not in keys(presenters.summary_rows(unsaved(), cancel_reason="Ignored"))
    rows = presenters.summary_rows(unsaved(AssessmentStatus.CANCELLED), cancel_reason="Wrong record")
    assert rows[-1] == {"key": {"text": "Why it was cancelled"}, "value": {"text": "Wrong record"}}
    assert rows[0]["value"]["text"] == "Cancelled"
    completed = unsaved(
        AssessmentStatus.COMPLETED, completed_on=dt.date(2026, 9, 20), eligible=False, outcome="NFA: Deceased"
    )
    assert keys(presenters.summary_rows(completed))[-3:] == ["Completed", "Eligibility", "Outcome"]
    assert presenters.summary_rows(completed)[-2]["value"]["text"] == "Not eligible"
