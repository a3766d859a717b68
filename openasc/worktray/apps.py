from django.apps import AppConfig


class WorktrayConfig(AppConfig):
    name = "openasc.worktray"
    label = "worktray"
    verbose_name = "Worktray: each user's and each team's tasks, and notifications"

    def ready(self):
        from openasc.core import subjects

        subjects.register("task_id", "worktray.Task")  # a refusal of its pages is audited against its person

        from openasc.core import workflow
        from openasc.worktray.services import listeners

        workflow.listen(listeners.on_event)
