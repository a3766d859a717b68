"""The Jinja2 environment: GOV.UK Frontend macros, URL reversing, static files, form helpers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, PrefixLoader

from openasc.core import access
from openasc.core.nhs_number import display as nhs_display
from openasc.ui import forms as ui_forms


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def uk_date(value, fmt: str = "%-d %B %Y") -> str:
    return value.strftime(fmt) if value else ""


def environment(**options) -> Environment:
    loader = options.pop("loader")
    options["loader"] = ChoiceLoader(
        [
            loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
        ]
    )
    options.setdefault("undefined", ChainableUndefined)
    options.setdefault("autoescape", True)
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)  # noqa: S701 (autoescape is set above)
    env.globals.update(
        url=url,
        static=static,
        settings=settings,
        council_name=settings.COUNCIL_NAME,
        service_name=settings.SERVICE_NAME,
        can=access.has,
        capability=access.Capability,
        get_messages=get_messages,
        ui=ui_forms,
    )
    env.filters.update(uk_date=uk_date, nhs_number=nhs_display)
    return env
