"""The API documentation page reads the OpenAPI document: what it shows comes from there. Like the OpenAPI document
itself it is public (those who build integrations need it before they hold a token) and holds nothing personal."""

from openasc.core import apidocs

DOCUMENT = {
    "paths": {
        "/api/people": {
            "post": {
                "operationId": "create",
                "summary": "Create a person",
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PersonIn"}}}
                },
                "responses": {
                    "201": {
                        "description": "Created",
                        "content": {"application/json": {"schema": {"$ref": "#/x/PersonOut"}}},
                    },
                    "422": {"description": "Errors"},
                },
            },
            "get": {
                "operationId": "search",
                "summary": "Search",
                "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {},
            },
        }
    },
    "components": {
        "schemas": {
            "PersonIn": {
                "required": ["first_name"],
                "properties": {
                    "first_name": {"type": "string"},
                    "date_of_birth": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                },
            }
        }
    },
}


def test_endpoints_are_read_from_the_document_in_path_then_method_order():
    found = apidocs.endpoints(DOCUMENT)
    assert [(e.method, e.path) for e in found] == [("GET", "/api/people"), ("POST", "/api/people")]
    get, post = found
    assert [(p.name, p.type, p.required) for p in get.parameters] == [("q (query)", "string", True)]
    assert post.body == "PersonIn"
    assert post.responses == [("201", "Created", "PersonOut"), ("422", "Errors", "")]


def test_schema_fields_say_their_type_in_words_and_whether_required():
    [(name, rows)] = apidocs.schemas(DOCUMENT)
    assert name == "PersonIn"
    assert [(r.name, r.type, r.required) for r in rows] == [
        ("first_name", "string", True),
        ("date_of_birth", "string (date) or null", False),
        ("tags", "list of Tag", False),
    ]


def test_the_page_shows_the_real_api_to_anyone_and_nothing_about_anyone(client, staff):
    from openasc.people.tests.factories import PersonFactory

    person = PersonFactory(first_name="Ottoline", last_name="Quibell")
    response = client.get("/api/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert person.first_name not in html and person.la_person_id not in html
    assert "POST /api/people" in html and "swagger" not in html.lower()
    assert client.get("/api/openapi.json").status_code == 200
