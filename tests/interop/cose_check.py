#!/usr/bin/env python3
"""Independent check of a COSE_Sign1 Notary envelope (signature-envelope-cose.md) with software nv2
did not write: cbor2 decodes and re-encodes the CBOR, pyca/cryptography verifies the signature.

Usage: cose_check.py ENVELOPE_FILE

Decodes the envelope strictly (no indefinite lengths, no duplicate keys), checks each header
label and value type against the Notary Project COSE envelope specification and RFC 9052/9360,
rebuilds the Sig_structure (RFC 9052 §4.4) with cbor2, and verifies the signature with the leaf
certificate's public key and the algorithm the key dictates (signature-specification.md §Signature
Algorithm Requirements). Prints a JSON report of what it read on stdout; exits 1 with the reason on
stderr when any check fails.
"""

import hashlib
import json
import sys

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

PAYLOAD_CTY = "application/vnd.cncf.notary.payload.v1+json"
SCHEME = "io.cncf.notary.signingScheme"
SIGNING_TIME = "io.cncf.notary.signingTime"
AUTHENTIC_TIME = "io.cncf.notary.authenticSigningTime"
EXPIRY = "io.cncf.notary.expiry"
AGENT = "io.cncf.notary.signingAgent"
TIMESTAMP = "io.cncf.notary.timestampSignature"

# COSE algorithm ids (RFC 9053 §2.1, RFC 8230 §2) → (name, hash, key check).
ALGS = {
    -37: ("PS256", hashes.SHA256, ("rsa", 2048)),
    -38: ("PS384", hashes.SHA384, ("rsa", 3072)),
    -39: ("PS512", hashes.SHA512, ("rsa", 4096)),
    -7: ("ES256", hashes.SHA256, ("ec", "secp256r1")),
    -35: ("ES384", hashes.SHA384, ("ec", "secp384r1")),
    -36: ("ES512", hashes.SHA512, ("ec", "secp521r1")),
}


class Tag1:
    """A CBOR tag 1 item kept as its raw content (so its type can be checked)."""

    def __init__(self, value):
        self.value = value


def fail(msg):
    print(f"cose_check: {msg}", file=sys.stderr)
    sys.exit(1)


def as_map(x):
    """A decoded CBOR map as a dict (cbor2 gives a frozendict inside tags), else None."""
    return dict(x.items()) if hasattr(x, "items") else None


def strict_loads(data, **kw):
    return cbor2.loads(data, allow_indefinite=False, allow_duplicate_keys=False, **kw)


def main():
    if len(sys.argv) != 2:
        fail("usage: cose_check.py ENVELOPE_FILE")
    raw = open(sys.argv[1], "rb").read()

    # COSE_Sign1_Tagged (RFC 9052 §4.2): tag 18 around [protected, unprotected, payload, sig].
    msg = strict_loads(raw)
    if not isinstance(msg, cbor2.CBORTag) or msg.tag != 18:
        fail("not a COSE_Sign1_Tagged message (tag 18)")
    if not isinstance(msg.value, (list, tuple)) or len(msg.value) != 4:
        fail("COSE_Sign1 must be an array of four items")
    protected_raw, unprotected, payload, signature = msg.value
    if not isinstance(protected_raw, bytes) or not isinstance(payload, bytes):
        fail("protected header and payload must be byte strings")
    if not isinstance(signature, bytes) or not signature:
        fail("signature must be a non-empty byte string")
    unprotected = as_map(unprotected)
    if unprotected is None:
        fail("unprotected header must be a map")

    # Tag 1 is kept as its content so that its type can be checked (signature-envelope-cose.md);
    # cbor2 6 hands the decoded content (and an "immutable" flag) to a semantic decoder.
    protected = strict_loads(protected_raw, semantic_decoders={1: lambda value, *_: Tag1(value)})
    protected = as_map(protected)
    if protected is None:
        fail("protected header must be a bstr-wrapped map")

    # Both maps must be in canonical form: cbor2's own canonical encoder gives the same bytes.
    decoded_again = strict_loads(protected_raw)
    canonical = cbor2.dumps(decoded_again, canonical=True, datetime_as_timestamp=True) == protected_raw
    whole_canonical = cbor2.dumps(msg, canonical=True, datetime_as_timestamp=True) == raw

    alg = protected.get(1)
    if type(alg) is not int or alg not in ALGS:
        fail(f"alg (label 1) must be one of the six Notary COSE ids, got {alg!r}")
    alg_name, hash_cls, key_rule = ALGS[alg]
    crit = protected.get(2)
    if not isinstance(crit, list) or not crit or not all(isinstance(c, (str, int)) for c in crit):
        fail(f"crit (label 2) must be a non-empty array of labels, got {crit!r}")
    for c in crit:
        if c not in protected:
            fail(f"crit lists {c!r}, which is not in the protected header")
        if type(c) is int and 0 <= c <= 8:
            fail(f"crit lists the registered label {c}")
    if protected.get(3) != PAYLOAD_CTY:
        fail(f"content type (label 3) must be the text {PAYLOAD_CTY!r}")
    scheme = protected.get(SCHEME)
    if scheme not in ("notary.x509", "notary.x509.signingAuthority") or SCHEME not in crit:
        fail(f"{SCHEME} must be a critical known scheme, got {scheme!r}")
    time_label, other_label = (
        (SIGNING_TIME, AUTHENTIC_TIME) if scheme == "notary.x509" else (AUTHENTIC_TIME, SIGNING_TIME)
    )
    if other_label in protected:
        fail(f"{other_label} must not be present for {scheme}")
    if time_label == AUTHENTIC_TIME and AUTHENTIC_TIME not in crit:
        fail(f"{AUTHENTIC_TIME} must be critical")
    times = {}
    for label in (time_label, EXPIRY):
        v = protected.get(label)
        if v is None:
            continue
        if not isinstance(v, Tag1) or type(v.value) is not int:
            fail(f"{label} must be CBOR tag 1 around integer seconds")
        times[label] = v.value
    if time_label not in times:
        fail(f"{time_label} is missing")
    if EXPIRY in times:
        if EXPIRY not in crit:
            fail(f"{EXPIRY} must be critical")
        if times[EXPIRY] <= times[time_label]:
            fail("expiry must be after the signing time")

    # Unprotected: x5chain (33) as an array of DER certificates (RFC 9360,
    # signature-envelope-cose.md).
    chain = unprotected.get(33)
    if not isinstance(chain, (list, tuple)) or not chain or not all(isinstance(c, bytes) for c in chain):
        fail("x5chain (label 33) must be a non-empty array of byte strings")
    if 2 in unprotected or any(k in protected for k in unprotected):
        fail("crit or a protected label appears in the unprotected bucket")
    agent = unprotected.get(AGENT)
    if agent is not None and not isinstance(agent, str):
        fail(f"{AGENT} must be a text string")
    token = unprotected.get(TIMESTAMP)
    if token is not None and not isinstance(token, bytes):
        fail(f"{TIMESTAMP} must be a byte string")
    certs = [x509.load_der_x509_certificate(c) for c in chain]

    # The key dictates the algorithm (signature-specification.md §Signature Algorithm Requirements).
    key = certs[0].public_key()
    if isinstance(key, rsa.RSAPublicKey):
        found = ("rsa", key.key_size)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        found = ("ec", key.curve.name)
    else:
        fail("unsupported leaf key type")
    if found != key_rule:
        fail(f"alg {alg_name} does not match the leaf key {found}")

    # Sig_structure (RFC 9052 §4.4), encoded by cbor2.
    to_be_signed = cbor2.dumps(["Signature1", protected_raw, b"", payload])
    try:
        if found[0] == "rsa":
            h = hash_cls()
            key.verify(
                signature,
                to_be_signed,
                padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size),
                h,
            )
        else:
            n = (key.curve.key_size + 7) // 8
            if len(signature) != 2 * n:
                fail(f"ECDSA signature must be r||s of {2 * n} bytes, got {len(signature)}")
            r = int.from_bytes(signature[:n], "big")
            s = int.from_bytes(signature[n:], "big")
            key.verify(encode_dss_signature(r, s), to_be_signed, ec.ECDSA(hash_cls()))
    except InvalidSignature:
        fail("signature does not verify under the leaf certificate's key")

    body = json.loads(payload)
    if not isinstance(body, dict) or not isinstance(body.get("targetArtifact"), dict):
        fail("payload must be a JSON object with targetArtifact")

    extended = sorted(str(k) for k in protected if k not in (1, 2, 3, SCHEME, time_label, EXPIRY))
    print(
        json.dumps(
            {
                "verified": True,
                "alg": alg,
                "algorithm": alg_name,
                "crit": crit,
                "contentType": protected[3],
                "signingScheme": scheme,
                "timeLabel": time_label,
                "signingTime": times[time_label],
                "expiry": times.get(EXPIRY),
                "extended": extended,
                "signingAgent": agent,
                "timestampToken": token is not None,
                "thumbprints": [hashlib.sha256(c).hexdigest() for c in chain],
                "signatureLength": len(signature),
                "canonicalProtected": canonical,
                "canonicalEnvelope": whole_canonical,
                "targetArtifact": body["targetArtifact"],
            }
        )
    )


if __name__ == "__main__":
    main()
