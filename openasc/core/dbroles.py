"""PostgreSQL roles (ADR 0008): migrations run as the owner of the schema, the application as a role that owns
nothing and may only append to and read the audit trail.

``DATABASE_OWNER_URL`` names the owner; ``DATABASE_URL`` the application's role. ``openasc migrate`` migrates as
the owner when ``DATABASE_OWNER_URL`` is set and then grants the application's role its rights; ``openasc db setup``
also creates that role. Every function here runs on a cursor connected as the owner."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import connections

AUDIT_TABLE = "core_auditevent"


class RoleError(Exception):
    pass


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_app_role(cursor, name: str, password: str | None) -> bool:
    """Create the application's login role if it is missing (or set its password); returns whether it was made.
    The owner needs CREATEROLE (or to be a superuser)."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [name])
    row = cursor.fetchone()
    pw = f" PASSWORD {literal(password)}" if password else ""
    if row is None:
        cursor.execute(
            f"CREATE ROLE {ident(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION{pw}"
        )
        return True
    if row[0]:
        raise RoleError(f"the application's role {name} is a superuser: it could rewrite the audit trail")
    if pw:
        cursor.execute(f"ALTER ROLE {ident(name)} LOGIN{pw}")
    return False


def grant_app_role(cursor, name: str) -> None:
    """The application's rights: everything but DDL on every table and sequence in the schema, now and for tables
    the owner makes later; on the audit table only SELECT and INSERT, on its sequence only USAGE and SELECT."""
    cursor.execute("SELECT current_user, current_database()")
    owner, database = cursor.fetchone()
    if owner == name:
        raise RoleError(
            f"the application's role and the owner are both {name}: give the application its own role"
        )
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [name])
    row = cursor.fetchone()
    if row is None:
        raise RoleError(f"there is no role {name}: `openasc db setup` creates it")
    if row[0]:
        raise RoleError(f"the application's role {name} is a superuser: it could rewrite the audit trail")
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
        [name],
    )
    if cursor.fetchone()[0]:
        raise RoleError(
            f"{name} owns tables in this database (it ran migrations once?): as a superuser, "
            f"REASSIGN OWNED BY {name} TO {owner}, then run this again"
        )
    role = ident(name)
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [AUDIT_TABLE])
    sequence = cursor.fetchone()[0]
    for sql in [
        f"GRANT CONNECT ON DATABASE {ident(database)} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE CREATE ON SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {ident(owner)} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {ident(owner)} IN SCHEMA public "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
        # the audit trail: append and read only
        f"REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {AUDIT_TABLE} FROM {role}, PUBLIC",
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {role}",
        *(
            [
                f"REVOKE UPDATE ON SEQUENCE {sequence} FROM {role}, PUBLIC",
                f"GRANT USAGE, SELECT ON SEQUENCE {sequence} TO {role}",
            ]
            if sequence
            else []
        ),
    ]:
        cursor.execute(sql)


def owner_settings() -> dict | None:
    """The owner's connection settings (DATABASE_OWNER_URL) for a PostgreSQL database, else None."""
    owner = getattr(settings, "OPENASC_DATABASE_OWNER", None)
    if not owner or connections["default"].vendor != "postgresql":
        return None
    return owner


@contextmanager
def as_owner(alias: str = "default"):
    """Connect ``alias`` as the owner for the block (same database name: a test database stays the test database);
    yields the application's role name."""
    owner = owner_settings()
    conn = connections[alias]
    if owner is None:
        yield None
        return
    keys = ("USER", "PASSWORD", "HOST", "PORT")
    saved = {k: conn.settings_dict.get(k) for k in keys}
    conn.close()
    conn.settings_dict.update({k: owner.get(k) for k in keys})
    try:
        yield saved["USER"]
    finally:
        conn.close()
        conn.settings_dict.update(saved)
