from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "openasc.workspace"
    label = "workspace"
    verbose_name = "My work: caseloads, team queues, the manager's view"
