"""The safeguarding pages: a concern and an enquiry (views.py), the lead's queues and dashboard (dashboard.py), and
the Safeguarding Adults Collection with the people behind each figure (sac_views.py)."""

from openasc.safeguarding import dashboard, sac_views, views

app_name = "safeguarding"

urlpatterns = [*views.urlpatterns, *dashboard.urlpatterns, *sac_views.urlpatterns]
