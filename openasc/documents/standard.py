"""The standard letters every council starts with (loaded by migration 0002; the council then edits them on the
letter templates page). Kept here so that tests which empty the tables can load them again (`load`)."""

LETTERS = [
    {
        "key": "assessment-outcome",
        "name": "Your assessment outcome",
        "about": "assessment",
        "subject": "Your assessment outcome",
        "body": (
            "Dear {first_name}\n\n"
            "Thank you for talking with us about your care and support. We completed your assessment on "
            "{assessment_date}.\n\n"
            "{assessment_outcome}\n\n"
            "The needs we agreed you need help with are:\n{eligible_needs}\n\n"
            "What happens next: your worker will contact you to plan how these needs will be met, and to agree "
            "your personal budget.\n\n"
            "If you disagree with the outcome, or anything in this letter is wrong, please contact us and quote "
            "your reference, {person_number}.\n\n"
            "Yours sincerely\n\n"
            "{worker_name}\n{council_name}"
        ),
    },
    {
        "key": "care-and-support-plan",
        "name": "Your care and support plan",
        "about": "plan",
        "subject": "Your care and support plan",
        "body": (
            "Dear {first_name}\n\n"
            "This letter is about the care and support plan we have agreed with you. It starts on {plan_start}.\n\n"
            "Your personal budget is {plan_budget}. This is the amount of money it costs to meet your eligible "
            "needs.\n\n"
            "How your needs will be met:\n{how_needs_are_met}\n\n"
            "A copy of your full plan is with this letter. We will review it with you by {review_due}, or sooner "
            "if your needs change.\n\n"
            "If anything is not right, please contact us and quote your reference, {person_number}.\n\n"
            "Yours sincerely\n\n"
            "{worker_name}\n{council_name}"
        ),
    },
    {
        "key": "review-due",
        "name": "Your review is due",
        "about": "review",
        "subject": "Your review is due",
        "body": (
            "Dear {first_name}\n\n"
            "Your care and support plan is due to be reviewed by {review_due}. A review is a chance to talk about "
            "how your support is going, what is working and what is not, and whether anything needs to change.\n\n"
            "We will contact you to arrange a time. You can have a family member, a friend or an advocate with "
            "you.\n\n"
            "If you would like to talk to us before then, please contact us and quote your reference, "
            "{person_number}.\n\n"
            "Yours sincerely\n\n"
            "{worker_name}\n{council_name}"
        ),
    },
]


def load(model) -> None:
    """Add the standard letters to `model` (the LetterTemplate model, or its historical version in a migration)."""
    for letter in LETTERS:
        model.objects.update_or_create(key=letter["key"], defaults=letter)
