"""/finance/: budgets and forecasts (urls_budgets), rate uplifts (urls_uplifts), spend (urls_spend)."""

from openasc.finance.urls_budgets import urlpatterns as budgets
from openasc.finance.urls_spend import urlpatterns as spend
from openasc.finance.urls_uplifts import urlpatterns as uplifts

app_name = "finance"
urlpatterns = [*budgets, *uplifts, *spend]
