"""Open Badges 3.0 credentials: the VC-JWT's header and claims, the schema, the instance's key set and
its rotation, and offline verification that fails after any changed byte."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from certificates import credentials
from certificates.credentials import CredentialProblem
from lms.testing import login

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _segments(token: str) -> tuple[dict, dict]:
    header, payload, _ = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload)


def test_the_credential_is_an_open_badge_with_achievement_criteria_and_alignments(app, certificate):
    with app.test_request_context():
        document = credentials.credential(certificate)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["validFrom"].endswith("Z") and "validUntil" not in document
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["name"] == "Курс CERT-COURSE"
    assert achievement["criteria"]["narrative"]
    assert document["credentialStatus"]["id"].endswith(f"/api/v1/certificates/{certificate.number}")
    assert document["credentialSubject"]["identifier"][0]["identityHash"] == "Ґудзь Марʼяна Євгенівна"
    jsonschema.validate(document, credentials.schema(), cls=jsonschema.Draft201909Validator)


def test_competences_become_alignments_and_expiry_valid_until(app, db, certificate):
    certificate.competences = [{"framework": "DIGCOMP-2.2", "idnumber": "1.1", "name": "Пошук", "level": 4}]
    certificate.expires_on = certificate.issued_on + timedelta(days=700)
    with app.test_request_context():
        document = credentials.credential(certificate)
        claims = credentials.jwt_claims(document)
    (alignment,) = document["credentialSubject"]["achievement"]["alignment"]
    assert alignment["type"] == ["Alignment"] and alignment["targetName"] == "Пошук"
    assert alignment["targetCode"] == "1.1" and alignment["targetUrl"].startswith("http")
    assert document["validUntil"].startswith((certificate.expires_on).isoformat())
    assert claims["exp"] > claims["nbf"]
    jsonschema.validate(document, credentials.schema(), cls=jsonschema.Draft201909Validator)


def test_the_schema_refuses_what_ob3_requires(app, certificate):
    with app.test_request_context():
        document = credentials.credential(certificate)
    broken = json.loads(json.dumps(document))
    del broken["credentialSubject"]["achievement"]["criteria"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, credentials.schema(), cls=jsonschema.Draft201909Validator)
    broken = {**document, "type": ["VerifiableCredential"]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, credentials.schema(), cls=jsonschema.Draft201909Validator)
    # As in the published schema, an issuer may also be given by its URI alone (another issuer's
    # credential checked offline), but not as something else.
    jsonschema.validate(
        {**document, "issuer": document["issuer"]["id"]},
        credentials.schema(),
        cls=jsonschema.Draft201909Validator,
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {**document, "issuer": 7}, credentials.schema(), cls=jsonschema.Draft201909Validator
        )


def test_the_vc_jwt_header_and_registered_claims(app, certificate):
    with app.test_request_context():
        token = credentials.signed(certificate)
        jwks = credentials.public_jwks()
    header, payload = _segments(token)
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    assert header["kid"] in {key["kid"] for key in jwks["keys"]}
    assert payload["iss"] == payload["issuer"]["id"]
    assert payload["jti"] == payload["id"]
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert payload["nbf"] == int(
        datetime.fromisoformat(payload["validFrom"].replace("Z", "+00:00")).timestamp()
    )
    assert "exp" not in payload
    decoded = jose_jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert decoded.claims["jti"] == payload["jti"]


def test_the_jwks_serves_no_private_part(app, client, certificate):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    for key in response.json["keys"]:
        assert key["kty"] == "RSA" and key["alg"] == "RS256"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()
    folder = credentials.key_dir()
    pem = next(folder.glob("*.pem"))
    assert pem.stat().st_mode & 0o077 == 0  # the private key is the owner's only


def test_a_changed_byte_anywhere_fails_verification(app, certificate):
    with app.test_request_context():
        token = credentials.signed(certificate)
        jwks = credentials.public_jwks()
    assert credentials.verify(token, jwks).claims["jti"].endswith(certificate.number)
    for position, char in enumerate(token):
        if char == ".":
            changed = token[:position] + "A" + token[position + 1 :]
        else:  # flip the sextet's highest bit, which every base64url character uses
            changed = token[:position] + B64[B64.index(char) ^ 32] + token[position + 1 :]
        with pytest.raises(CredentialProblem):
            credentials.verify(changed, jwks)


def test_dates_are_checked(app, certificate):
    certificate.expires_on = certificate.issued_on + timedelta(days=10)
    with app.test_request_context():
        token = credentials.signed(certificate)
        jwks = credentials.public_jwks()
    with pytest.raises(CredentialProblem, match="expired"):
        credentials.verify(token, jwks, now=datetime.now(UTC) + timedelta(days=30))
    with pytest.raises(CredentialProblem, match="not valid yet"):
        credentials.verify(token, jwks, now=datetime.now(UTC) - timedelta(days=30))


def test_rotation_keeps_earlier_credentials_verifiable(app, certificate):
    with app.test_request_context():
        before = credentials.signed(certificate)
        old_kid = _segments(before)[0]["kid"]
        new_kid = credentials.rotate_key()
        after = credentials.signed(certificate)
        jwks = credentials.public_jwks()
    assert _segments(after)[0]["kid"] == new_kid != old_kid
    assert {old_kid, new_kid} <= {key["kid"] for key in jwks["keys"]}
    credentials.verify(before, jwks)
    credentials.verify(after, jwks)
    assert not (credentials.key_dir() / f"{old_kid}.pem").exists()  # only the current private key is kept


def test_the_cli_verifies_offline_against_a_jwks_file(app, runner, certificate, tmp_path, client):
    login(client, certificate.user)
    response = client.get(f"/certificates/{certificate.number}/credential.jwt")
    assert response.status_code == 200
    token_file = tmp_path / "credential.jwt"
    token_file.write_bytes(response.data)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(client.get("/.well-known/jwks.json").json))
    result = runner.invoke(args=["certificates", "verify", str(token_file), "--jwks", str(jwks_file)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "valid"
    tampered = bytearray(response.data)
    index = len(tampered) // 2
    tampered[index] = ord(B64[B64.index(chr(tampered[index])) ^ 32])
    token_file.write_bytes(bytes(tampered))
    result = runner.invoke(args=["certificates", "verify", str(token_file), "--jwks", str(jwks_file)])
    assert result.exit_code != 0
    assert "not valid" in result.output
