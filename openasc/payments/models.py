"""Provider payments (docs/payments.md): payment schedules (reference data), providers' invoices and credit notes
with their lines, electronic call monitoring (ECM) visits, a finance officer's adjustments, payments made by a payment
run and their lines, and NHS contributions to services (joint funding, funded nursing care).

What a provider is expected to be paid is never stored: it is worked out from the services and their cost versions
(`openasc.finance.costing`), like every other money figure. What was paid is stored, once: a payment row is unique
per provider, schedule and period. Amounts are integer pence; a credit note's lines are stored as typed (positive)
and count negatively (`Invoice.signed_total_pence`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openasc.core import audit
from openasc.core.sensitive import SensitiveManager
from openasc.core.workflow import StatusChange


class Frequency(models.TextChoices):
    FOUR_WEEKLY = "four_weekly", "Every four weeks"
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every calendar month from the anchor's day"


class Timing(models.TextChoices):
    ARREARS = "arrears", "In arrears (paid when the period has ended)"
    ADVANCE = "advance", "In advance (paid when the period before it ends)"


class Basis(models.TextChoices):
    INVOICE = "invoice", "Against an approved invoice"
    PLAN = "plan", "From the plan, without an invoice"


class PaymentSchedule(models.Model):
    """How and when the providers of some services are paid. A service is paid by the first active schedule, by
    `priority` (lowest first), that holds it: by care category (finance.CareCategory codes, the council's own
    rules) or by CLD service type and component (every list that is set holds the service's value)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    care_categories = models.JSONField(default=list, blank=True, help_text="Care category codes it covers")
    service_types = models.JSONField(default=list, blank=True)
    service_components = models.JSONField(default=list, blank=True)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.FOUR_WEEKLY)
    timing = models.CharField(max_length=8, choices=Timing.choices, default=Timing.ARREARS)
    anchor = models.DateField(help_text="The first day of one period (the others follow from it, both ways)")
    basis = models.CharField(max_length=8, choices=Basis.choices, default=Basis.INVOICE)
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower is tried first")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.name


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Entered, not yet submitted"
    SUBMITTED = "submitted", "Waiting for approval"
    SECOND = "second", "Waiting for a second approver"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


class Invoice(models.Model):
    """A provider's invoice or credit note for one period of a schedule. Its number is unique per provider."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    schedule = models.ForeignKey(PaymentSchedule, on_delete=models.PROTECT, related_name="invoices")
    period_start = models.DateField()
    period_end = models.DateField()
    number = models.CharField("provider's invoice number", max_length=60)
    kind = models.CharField(max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    status = models.CharField(max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    total_pence = models.BigIntegerField(
        default=0, help_text="The sum of its lines, as typed (never negative)"
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    payment = models.ForeignKey(
        "Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )

    class Meta:
        ordering = ["-period_end", "provider_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "number"],
                condition=~models.Q(status="rejected"),
                name="invoice_number_once_per_provider",
            ),  # a rejected invoice's number can be sent again, put right
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="inv_order"
            ),
        ]
        indexes = [models.Index(fields=["period_end", "status"], name="invoice_period_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def sign(self) -> int:
        return -1 if self.kind == InvoiceKind.CREDIT_NOTE else 1

    @property
    def signed_total_pence(self) -> int:
        return self.sign * self.total_pence


class InvoiceStatusChange(StatusChange):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="status_changes")


@audit.sensitive
class InvoiceLine(models.Model):
    """One line of an invoice: whom and what it is for, as the provider wrote it, and the service it was matched to
    (by its id, or by the person, the provider and the dates)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    row = models.PositiveIntegerField(help_text="Its place on the invoice (the CSV's row number)")
    la_person_id = models.CharField(max_length=20, help_text="As the provider wrote it")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "services.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_on = models.DateField()
    to_on = models.DateField()
    units = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, help_text="Hours, as invoiced"
    )
    unit_cost_pence = models.PositiveIntegerField(null=True, blank=True)
    amount_pence = models.PositiveBigIntegerField()
    objects = SensitiveManager()

    class Meta:
        ordering = ["invoice", "row"]


@audit.sensitive
class Adjustment(models.Model):
    """A finance officer's change to what a provider is paid for a period (positive or negative), with the reason;
    it counts in the period's payment whichever way the schedule pays."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    schedule = models.ForeignKey(PaymentSchedule, on_delete=models.PROTECT, related_name="adjustments")
    period_start = models.DateField()
    period_end = models.DateField()
    amount_pence = models.BigIntegerField()
    reason = models.TextField()
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "services.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    payment = models.ForeignKey(
        "Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments"
    )
    objects = SensitiveManager()

    class Meta:
        ordering = ["-period_end", "pk"]


class EcmUpload(models.Model):
    """An electronic call monitoring export a provider (or its system) sent, as uploaded."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()


@audit.sensitive
class EcmVisit(models.Model):
    """One visit call monitoring recorded: whom, when, and how many minutes were delivered."""

    upload = models.ForeignKey(EcmUpload, on_delete=models.PROTECT, related_name="visits")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        "services.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit_on = models.DateField()
    minutes = models.PositiveIntegerField()
    objects = SensitiveManager()

    class Meta:
        indexes = [models.Index(fields=["provider", "person", "visit_on"], name="ecm_provider_person_day")]


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Stopped before the end"


class PaymentRun(models.Model):
    """One payment run for the periods ending on a day (each payment in it is committed on its own, so a run that
    stops half way leaves what it paid paid, and the next run pays the rest)."""

    period_end = models.DateField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    payments = models.PositiveIntegerField(default=0)
    total_pence = models.BigIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]


class Payment(models.Model):
    """What one provider is paid for one period of one schedule: once and only once (the unique constraint, and the
    run skips what is paid)."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="payment_rows")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    schedule = models.ForeignKey(PaymentSchedule, on_delete=models.PROTECT, related_name="payments")
    period_start = models.DateField()
    period_end = models.DateField()
    reference = models.CharField(max_length=40, unique=True)
    amount_pence = models.BigIntegerField()
    lines = models.PositiveIntegerField(default=0)
    cost_centre_code = models.CharField(max_length=20, blank=True, help_text="The cost centre of most of it")
    paid_at = models.DateTimeField()

    class Meta:
        ordering = ["-period_end", "provider_id", "schedule_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "schedule", "period_start"], name="payment_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["period_end"], name="payment_period_end")]


@audit.sensitive
class PaymentLine(models.Model):
    """What a payment is made of, for the remittance advice: a service's cost for the period (plan-paid), an invoice
    line's amount, or an adjustment."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="line_rows")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "services.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=200)
    from_on = models.DateField()
    to_on = models.DateField()
    amount_pence = models.BigIntegerField()
    cost_centre_code = models.CharField(max_length=20, blank=True)
    objects = SensitiveManager()

    class Meta:
        ordering = ["payment", "pk"]


class ContributionKind(models.TextChoices):
    JOINT = "joint", "Joint funding (an NHS share)"
    FNC = "fnc", "NHS-funded nursing care"


@audit.sensitive
class NhsContribution(models.Model):
    """What the NHS pays towards a service: an ICB's share of a jointly funded package (an amount a week, or a
    percentage of its cost), or funded nursing care (a weekly rate, the national FNC rate unless set) from a date."""

    service = models.ForeignKey("services.Service", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=ContributionKind.choices)
    weekly_pence = models.PositiveIntegerField(null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    from_on = models.DateField()
    to_on = models.DateField(null=True, blank=True)
    icb_reference = models.CharField("ICB's reference", max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    objects = SensitiveManager()

    class Meta:
        ordering = ["service", "from_on"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(weekly_pence__isnull=False) & models.Q(percent__isnull=True))
                | (models.Q(weekly_pence__isnull=True) & models.Q(percent__isnull=False)),
                name="nhs_weekly_or_percent",
            )
        ]
