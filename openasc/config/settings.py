"""OpenASC settings: one module, configured only from environment variables."""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# The test suite runs with a throwaway key and fast password hashing; nothing else changes under test.
TESTING = "pytest" in sys.modules
if TESTING:
    os.environ.setdefault("OPENASC_ALLOW_INSECURE_KEY", "1")
    os.environ.setdefault("OPENASC_FAST_PASSWORDS", "1")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or os.environ.get("OPENASC_ALLOW_INSECURE_KEY"):
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

# `openasc serve` refuses DEBUG or the development key unless this says the instance is not production (a bench).
OPENASC_SERVE_ALLOW_INSECURE = env_bool("OPENASC_SERVE_ALLOW_INSECURE", False)

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# The council running this instance. Shown in the generic header; no GOV.UK branding.
COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Northshire County Council")
SERVICE_NAME = os.environ.get("SERVICE_NAME", "Adult social care")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "openasc.core",
    "openasc.ui",
    "openasc.people",
    "openasc.providers",
    "openasc.frontdoor",
    "openasc.assessments",
    "openasc.planning",
    "openasc.services",
    "openasc.casenotes",
    "openasc.capacity",
    "openasc.safeguarding",
    "openasc.finance",
    "openasc.payments",
    "openasc.charging",
    "openasc.workspace",
    "openasc.reporting",
    "openasc.staff",
    "django_tasks",
    "django_tasks_db",
    "openasc.jobs",
    "openasc.worktray",
    "openasc.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openasc.core.middleware.RequestIdMiddleware",
    "openasc.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openasc.core.middleware.NoStoreMiddleware",
    "openasc.core.middleware.InactivityTimeoutMiddleware",
    "openasc.core.middleware.LoginRequiredMiddleware",
    "openasc.staff.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "openasc.config.urls"
WSGI_APPLICATION = "openasc.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "openasc.ui.jinja2.environment",
            "context_processors": ["openasc.worktray.context.worktray"],
        },
    },
    {
        # Only for Django's own pages (the API docs); every product page is Jinja2.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{REPO_DIR / 'openasc.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", ":memory:")}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("PG_JIT", False):
    # PostgreSQL's JIT compiler is for long analytical queries. The access rules' correlated subqueries make the
    # planner's cost estimates of the waiting lists high enough to trigger it: it spent 0.6 s compiling a 30 ms
    # count (`make bench`). Off for the app's connections; PG_JIT=1 leaves the server's setting.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# PostgreSQL in production (ADR 0008): DATABASE_URL is the application's role, which may only append to and read
# the audit trail; DATABASE_OWNER_URL is the owner of the schema, used by `openasc migrate` and `openasc db setup`.
OPENASC_DATABASE_OWNER = (
    dj_database_url.parse(os.environ["DATABASE_OWNER_URL"]) if os.environ.get("DATABASE_OWNER_URL") else None
)
if (
    os.environ.get("OPENASC_PG_TEST_NAME")
    and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
):
    # Several test runs side by side on one PostgreSQL server each need their own test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["OPENASC_PG_TEST_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:sign-in"
LOGIN_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("OPENASC_FAST_PASSWORDS", False):
    # Tests and the demo build create many accounts; production never sets this.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Sign-in lockout and inactivity timeout (minutes unless stated).
OPENASC_LOCKOUT_ATTEMPTS = int(os.environ.get("OPENASC_LOCKOUT_ATTEMPTS", "5"))
OPENASC_LOCKOUT_MINUTES = int(os.environ.get("OPENASC_LOCKOUT_MINUTES", "15"))
# Failures for one account from anywhere in OPENASC_LOCKOUT_MINUTES that lock it for everyone (many clients guessing).
OPENASC_LOCKOUT_ACCOUNT_ATTEMPTS = int(os.environ.get("OPENASC_LOCKOUT_ACCOUNT_ATTEMPTS", "50"))
# Failures from one client (any accounts) in the window after which that client is refused for every account.
OPENASC_SIGN_IN_CLIENT_ATTEMPTS = int(os.environ.get("OPENASC_SIGN_IN_CLIENT_ATTEMPTS", "20"))
OPENASC_SIGN_IN_CLIENT_WINDOW_MINUTES = int(os.environ.get("OPENASC_SIGN_IN_CLIENT_WINDOW_MINUTES", "15"))
# Failed sign-ins are kept this long (the record of attempts on unknown usernames), then pruned.
OPENASC_SIGN_IN_ATTEMPT_DAYS = int(os.environ.get("OPENASC_SIGN_IN_ATTEMPT_DAYS", "90"))
# How many reverse proxies we trust to append to X-Forwarded-For; 0 (default) means only REMOTE_ADDR is used.
OPENASC_TRUSTED_PROXY_COUNT = int(os.environ.get("OPENASC_TRUSTED_PROXY_COUNT", "0"))
# A draft of a form is audited when first saved and then at most once per this many minutes while it is typed.
OPENASC_DRAFT_AUDIT_MINUTES = int(os.environ.get("OPENASC_DRAFT_AUDIT_MINUTES", "30"))
OPENASC_IDLE_TIMEOUT_SECONDS = int(os.environ.get("OPENASC_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
OPENASC_IDLE_WARNING_SECONDS = int(os.environ.get("OPENASC_IDLE_WARNING_SECONDS", str(5 * 60)))
OPENASC_BREAK_GLASS_MINUTES = int(os.environ.get("OPENASC_BREAK_GLASS_MINUTES", "60"))
# The care journey.
OPENASC_ASSESSMENT_SIGN_OFF = env_bool(
    "OPENASC_ASSESSMENT_SIGN_OFF", True
)  # a team manager signs off assessments
OPENASC_PLAN_SIGN_OFF = env_bool("OPENASC_PLAN_SIGN_OFF", True)
OPENASC_FIRST_REVIEW_WEEKS = int(os.environ.get("OPENASC_FIRST_REVIEW_WEEKS", "6"))  # after services start
OPENASC_REVIEW_INTERVAL_WEEKS = int(os.environ.get("OPENASC_REVIEW_INTERVAL_WEEKS", "52"))
# Role codes (comma-separated) that see NHS numbers in the people behind a returns figure; none by default.
OPENASC_RETURNS_NHS_NUMBER_ROLES = os.environ.get("OPENASC_RETURNS_NHS_NUMBER_ROLES", "")


def _urgency_targets(text: str) -> dict[str, int]:
    """'urgent=1,soon=5,routine=28': the most days a request of each urgency may wait (openasc.worktray)."""
    from django.core.exceptions import ImproperlyConfigured

    targets = {"urgent": 1, "soon": 5, "routine": 28}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, days = part.partition("=")
        if name.strip() not in targets or not days.strip().isdigit() or int(days) < 1:
            raise ImproperlyConfigured(
                f"OPENASC_URGENCY_TARGET_DAYS: {part!r} is not urgency=days (urgent, soon or routine, and a "
                "whole number of days of 1 or more), e.g. urgent=1,soon=5,routine=28"
            )
        targets[name.strip()] = int(days)
    return targets


# The worktray: how long a request of each urgency may wait before it breaches its target (calendar days; "soon"
# is 3 working days), and how many days ahead a scheduled review becomes a task.
OPENASC_URGENCY_TARGET_DAYS = _urgency_targets(os.environ.get("OPENASC_URGENCY_TARGET_DAYS", ""))
OPENASC_REVIEW_DUE_DAYS = int(os.environ.get("OPENASC_REVIEW_DUE_DAYS", "28"))
# The worker refreshes the worktray (openasc.worktray.tasks.refresh_worktray) this often.
OPENASC_WORKTRAY_REFRESH_MINUTES = int(os.environ.get("OPENASC_WORKTRAY_REFRESH_MINUTES", "15"))
# Links in notification emails start with this (the address staff use to reach the service).
OPENASC_BASE_URL = os.environ.get("OPENASC_BASE_URL", "http://localhost:8000").rstrip("/")
# Email: through Django's SMTP backend, or GOV.UK Notify when its API key is set (with the template of one
# placeholder, ((link))).
OPENASC_NOTIFY_API_KEY = os.environ.get("OPENASC_NOTIFY_API_KEY", "")
OPENASC_NOTIFY_TEMPLATE_ID = os.environ.get("OPENASC_NOTIFY_TEMPLATE_ID", "")
OPENASC_NOTIFY_BASE_URL = os.environ.get(
    "OPENASC_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "adult-social-care@localhost")
# Case notes: how long (minutes) the author may correct a note before only an addendum can add to it, and the role
# codes (comma-separated) that read sensitive notes besides the author's teams.
OPENASC_CASE_NOTE_EDIT_MINUTES = int(os.environ.get("OPENASC_CASE_NOTE_EDIT_MINUTES", "60"))
OPENASC_SENSITIVE_NOTE_ROLES = os.environ.get(
    "OPENASC_SENSITIVE_NOTE_ROLES", "team_manager,safeguarding_lead"
)
# Safeguarding (docs/safeguarding.md): the team (by code) whose queue every concern lands in, the working days the
# safeguarding adults manager has to decide on one, the council's non-working days (a CSV; empty: the shipped one),
# and the weeks to a protection plan's first review when none is given.
OPENASC_SAFEGUARDING_TEAM = os.environ.get("OPENASC_SAFEGUARDING_TEAM", "safeguarding")
OPENASC_SAFEGUARDING_DECISION_DAYS = int(os.environ.get("OPENASC_SAFEGUARDING_DECISION_DAYS", "2"))
OPENASC_NON_WORKING_DAYS_FILE = os.environ.get("OPENASC_NON_WORKING_DAYS_FILE", "")

# Provider payments (openasc.payments, docs/payments.md): invoices above this many pence need a second approver (as
# well as a first; nobody approves their own), and the NHS's weekly funded nursing care rate in pence, recorded
# against the nursing services it funds: £235.88 is UNVERIFIED (a secondary source of low confidence), so a council
# sets the current rate.
OPENASC_SECOND_APPROVAL_PENCE = int(os.environ.get("OPENASC_SECOND_APPROVAL_PENCE", "500000"))
OPENASC_FNC_WEEKLY_PENCE = int(os.environ.get("OPENASC_FNC_WEEKLY_PENCE", "23588"))

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute cap; inactivity is enforced by middleware
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)  # usually done by the proxy
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = REPO_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 25

# Background jobs (docs/adr/0012-background-jobs.md): queued in the database, run by `openasc worker`. The tests run
# them in the request (the immediate backend) unless a test asks for the database queue and its worker.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
OPENASC_WORKER_QUEUES = os.environ.get("OPENASC_WORKER_QUEUES", "default")
OPENASC_WORKER_INTERVAL = float(os.environ.get("OPENASC_WORKER_INTERVAL", "1"))
# Jobs' files (uploads waiting to be imported, exports waiting to be downloaded): private, never served directly.
OPENASC_JOB_FILES = os.environ.get("OPENASC_JOB_FILES") or str(
    (Path(tempfile.gettempdir()) / f"openasc-test-job-files-{os.getpid()}")
    if TESTING
    else REPO_DIR / "private" / "jobs"
)
# Documents (openasc.documents, ADR 0013): attachments' files, private and never served directly (only through the
# download view, which opens the record), under random names; and the largest file that may be uploaded (bytes).
OPENASC_DOCUMENTS_DIR = os.environ.get("OPENASC_DOCUMENTS_DIR") or str(
    (Path(tempfile.gettempdir()) / f"openasc-test-documents-{os.getpid()}")
    if TESTING
    else REPO_DIR / "private" / "documents"
)
OPENASC_DOCUMENT_MAX_BYTES = int(os.environ.get("OPENASC_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# Finished jobs, the queue's rows and the jobs' files (CLD exports) are deleted after this many days (`openasc jobs
# prune`, and the worker once a day); a job waiting or running is never deleted.
OPENASC_JOB_KEEP_DAYS = int(os.environ.get("OPENASC_JOB_KEEP_DAYS", "30"))
