"""The read-only monitoring API (``/api/v1``), per-user tokens, and its OpenAPI 3.1 document."""
