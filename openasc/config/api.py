"""The JSON API (OpenAPI at /api/docs): token auth for system accounts, session auth for staff."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from openasc.core import apierrors
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.services import api_token_user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer oasc_...` for system accounts."""

    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="OpenASC API",
    version="1.0.0",
    description="People in adult social care: search, read, create and update, under the same access rules and "
    "audit as the staff pages. System accounts authenticate with a bearer token.",
    auth=[TokenAuth(), SessionAuth()],
    docs_url=None,  # /api/docs is a page of our own (openasc.core.apidocs): Swagger UI fails axe
)


def _field_errors(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": k, "message": v} for k, v in errors.items()]


@api.exception_handler(NinjaValidationError)
def schema_error(request, exc: NinjaValidationError):
    errors = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", []) if p not in ("body", "payload", "query", "path")]
        errors.append({"field": ".".join(loc) or "body", "message": apierrors.plain_message(e)})
    # Every invalid field at once: the endpoint's own check over the fields the schema accepted.
    refused = {e["field"].split(".")[0] for e in errors}
    errors.extend(_field_errors(apierrors.domain_errors(request, refused)))
    return api.create_response(request, {"detail": "The request has errors", "errors": errors}, status=422)


@api.exception_handler(ValidationFailed)
def service_error(request, exc: ValidationFailed):
    return api.create_response(
        request, {"detail": "The request has errors", "errors": _field_errors(exc.errors)}, status=422
    )


@api.exception_handler(AccessDenied)
def access_denied(request, exc: AccessDenied):
    return api.create_response(request, {"detail": exc.access.explanation}, status=403)


@api.exception_handler(PermissionError)
def permission_error(request, exc: PermissionError):
    # AccessDenied (about a person) was audited where it was decided; this is a role refused an action.
    from openasc.ui.responses import audit_refusal

    audit_refusal(request, str(exc))
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(ObjectDoesNotExist)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "Authentication required: send a bearer token"}, status=401
    )


from openasc.assessments.api import router as assessments_router  # noqa: E402
from openasc.capacity.api import router as capacity_router  # noqa: E402
from openasc.casenotes.api import router as casenotes_router  # noqa: E402
from openasc.documents.api import router as documents_router  # noqa: E402
from openasc.finance.api import router as finance_router  # noqa: E402
from openasc.frontdoor.api import router as frontdoor_router  # noqa: E402
from openasc.people.api import router as people_router  # noqa: E402
from openasc.planning.api import router as planning_router  # noqa: E402
from openasc.safeguarding.api import router as safeguarding_router  # noqa: E402
from openasc.services.api import router as services_router  # noqa: E402
from openasc.worktray.api import router as worktray_router  # noqa: E402

api.add_router("/people", people_router)
api.add_router("/requests", frontdoor_router)
api.add_router("/assessments", assessments_router)
api.add_router("/plans", planning_router)
api.add_router("/services", services_router)
api.add_router("/tasks", worktray_router)
api.add_router("/notes", casenotes_router)
api.add_router("/capacity", capacity_router)
api.add_router("/documents", documents_router)
api.add_router("/safeguarding", safeguarding_router)
api.add_router("/finance", finance_router)
