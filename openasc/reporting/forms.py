"""Forms for the reporting pages: the CLD file upload."""

from __future__ import annotations

from django import forms

MAX_UPLOAD_BYTES = 1024 * 1024 * 1024  # 1 GB: a large council's stacked submissions, gzipped, fit well inside


class CldImportForm(forms.Form):
    file = forms.FileField(
        error_messages={
            "required": "Select a CLD file (CSV, or CSV compressed with gzip)",
            "empty": "The selected file is empty: select the CLD file",
        }
    )
    check_only = forms.BooleanField(required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = f.name.lower()
        if not (name.endswith(".csv") or name.endswith(".csv.gz") or name.endswith(".gz")):
            raise forms.ValidationError(
                "The selected file must be a CSV file (.csv), or a gzipped CSV (.csv.gz)"
            )
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 1 GB: split it by submission")
        return f


class CldExportForm(forms.Form):
    period = forms.CharField(
        max_length=40,
        error_messages={
            "required": "Enter the reporting period, as the first and last days, for example 2024-04-01:2025-03-31",
            "max_length": "The reporting period must be two dates, for example 2024-04-01:2025-03-31",
        },
    )

    def clean_period(self):
        """START:END, checked exactly as `openasc cld export --period` checks it."""
        from openasc.reporting.engine import cli as engine_cli

        text = self.cleaned_data["period"].strip()
        try:
            start, end = engine_cli.parse_period(text)
        except engine_cli.UsageError as exc:
            why = str(exc)
            if "invalid date" in why:
                message = "The reporting period must be two real dates, for example 2024-04-01:2025-03-31"
            elif "before its start" in why:
                message = "The reporting period must end on or after the day it starts"
            else:
                message = (
                    "Enter the reporting period as its first and last days, YYYY-MM-DD:YYYY-MM-DD, for example "
                    "2024-04-01:2025-03-31"
                )
            raise forms.ValidationError(message) from None
        return f"{start.isoformat()}:{end.isoformat()}"
