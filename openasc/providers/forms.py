from django import forms


class ProviderForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the provider's name"})
    cqc_provider_id = forms.CharField(required=False, max_length=20)


class LocationForm(forms.Form):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter the location's name, as registered with CQC"}
    )
    cqc_location_id = forms.CharField(required=False, max_length=20)
    postcode = forms.CharField(required=False, max_length=10)
    kind = forms.CharField(required=False, max_length=40)
