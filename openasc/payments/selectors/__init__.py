"""Reads for provider payments: which schedule pays a service, what each provider is expected to be paid for a
period, invoices and how their lines match the services, payments made, and NHS contributions."""
