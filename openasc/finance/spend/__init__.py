"""Gross spend for a financial year (docs/uplifts-and-spend.md): by CLD service type, client group, age band and
setting, with people, services and unit costs, every figure opening its services. Worked out from the services and
their cost versions by `finance.costing`, as commitments and forecasts are, so the figures always agree."""
