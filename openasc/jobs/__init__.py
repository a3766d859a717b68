"""Background jobs: long work (the CLD import and export) runs in `openasc worker`, not in the web request.

The queue is django-tasks with its database backend (docs/adr/0012-background-jobs.md); what users see and who may
see it is the ``Job`` record here, so pages and permissions do not depend on the library's internals.
"""
