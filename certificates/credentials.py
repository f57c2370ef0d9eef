"""Open Badges 3.0 credentials: a certificate as an ``OpenBadgeCredential`` in the VC-JWT form.

The JOSE header is ``{"alg": "RS256", "kid": …, "typ": "JWT"}`` (RS256 is the algorithm OB 3.0
requires every verifier to support); the payload is the credential itself with the registered claims
mapped as the specification says: ``iss`` = ``issuer.id``, ``jti`` = ``id``, ``sub`` =
``credentialSubject.id``, ``nbf`` = ``validFrom`` and ``exp`` = ``validUntil`` when it expires. Signing
and checking are joserfc's; nothing here handles signatures by hand.

The instance's keys live in ``<instance>/certificates/keys``: the current private key (``<kid>.pem``,
readable by the owner only, never served or logged) and ``jwks.json`` with the public key of every key
ever used, so a rotation (``lms certificates rotate-key``) leaves earlier credentials verifiable.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from certificates.models import Certificate
from lms.i18n import Translated

ALGORITHM = "RS256"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
SCHEMA_FILE = Path(__file__).parent / "ob_v3p0_achievementcredential_schema.json"


class CredentialProblem(ValueError):
    """A credential does not verify; the message names what failed."""


# --- keys -----------------------------------------------------------------------------------------


def key_dir() -> Path:
    return Path(current_app.config["LMS_INSTANCE_PATH"]) / "certificates" / "keys"


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One process at a time creates or rotates keys (several workers may start together)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_jwks(folder: Path) -> dict[str, Any]:
    path = folder / "jwks.json"
    return json.loads(path.read_text()) if path.exists() else {"keys": []}


def _add_key(folder: Path) -> str:
    kid = datetime.now(UTC).strftime("%Y%m%d") + "-" + secrets.token_hex(4)
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM}, private=True)
    pem = folder / f"{kid}.pem"
    descriptor = os.open(pem, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.as_pem(private=True))
    jwks = _read_jwks(folder)
    jwks["keys"].insert(0, key.as_dict(private=False))
    (folder / "jwks.json.tmp").write_text(json.dumps(jwks, indent=1))
    (folder / "jwks.json.tmp").replace(folder / "jwks.json")
    previous = folder / "current"
    old = previous.read_text().strip() if previous.exists() else ""
    (folder / "current.tmp").write_text(kid)
    (folder / "current.tmp").replace(previous)
    if old and (folder / f"{old}.pem").exists():  # its public key stays in the JWKS
        (folder / f"{old}.pem").unlink()
    return kid


def signing_key() -> RSAKey:
    """The current private key, created on first use."""
    folder = key_dir()
    current = folder / "current"
    if not current.exists():
        with _locked(folder):
            if not current.exists():
                _add_key(folder)
    kid = current.read_text().strip()
    return RSAKey.import_key((folder / f"{kid}.pem").read_bytes(), parameters={"kid": kid, "alg": ALGORITHM})


def rotate_key() -> str:
    """Start signing with a new key; the old public key stays in the JWKS. Returns the new kid."""
    folder = key_dir()
    with _locked(folder):
        return _add_key(folder)


def public_jwks() -> dict[str, Any]:
    """Every public key of the instance (never a private part)."""
    signing_key()
    keys = _read_jwks(key_dir())["keys"]
    public = ("kty", "kid", "use", "alg", "n", "e")
    return {"keys": [{name: key[name] for name in public if name in key} for key in keys]}


# --- building and signing -------------------------------------------------------------------------


def _base() -> str:
    return str(current_app.config["LMS_BASE_URL"]).rstrip("/")


def _timestamp(moment: datetime) -> str:
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59))


def subject_id(certificate: Certificate) -> str:
    """A stable identifier of the holder that tells nothing about her (no e-mail, no database id)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{_base()}/people/{certificate.user_id}"))


def credential(certificate: Certificate) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` of ``certificate`` (from its snapshot, so it never changes)."""
    base = _base()
    language = certificate.language
    title = Translated(certificate.course_title).in_locale(language)
    alignments = [
        {
            "type": ["Alignment"],
            "targetName": competence["name"],
            "targetCode": competence["idnumber"],
            "targetFramework": competence["framework"],
            "targetType": "ceasn:Competency",
            "targetUrl": f"{base}/courses/frameworks/{quote(competence['framework'])}"
            f"#{quote(competence['idnumber'])}",
            **({"targetDescription": f"level {competence['level']}"} if competence.get("level") else {}),
        }
        for competence in certificate.competences
    ]
    hours = f"{certificate.course_hours:g}"
    achievement: dict[str, Any] = {
        "id": f"{base}/courses/{quote(certificate.course_code)}#v{certificate.course_version}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title,
        "description": f"{title} ({hours} h)",
        "criteria": {
            "narrative": f"Completed the course {certificate.course_code} ({hours} h)"
            + (f" in the cohort {certificate.cohort_title}" if certificate.cohort_title else "")
            + "."
        },
        "inLanguage": language,
    }
    if certificate.course_ects is not None:
        achievement["creditsAvailable"] = certificate.course_ects
    if alignments:
        achievement["alignment"] = alignments
    document: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": f"{base}/verify/{certificate.number}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "issuer": {"id": f"{base}/", "type": ["Profile"], "name": certificate.issuer or base},
        "validFrom": _timestamp(certificate.issued_at),
        "credentialSubject": {
            "id": subject_id(certificate),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                }
            ],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{base}/api/v1/certificates/{certificate.number}",
            "type": "KaskadStatus",
        },
        "credentialSchema": [{"id": SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if certificate.expires_on is not None:
        document["validUntil"] = _timestamp(_end_of(certificate.expires_on))
    return document


def _seconds(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())


def jwt_claims(document: dict[str, Any]) -> dict[str, Any]:
    """The credential with the registered claims OB 3.0's VC-JWT maps from it."""
    claims = {
        **document,
        "iss": document["issuer"]["id"],
        "jti": document["id"],
        "sub": document["credentialSubject"]["id"],
        "nbf": _seconds(document["validFrom"]),
    }
    if "validUntil" in document:
        claims["exp"] = _seconds(document["validUntil"])
    return claims


def signed(certificate: Certificate) -> str:
    """The certificate's credential as a compact VC-JWT signed with the instance's current key."""
    key = signing_key()
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}
    return jwt.encode(header, jwt_claims(credential(certificate)), key, algorithms=[ALGORITHM])


# --- verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    header: dict[str, Any]
    claims: dict[str, Any]


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def verify(token: str, jwks: dict[str, Any], now: datetime | None = None) -> Verified:
    """Check a VC-JWT offline against ``jwks``: signature, schema, claims and dates. Raises
    :class:`CredentialProblem` naming what failed."""
    now = now or datetime.now(UTC)
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise CredentialProblem(f"the key set cannot be read: {error}") from error
    try:
        decoded = jwt.decode(token.strip(), keys, algorithms=[ALGORITHM])
    except (JoseError, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise CredentialProblem(f"signature: {type(error).__name__} {error}".strip()) from error
    header, claims = dict(decoded.header), dict(decoded.claims)
    if header.get("alg") != ALGORITHM:
        raise CredentialProblem(f"header: alg is {header.get('alg')!r}, not RS256")
    document = {key: value for key, value in claims.items() if key not in {"iss", "jti", "sub", "nbf", "exp"}}
    try:
        jsonschema.validate(document, schema(), cls=jsonschema.Draft201909Validator)
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        raise CredentialProblem(f"schema: {where}: {error.message}") from error
    expected = jwt_claims(document)
    for claim in ("iss", "jti", "sub", "nbf", "exp"):
        if claims.get(claim) != expected.get(claim):
            raise CredentialProblem(f"claims: {claim} does not match the credential")
    moment = int(now.timestamp())
    if claims["nbf"] > moment:
        raise CredentialProblem("dates: not valid yet (nbf is in the future)")
    if "exp" in claims and claims["exp"] < moment:
        raise CredentialProblem("dates: expired (exp has passed)")
    return Verified(header, claims)
