"""Forms for the reporting pages: the CLD file upload."""

from __future__ import annotations

from django import forms

MAX_UPLOAD_BYTES = 1024 * 1024 * 1024  # 1 GB: a large council's stacked submissions, gzipped, fit well inside


class CldImportForm(forms.Form):
    file = forms.FileField(error_messages={"required": "Select a CLD file (CSV, or CSV compressed with gzip)",
                                           "empty": "The selected file is empty: select the CLD file"})
    check_only = forms.BooleanField(required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = f.name.lower()
        if not (name.endswith(".csv") or name.endswith(".csv.gz") or name.endswith(".gz")):
            raise forms.ValidationError("The selected file must be a CSV file (.csv), or a gzipped CSV (.csv.gz)")
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 1 GB: split it by submission")
        return f
