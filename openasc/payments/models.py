"""Provider payments (docs/finance.md): payment schedules, providers' invoices matched against the services, approval,
payment runs and remittances, credit notes, and NHS contributions to services."""
