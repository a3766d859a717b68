"""Staff administration pages: thin views over openasc.staff services and selectors, for administrators only (and
the change-password page every member of staff has). What each page shows is audited (selectors.record_view)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openasc.core import access
from openasc.core.errors import ValidationFailed
from openasc.core.models import ApiToken, Role, Team, User
from openasc.staff import selectors, services
from openasc.staff.forms import (
    OwnPasswordForm,
    PasswordForm,
    StaffChangeForm,
    StaffCreateForm,
    StaffFilterForm,
    SystemAccountForm,
    TeamForm,
    TokenIssueForm,
)
from openasc.ui import forms as ui
from openasc.ui.responses import forbidden, not_found


def administrators_only(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not access.has(request.user, access.Capability.MANAGE_STAFF):
            return forbidden(request, "You cannot see this page", services.NOT_ADMINISTRATOR)
        try:
            return view(request, *args, **kwargs)
        except (User.DoesNotExist, Team.DoesNotExist, ApiToken.DoesNotExist):
            return not_found(request)

    return wrapped


def _page(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context.setdefault("active_nav", "staff")
    context["local"] = lambda value: timezone.localtime(value) if value else None
    return render(request, f"staff/{template}", context, status=status)


def _post_status(request, form) -> int:
    return 400 if request.method == "POST" else 200


# --- staff ---------------------------------------------------------------------------------------------------------


@administrators_only
def staff_list(request: HttpRequest) -> HttpResponse:
    teams = list(selectors.team_list(user=request.user))
    form = StaffFilterForm(request.GET or None, teams=teams)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    people = list(
        selectors.staff_list(
            user=request.user,
            role=filters.get("role", ""),
            team=filters.get("team", ""),
            status=filters.get("status", ""),
        )
    )
    selectors.record_view(
        user=request.user,
        purpose="list of staff",
        details={"filters": {k: v for k, v in filters.items() if v}, "shown": len(people)},
    )
    return _page(
        request,
        "staff_list.jinja",
        {
            "title": "Staff",
            "form": form,
            "people": people,
            "filtered": any(filters.values()) if filters else False,
            "errors": ui.error_summary(form) if form.is_bound else [],
            "is_locked": services.is_locked,
        },
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    teams = list(selectors.team_list(user=request.user, open_only=True))
    form = StaffCreateForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = services.generate_password()
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                role=data["role"],
                teams=form.chosen_teams(),
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                job_title=data["job_title"],
                password=password,
                temporary=True,
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            # Shown on this response only (never a redirect to a page that could show it again).
            return _page(
                request,
                "secret.jinja",
                {
                    "title": f"Account created for {user.display_name}",
                    "account": user,
                    "secret": password,
                    "what": "password",
                    "next_url": "staff:detail",
                },
            )
    return _page(
        request,
        "staff_form.jinja",
        {
            "title": "Add a member of staff",
            "form": form,
            "errors": ui.error_summary(form),
            "creating": True,
            "team_items": _team_items(form, teams, []),
        },
        status=_post_status(request, form),
    )


def _team_items(form, teams, current: list[str]) -> list[dict]:
    chosen = form.data.getlist("teams") if form.is_bound else current
    return [
        {
            "value": str(t.pk),
            "text": t.name
            + (" (NHS partner)" if t.is_nhs_partner else "")
            + (" (closed)" if t.closed_at else ""),
            "checked": str(t.pk) in chosen,
        }
        for t in teams
    ]


@administrators_only
def staff_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get(user=request.user, account_id=user_id)
    if account.role == Role.SYSTEM:
        return redirect("staff:system-accounts")
    selectors.record_view(user=request.user, purpose="a member of staff's account", obj=account)
    return _page(
        request,
        "staff_detail.jinja",
        {
            "title": account.display_name,
            "account": account,
            "locked": services.is_locked(account),
            "teams": list(account.teams.all()),
        },
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def staff_change(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get(user=request.user, account_id=user_id)
    if account.role == Role.SYSTEM:
        return redirect("staff:system-accounts")
    current = [str(t.pk) for t in account.teams.all()]
    teams = list(selectors.team_list(user=request.user, open_only=True, keep=[int(pk) for pk in current]))
    form = StaffChangeForm(
        request.POST or None,
        teams=teams,
        initial={
            "first_name": account.first_name,
            "last_name": account.last_name,
            "job_title": account.job_title,
            "email": account.email,
            "role": account.role,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_change(
                actor=request.user,
                user=account,
                role=data["role"],
                teams=form.chosen_teams(),
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                job_title=data["job_title"],
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            messages.success(request, f"{account.username} changed")
            return redirect("staff:detail", user_id=account.pk)
    return _page(
        request,
        "staff_form.jinja",
        {
            "title": f"Change {account.display_name}",
            "form": form,
            "errors": ui.error_summary(form),
            "creating": False,
            "account": account,
            "team_items": _team_items(form, teams, current),
        },
        status=_post_status(request, form),
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def staff_password(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get(user=request.user, account_id=user_id)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        given = form.cleaned_data["password"] if form.cleaned_data["how"] == "given" else None
        try:
            # Whatever the administrator types or generates is temporary: the member of staff sets their own.
            plain = services.user_password_set(
                actor=request.user, user=account, password=given, temporary=True
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            if given is not None:
                messages.success(
                    request,
                    f"Temporary password set for {account.username}: they must choose their own when they "
                    "next sign in",
                )
                return redirect("staff:detail", user_id=account.pk)
            return _page(
                request,
                "secret.jinja",
                {
                    "title": f"New password for {account.display_name}",
                    "account": account,
                    "secret": plain,
                    "what": "password",
                    "next_url": "staff:detail",
                },
            )
    return _page(
        request,
        "password_form.jinja",
        {
            "title": f"Reset the password for {account.display_name}",
            "form": form,
            "account": account,
            "errors": ui.error_summary(form),
        },
        status=_post_status(request, form),
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def staff_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get(user=request.user, account_id=user_id)
    errors = []
    if request.method == "POST":
        try:
            services.user_deactivate(actor=request.user, user=account)
        except ValidationFailed as exc:
            errors = [{"text": message} for message in exc.errors.values()]
        else:
            messages.success(request, f"{account.username} deactivated: they can no longer sign in")
            return redirect(
                "staff:detail" if account.role != Role.SYSTEM else "staff:system-accounts",
                **({"user_id": account.pk} if account.role != Role.SYSTEM else {}),
            )
    return _page(
        request,
        "deactivate.jinja",
        {
            "title": f"Deactivate {account.display_name}",
            "account": account,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@administrators_only
@require_POST
def staff_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get(user=request.user, account_id=user_id)
    try:
        services.user_reactivate(actor=request.user, user=account)
    except ValidationFailed as exc:
        messages.info(request, " ".join(exc.errors.values()))
    else:
        messages.success(request, f"{account.username} reactivated")
    if account.role == Role.SYSTEM:
        return redirect("staff:system-accounts")
    return redirect("staff:detail", user_id=account.pk)


@administrators_only
@require_POST
def staff_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.account_get(user=request.user, account_id=user_id)
    services.user_unlock(actor=request.user, user=account)
    messages.success(request, f"{account.username} unlocked: they can sign in again")
    return redirect("staff:detail", user_id=account.pk)


# --- teams ---------------------------------------------------------------------------------------------------------


@administrators_only
def team_list(request: HttpRequest) -> HttpResponse:
    teams = list(selectors.team_list(user=request.user))
    selectors.record_view(user=request.user, purpose="list of teams", details={"shown": len(teams)})
    return _page(request, "team_list.jinja", {"title": "Teams", "teams": teams})


@administrators_only
@require_http_methods(["GET", "POST"])
def team_remove(request: HttpRequest, team_id: int) -> HttpResponse:
    """Delete a team nobody is in and nothing names, or else close it; the page says which, and why."""
    team = selectors.team_get(user=request.user, team_id=team_id)
    errors = []
    if request.method == "POST":
        how = request.POST.get("how", "")
        try:
            if how == "delete":
                name = team.name
                services.team_delete(actor=request.user, team=team)
                messages.success(request, f"Team {name} deleted")
                return redirect("staff:teams")
            if how == "close":
                services.team_close(actor=request.user, team=team)
                messages.success(request, f"Team {team.name} closed: it is no longer offered for allocation")
                return redirect("staff:teams")
            if how == "reopen":
                services.team_reopen(actor=request.user, team=team)
                messages.success(request, f"Team {team.name} reopened")
                return redirect("staff:teams")
            errors = [{"text": "Choose whether to delete or close the team", "href": "#remove-buttons"}]
        except ValidationFailed as exc:
            errors = [{"text": message, "href": "#remove-buttons"} for message in exc.errors.values()]
            team = selectors.team_get(user=request.user, team_id=team_id)
    removal = services.team_removal(actor=request.user, team=team)
    selectors.record_view(
        user=request.user,
        purpose="removing a team",
        obj=team,
        details={"can_delete": removal.can_delete, "members": removal.members},
    )
    return _page(
        request,
        "team_remove.jinja",
        {
            "title": f"Reopen {team.name}" if team.closed_at else f"Remove {team.name}",
            "team": team,
            "removal": removal,
            "errors": errors,
            "active_nav": "teams",
        },
        status=400 if errors else 200,
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def team_form(request: HttpRequest, team_id: int | None = None) -> HttpResponse:
    team = selectors.team_get(user=request.user, team_id=team_id) if team_id else None
    initial = {"is_nhs_partner": "no"}
    if team:
        initial = {
            "name": team.name,
            "organisation": team.organisation,
            "is_nhs_partner": "yes" if team.is_nhs_partner else "no",
        }
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        nhs = data["is_nhs_partner"] == "yes"
        try:
            if team is None:
                team = services.team_create(
                    actor=request.user,
                    name=data["name"],
                    organisation=data["organisation"],
                    is_nhs_partner=nhs,
                )
                messages.success(request, f"Team {team.name} created")
            else:
                team = services.team_change(
                    actor=request.user,
                    team=team,
                    name=data["name"],
                    organisation=data["organisation"],
                    is_nhs_partner=nhs,
                )
                messages.success(request, f"Team {team.name} changed")
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            return redirect("staff:teams")
    return _page(
        request,
        "team_form.jinja",
        {
            "title": f"Change {team.name}" if team else "Add a team",
            "form": form,
            "team": team,
            "errors": ui.error_summary(form),
            "active_nav": "teams",
        },
        status=_post_status(request, form),
    )


# --- system accounts and tokens ------------------------------------------------------------------------------------


@administrators_only
def system_accounts(request: HttpRequest) -> HttpResponse:
    accounts = list(selectors.system_accounts(user=request.user))
    selectors.record_view(
        user=request.user, purpose="list of system accounts", details={"shown": len(accounts)}
    )
    return _page(
        request,
        "system_accounts.jinja",
        {
            "title": "System accounts",
            "accounts": accounts,
            "active_nav": "tokens",
        },
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def system_account_create(request: HttpRequest) -> HttpResponse:
    form = SystemAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.system_account_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                description=form.cleaned_data["description"],
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            messages.success(
                request, f"System account {account.username} created: issue it a token to use the API"
            )
            return redirect("staff:system-accounts")
    return _page(
        request,
        "system_account_form.jinja",
        {
            "title": "Add a system account",
            "form": form,
            "errors": ui.error_summary(form),
            "active_nav": "tokens",
        },
        status=_post_status(request, form),
    )


@administrators_only
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = list(selectors.token_list(user=request.user)[:500])
    selectors.record_view(user=request.user, purpose="list of API tokens", details={"shown": len(tokens)})
    return _page(
        request,
        "token_list.jinja",
        {
            "title": "API tokens",
            "tokens": tokens,
            "status": selectors.token_status,
            "active_nav": "tokens",
        },
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def token_issue(request: HttpRequest) -> HttpResponse:
    accounts = [a for a in selectors.system_accounts(user=request.user) if a.is_active]
    initial = {"days": 365}
    if request.GET.get("user"):
        initial["user"] = request.GET["user"]
    form = TokenIssueForm(request.POST or None, accounts=accounts, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, plain = services.token_issue(
                actor=request.user, user=form.accounts[data["user"]], name=data["name"], days=data["days"]
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            return _page(
                request,
                "secret.jinja",
                {
                    "title": f"Token issued for {token.user.username}",
                    "account": token.user,
                    "secret": plain,
                    "what": "token",
                    "token": token,
                    "active_nav": "tokens",
                },
            )
    return _page(
        request,
        "token_form.jinja",
        {
            "title": "Issue an API token",
            "form": form,
            "errors": ui.error_summary(form),
            "accounts": accounts,
            "active_nav": "tokens",
        },
        status=_post_status(request, form),
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.token_get(user=request.user, token_id=token_id)
    if request.method == "POST":
        services.token_revoke(actor=request.user, token=token)
        messages.success(request, f"Token {token.name} ({token.prefix}…) revoked: it no longer works")
        return redirect("staff:tokens")
    selectors.record_view(user=request.user, purpose="revoking an API token", obj=token)
    return _page(
        request,
        "token_revoke.jinja",
        {
            "title": f"Revoke the token {token.name}",
            "token": token,
            "status": selectors.token_status(token),
            "active_nav": "tokens",
        },
    )


# --- every member of staff: their own password ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def own_password(request: HttpRequest) -> HttpResponse:
    """Set your own password: required before anything else after an administrator gave you a temporary one
    (staff.middleware.PasswordChangeRequiredMiddleware sends every page here until it is done)."""
    if request.user.role == Role.SYSTEM:
        return forbidden(
            request, "You cannot see this page", "System accounts use API tokens, not passwords."
        )
    required = request.user.must_change_password
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.own_password_change(
                user=request.user,
                current_password=data["current_password"],
                new_password=data["new_password"],
                confirm_password=data["confirm_password"],
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            update_session_auth_hash(request, request.user)  # this session stays signed in; others end
            messages.success(request, "Your password has been changed")
            return redirect(_safe_next(request))
    return _page(
        request,
        "own_password.jinja",
        {
            "title": "Choose your own password" if required else "Change your password",
            "form": form,
            "required": required,
            "next": _safe_next(request, ""),
            "errors": ui.error_summary(form),
            "active_nav": "",
        },
        status=_post_status(request, form),
    )


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or default
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
