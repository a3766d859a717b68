"""The API's documentation as a GOV.UK page of our own, drawn from the OpenAPI document (/api/openapi.json).

Swagger UI failed axe 181 times on /api/docs; this page passes like every other page and reflows at 320 px. It is
a reading of the same OpenAPI document the API serves, so it can never disagree with it: each endpoint's method,
path, summary, parameters, request body fields (type, whether required, description) and responses, then every
schema. Presenting only (no personal data): the functions below turn the OpenAPI dictionary into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class FieldRow:
    name: str
    type: str
    required: bool
    description: str = ""


@dataclass
class Endpoint:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list[FieldRow] = field(default_factory=list)
    body: str = ""  # the request body's schema name
    responses: list[tuple[str, str, str]] = field(default_factory=list)  # (status, description, schema)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict) -> str:
    """A field's type in words: "string (date)", "list of SearchHitOut", "integer or null"."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if "anyOf" in schema or "oneOf" in schema:
        parts = [type_of(s) for s in schema.get("anyOf") or schema.get("oneOf")]
        return " or ".join(dict.fromkeys(parts))
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return type_of(schema["allOf"][0])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return "object"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def _schema_of(content: dict | None) -> str:
    if not content:
        return ""
    media = content.get("application/json") or next(iter(content.values()), {})
    return type_of(media.get("schema", {})) if media else ""


def endpoints(document: dict) -> list[Endpoint]:
    found = []
    for path, operations in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            op = operations.get(method)
            if op is None:
                continue
            params = [
                FieldRow(
                    name=f"{p['name']} ({p.get('in', '')})",
                    type=type_of(p.get("schema", {})),
                    required=bool(p.get("required")),
                    description=p.get("description", "") or p.get("schema", {}).get("description", ""),
                )
                for p in op.get("parameters", [])
            ]
            found.append(
                Endpoint(
                    method=method.upper(),
                    path=path,
                    summary=op.get("summary", ""),
                    description=op.get("description", ""),
                    anchor=op.get("operationId", f"{method}-{path}"),
                    parameters=params,
                    body=_schema_of(op.get("requestBody", {}).get("content")),
                    responses=[
                        (code, r.get("description", ""), _schema_of(r.get("content")))
                        for code, r in sorted(op.get("responses", {}).items())
                    ],
                )
            )
    return found


def schemas(document: dict) -> list[tuple[str, list[FieldRow]]]:
    out = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        rows = [
            FieldRow(name=f, type=type_of(s), required=f in required, description=s.get("description", ""))
            for f, s in schema.get("properties", {}).items()
        ]
        out.append((name, rows))
    return out


def view(request: HttpRequest) -> HttpResponse:
    from openasc.config.api import api

    document = api.get_openapi_schema(path_prefix="/api/")
    return render(
        request,
        "core/api_docs.jinja",
        {
            "title": document.get("info", {}).get("title", "API"),
            "info": document.get("info", {}),
            "endpoints": endpoints(document),
            "schemas": schemas(document),
        },
    )
