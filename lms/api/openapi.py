"""The OpenAPI 3.1 document of ``/api/v1``: the core's paths and those the plugins add
(``lms.plugins.add_api_paths``). A test validates it and checks it against the app's routes."""

from __future__ import annotations

from typing import Any

import lms
from lms.monitoring.aggregates import GROUPS
from lms.plugins import registry

ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


FILTERS = [
    _query(
        "period",
        "A quarter (2026-Q3), a half-year (2026-H2), a year (2026) or dates (2026-07-01..2026-08-15); "
        "default: this quarter.",
        {"type": "string", "examples": ["2026-Q3"]},
    ),
    _query(
        "source",
        "Whose certificates: kaskad, external or all (default).",
        {"type": "string", "enum": ["all", "kaskad", "external"]},
    ),
    _query("region", "Code of one region, e.g. UA-18."),
    _query("course", "Code of one course."),
    _query("target_group", "Code of one target group, e.g. civil_servants."),
    _query(
        "as_of",
        "Count as on this day (a certificate revoked by then does not count); default today.",
        {"type": "string", "format": "date"},
    ),
]
NULLABLE_STRING = {"type": ["string", "null"]}


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/api/v1/indicators": {
            "get": {
                "summary": "Indicators for a period, optionally grouped",
                "description": "Every registered indicator for the period within what the token's owner "
                "may see, and, with group_by, certificates per combination (rows with target_group '*' "
                "are the de-duplicated totals). A certificate counts once under each target group it "
                "snapshots.",
                "operationId": "getIndicators",
                "security": [{"bearer": []}],
                "parameters": [
                    *FILTERS,
                    _query(
                        "group_by",
                        f"Up to three of: {', '.join(GROUPS)} (comma-separated).",
                        {"type": "string", "examples": ["region,target_group"]},
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "The figures",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Indicators"}}
                        },
                    },
                    "400": _error("A parameter is not understood"),
                    "401": _error("No valid token"),
                    "403": _error("The token's owner may not see monitoring figures"),
                },
            }
        },
        "/api/v1/certificates": {
            "get": {
                "summary": "The counted certificates behind the figures",
                "operationId": "listCertificates",
                "security": [{"bearer": []}],
                "parameters": [
                    *FILTERS,
                    _query(
                        "by",
                        "Narrow to one value of a dimension (with key).",
                        {"type": "string", "enum": [name for name in GROUPS if name != "source"]},
                    ),
                    _query(
                        "key",
                        "The value of the dimension named by 'by' (an organisation's code, a target "
                        "group's or course's code, a trainer's id, a quarter such as 2026-Q3).",
                    ),
                    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
                    _query(
                        "per_page",
                        "Rows per page (at most 500).",
                        {"type": "integer", "minimum": 1, "maximum": 500},
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "One page of certificates",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/CertificatePage"}}
                        },
                    },
                    "400": _error("A parameter is not understood"),
                    "401": _error("No valid token"),
                    "403": _error("The token's owner may not see monitoring figures"),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "getOpenApi",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
    paths.update(registry().api_paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kaskad monitoring API",
            "version": lms.__version__,
            "description": "Read-only figures of the cascade training programmes. Create a token on your "
            "profile page (API tokens); it sees what you may see.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token (ksk_…)."}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
                "Indicators": {
                    "type": "object",
                    "required": ["period", "as_of", "source", "counting_rule", "indicators", "total"],
                    "properties": {
                        "period": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string"},
                                "start": {"type": "string", "format": "date"},
                                "end": {"type": "string", "format": "date"},
                            },
                        },
                        "as_of": {"type": "string", "format": "date"},
                        "source": {"type": "string", "enum": ["all", "kaskad", "external"]},
                        "counting_rule": {"type": "string"},
                        "total": {"type": "integer", "description": "Certificates, each counted once."},
                        "indicators": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name", "label", "unit", "value"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "label": {"type": "string"},
                                    "unit": {"type": "string", "enum": ["count", "share"]},
                                    "value": {"type": ["number", "null"]},
                                },
                            },
                        },
                        "group_by": {"type": "array", "items": {"type": "string", "enum": list(GROUPS)}},
                        "groups": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["certificates"],
                                "properties": {
                                    "certificates": {"type": "integer"},
                                    **{name: {"type": ["string", "integer", "null"]} for name in GROUPS},
                                },
                            },
                        },
                    },
                },
                "CertificatePage": {
                    "type": "object",
                    "required": ["page", "per_page", "total", "pages", "items"],
                    "properties": {
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "total": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Certificate"}},
                    },
                },
                "Certificate": {
                    "type": "object",
                    "required": ["id", "source", "issued_on", "target_groups"],
                    "properties": {
                        "id": {"type": "integer"},
                        "source": {"type": "string", "enum": ["kaskad", "external"]},
                        "name": NULLABLE_STRING,
                        "reference": NULLABLE_STRING,
                        "course_code": NULLABLE_STRING,
                        "course_title": NULLABLE_STRING,
                        "issued_on": {"type": "string", "format": "date"},
                        "revoked_on": {"type": ["string", "null"], "format": "date"},
                        "region": NULLABLE_STRING,
                        "institution": NULLABLE_STRING,
                        "hub": NULLABLE_STRING,
                        "target_groups": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    }
