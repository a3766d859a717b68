"""The provider register: a small page for brokers and managers to list and add providers and CQC locations."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openasc.core.errors import ValidationFailed
from openasc.providers import forms, selectors
from openasc.providers import services as provider_writes
from openasc.providers.models import Provider
from openasc.ui import forms as ui
from openasc.ui.responses import forbidden, not_found


def _forbidden(request: HttpRequest) -> HttpResponse:
    return forbidden(
        request,
        "You cannot change the provider register",
        "Only brokers, team managers and administrators can change the provider register.",
    )


def register(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "providers/register.jinja",
        {
            "title": "Provider register",
            "providers": selectors.providers_list(user=request.user),
            "can_change": provider_writes.can_keep_register(request.user),
            "active_nav": "providers",
        },
    )


@require_http_methods(["GET", "POST"])
def provider_add(request: HttpRequest) -> HttpResponse:
    if not provider_writes.can_keep_register(request.user):
        return _forbidden(request)
    form = forms.ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = provider_writes.provider_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            messages.success(request, f"{provider.name} added: now add its CQC locations")
            return redirect("services:location-add", provider_id=provider.pk)
    return render(
        request,
        "providers/provider_form.jinja",
        {"form": form, "title": "Add a provider", "errors": ui.error_summary(form)},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def location_add(request: HttpRequest, provider_id: int) -> HttpResponse:
    if not provider_writes.can_keep_register(request.user):
        return _forbidden(request)
    try:
        provider = selectors.provider_get(user=request.user, provider_id=provider_id)
    except Provider.DoesNotExist:
        return not_found(request, explanation="There is no such provider. Check the link.")
    form = forms.LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            location = provider_writes.location_create(
                actor=request.user, provider=provider, **form.cleaned_data
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            messages.success(request, f"{location.name} added to the register")
            return redirect("services:providers")
    return render(
        request,
        "providers/location_form.jinja",
        {"form": form, "provider": provider, "title": "Add a CQC location", "errors": ui.error_summary(form)},
        status=400 if request.method == "POST" else 200,
    )
