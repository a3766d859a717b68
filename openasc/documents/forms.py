"""Input parsing for the documents pages; the rules are in the services, so the pages and anything else that calls
them are checked the same way."""

from __future__ import annotations

from django import forms

from openasc.documents import files
from openasc.documents.models import TemplateAbout


def _links(links) -> list[tuple[str, str]]:
    return [("", "Not about one of these"), *links]


class ChooseLetterForm(forms.Form):
    template = forms.ChoiceField(error_messages={"required": "Choose the letter to write"})
    link = forms.ChoiceField(required=False)

    def __init__(self, *args, templates=(), links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.key, t.name) for t in templates]
        self.fields["template"].error_messages["invalid_choice"] = "Choose one of the letters in the list"
        self.fields["link"].choices = _links(links)
        self.fields["link"].error_messages["invalid_choice"] = "Choose what the letter is about from the list"


class LetterForm(forms.Form):
    template = forms.CharField(widget=forms.HiddenInput, required=False)
    link = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(required=False, strip=False)
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)


class ReviseForm(forms.Form):
    title = forms.CharField(required=False, strip=False)
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)


class AttachForm(forms.Form):
    file = forms.FileField(
        required=True,
        allow_empty_file=True,  # the service says an empty file is empty
        error_messages={"required": "Select a file to upload", "invalid": "Select a file to upload"},
    )
    title = forms.CharField(required=False, strip=False)
    link = forms.ChoiceField(required=False)

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = _links(links)
        self.fields["link"].error_messages["invalid_choice"] = (
            "Choose what the document is about from the list"
        )
        self.fields["file"].widget.attrs["accept"] = files.EXTENSIONS


class TemplateForm(forms.Form):
    key = forms.CharField(required=False, strip=False)
    name = forms.CharField(required=False, strip=False)
    about = forms.ChoiceField(choices=TemplateAbout.choices, required=False)
    subject = forms.CharField(required=False, strip=False)
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    active = forms.BooleanField(required=False)
