#!/usr/bin/env python3
"""Generates the test PKI for nv2's JS and browser tests (never committed; run at test time).

For each Notary algorithm (rsa2048/rsa3072/rsa4096/p256/p384/p521) a root CA and a code-signing
leaf (Notary profile: KU digitalSignature critical, EKU codeSigning, BC CA:false), plus negative
leaves signed by the p256 root, a 3-level chain, an unrelated "untrusted" root + leaf and a leaf
with subject C=US, ST=WA, O=acme, CN=signer for identity tests, a root + leaf naming a CRL
distribution point with CRLs (good, revoked, stale, wrong key) for the revocation tests, and an
OCSP PKI (ocsp/: root, RSA intermediate, leaves naming an OCSP responder, delegated responders with
and without id-kp-OCSPSigning, another CA's responder) with OCSP responses built by pyca
`cryptography` and by `openssl ocsp` (see make_ocsp), for tests/revocation_ocsp.rs.

Output (--out DIR): one directory per entry with key.pem (PKCS#8), cert.pem and chain.pem (leaf
first, root last), and index.json describing everything (paths relative to DIR, PEMs inlined).
Validity: leaves now-1d .. now+1y unless the entry is about validity. Usage:
    make_pki.py --out tests/.work/pki
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
DAY = dt.timedelta(days=1)

ALGS = {
    # name: (key factory, JWS alg, key spec, hash name, hash for the CA's signature)
    "rsa2048": (lambda: rsa.generate_private_key(65537, 2048), "PS256", "RSA-2048", "sha256"),
    "rsa3072": (lambda: rsa.generate_private_key(65537, 3072), "PS384", "RSA-3072", "sha384"),
    "rsa4096": (lambda: rsa.generate_private_key(65537, 4096), "PS512", "RSA-4096", "sha512"),
    "p256": (lambda: ec.generate_private_key(ec.SECP256R1()), "ES256", "EC-256", "sha256"),
    "p384": (lambda: ec.generate_private_key(ec.SECP384R1()), "ES384", "EC-384", "sha384"),
    "p521": (lambda: ec.generate_private_key(ec.SECP521R1()), "ES512", "EC-521", "sha512"),
}
HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def name(cn: str, org: str = "nv2-test") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "WA"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Seattle"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def ku(digital_signature=False, key_cert_sign=False, crl_sign=False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


class Cert:
    def __init__(self, key, cert: x509.Certificate, parent: "Cert | None"):
        self.key, self.cert, self.parent = key, cert, parent

    @property
    def chain(self) -> list[x509.Certificate]:
        out, c = [], self
        while c is not None:
            out.append(c.cert)
            c = c.parent
        return out


def issue(
    subject: x509.Name,
    key,
    issuer: Cert | None,
    *,
    hash_name: str = "sha256",
    ca: bool = False,
    path_len: int | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    key_usage: x509.KeyUsage | None | str = "default",
    eku: list | None | str = "default",
    bc: bool | None = "default",
    crl_url: str | None = None,
    ocsp_url: str | None = None,
) -> Cert:
    signer_key = issuer.key if issuer else key
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - DAY)
        .not_valid_after(not_after or (NOW + (3650 if ca else 365) * DAY))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if issuer:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
    if bc == "default":
        b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
    elif bc is not None:
        b = b.add_extension(x509.BasicConstraints(ca=bc, path_length=None), critical=True)
    if key_usage == "default":
        key_usage = ku(key_cert_sign=True, crl_sign=True) if ca else ku(digital_signature=True)
    if key_usage is not None:
        b = b.add_extension(key_usage, critical=True)
    if eku == "default":
        eku = None if ca else [ExtendedKeyUsageOID.CODE_SIGNING]
    if eku is not None:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if crl_url is not None:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        b = b.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ocsp_url is not None:
        aia = x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))
        b = b.add_extension(x509.AuthorityInformationAccess([aia]), critical=False)
    cert = b.sign(signer_key, HASHES[hash_name]())
    return Cert(key, cert, issuer)


def make_crl(issuer: Cert, signer_key, revoked: list, this_update, next_update, number: int):
    """A CRL issued under `issuer`'s name, signed by `signer_key` (the issuer's, or another to test
    signature checks); `revoked` lists (serial, revocation time, reason flag or None)."""
    b = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), False)
    )
    for serial, when, reason in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), False)
        b = b.add_revoked_certificate(entry.build())
    return b.sign(signer_key, hashes.SHA256())


def write_crl(out: Path, rel: str, crl) -> dict:
    pem = crl.public_bytes(serialization.Encoding.PEM).decode()
    (out / f"{rel}.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))
    (out / f"{rel}.pem").write_text(pem)
    return {"derFile": f"{rel}.crl", "pemFile": f"{rel}.pem", "pem": pem}


def pem_cert(c: x509.Certificate) -> str:
    return c.public_bytes(serialization.Encoding.PEM).decode()


def pem_key(k) -> str:
    return k.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def write(out: Path, rel: str, c: Cert, **meta) -> dict:
    d = out / rel
    d.mkdir(parents=True, exist_ok=True)
    chain_pem = "".join(pem_cert(x) for x in c.chain)
    (d / "key.pem").write_text(pem_key(c.key))
    (d / "cert.pem").write_text(pem_cert(c.cert))
    (d / "chain.pem").write_text(chain_pem)
    root = c.chain[-1]
    return {
        "dir": rel,
        "keyFile": f"{rel}/key.pem",
        "certFile": f"{rel}/cert.pem",
        "chainFile": f"{rel}/chain.pem",
        "subject": c.cert.subject.rfc4514_string(),
        "issuer": c.cert.issuer.rfc4514_string(),
        "notBefore": c.cert.not_valid_before_utc.isoformat().replace("+00:00", "Z"),
        "notAfter": c.cert.not_valid_after_utc.isoformat().replace("+00:00", "Z"),
        "thumbprint": c.cert.fingerprint(hashes.SHA256()).hex(),
        "key": pem_key(c.key),
        "cert": pem_cert(c.cert),
        "chain": chain_pem,
        "root": pem_cert(root),
        **meta,
    }


def write_key_pem(path: Path, key) -> None:
    path.write_text(pem_key(key))


def make_ocsp(out: Path, p256) -> dict:
    """OCSP (RFC 6960) material under ocsp/: the certificates, a request from pyca `cryptography`
    (SHA-256 CertID, which nv2's request must equal byte for byte), responses built with
    `OCSPResponseBuilder` (one per case, with the verdict nv2 must reach in `cases`), an OpenSSL
    CA database (index.txt: `leaf` valid, `leaf2` revoked) and responses from `openssl ocsp` in
    responder mode, so two implementations are covered. The Rust test also makes openssl answer
    nv2's own request from index.txt."""
    import subprocess
    from cryptography.x509 import ocsp

    d = out / "ocsp"
    d.mkdir(parents=True, exist_ok=True)
    root = issue(name("nv2 test ocsp root"), p256(), None, ca=True)
    inter = issue(name("nv2 test ocsp intermediate"), rsa.generate_private_key(65537, 2048), root, ca=True, path_len=0)
    url, crl = "http://ocsp.nv2.test/", "http://crl.nv2.test/intermediate.crl"
    leaf = issue(name("nv2 test ocsp leaf"), p256(), inter, ocsp_url=url, crl_url=crl)
    leaf2 = issue(name("nv2 test ocsp leaf 2"), p256(), inter, ocsp_url=url, crl_url=crl)
    signing = [ExtendedKeyUsageOID.OCSP_SIGNING]
    responder = issue(name("nv2 test ocsp responder"), p256(), inter, eku=signing)
    no_eku = issue(name("nv2 test ocsp responder without EKU"), p256(), inter)
    expired_responder = issue(
        name("nv2 test ocsp expired responder"), p256(), inter, eku=signing,
        not_before=NOW - 30 * DAY, not_after=NOW - DAY,
    )
    other_root = issue(name("nv2 test ocsp other root", org="elsewhere"), p256(), None, ca=True)
    other_responder = issue(name("nv2 test ocsp other responder", org="elsewhere"), p256(), other_root, eku=signing)
    entries = {
        "rootEntry": write(out, "ocsp/root", root),
        "intermediateEntry": write(out, "ocsp/intermediate", inter),
        "leafEntry": write(out, "ocsp/leaf", leaf),
        "leaf2Entry": write(out, "ocsp/leaf2", leaf2),
        "responderEntry": write(out, "ocsp/responder", responder),
        "noEkuResponderEntry": write(out, "ocsp/responder-no-eku", no_eku),
        "otherRootEntry": write(out, "ocsp/other-root", other_root),
        "otherResponderEntry": write(out, "ocsp/other-responder", other_responder),
    }

    req = ocsp.OCSPRequestBuilder().add_certificate(leaf.cert, inter.cert, hashes.SHA256()).build()
    (d / "request-sha256.der").write_bytes(req.public_bytes(serialization.Encoding.DER))

    G, R, U = ocsp.OCSPCertStatus.GOOD, ocsp.OCSPCertStatus.REVOKED, ocsp.OCSPCertStatus.UNKNOWN
    revoked_at = NOW - 2 * DAY

    def build(status=G, *, cert=leaf, issuer=inter, signer=inter, certs=None, by="name", alg=hashes.SHA256,
              this_update=NOW - dt.timedelta(minutes=1), next_update=NOW + DAY, reason=None, ext=None, id_cert=None):
        b = ocsp.OCSPResponseBuilder().add_response(
            cert=cert.cert, issuer=issuer.cert, algorithm=alg(), cert_status=status,
            this_update=this_update, next_update=next_update,
            revocation_time=revoked_at if status == R else None, revocation_reason=reason,
        )
        enc = ocsp.OCSPResponderEncoding.NAME if by == "name" else ocsp.OCSPResponderEncoding.HASH
        b = b.responder_id(enc, (id_cert or signer).cert)
        if certs:
            b = b.certificates([c.cert for c in certs])
        for e, critical in ext or []:
            b = b.add_extension(e, critical)
        return b.sign(signer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def tamper(der: bytes) -> bytes:
        # The last byte is the signature's (certs absent): the signature no longer verifies.
        return der[:-1] + bytes([der[-1] ^ 1])

    unknown_critical = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00")
    cases = {
        # name: (DER, expected: a status or an OcspError variant name)
        "good": (build(), "good"),
        "good-sha1": (build(alg=hashes.SHA1, by="hash"), "good"),
        "good-no-next-update": (build(next_update=None), "good"),
        "good-nonce": (build(ext=[(x509.OCSPNonce(b"0123456789abcdef"), False)]), "good"),
        "revoked": (build(R, reason=x509.ReasonFlags.key_compromise), "revoked"),
        "revoked-no-reason": (build(R), "revoked"),
        "unknown": (build(U), "unknown"),
        "other-serial": (build(cert=leaf2), "NoMatchingResponse"),
        "other-issuer-certid": (build(issuer=other_root), "CertIdMismatch"),
        "expired": (build(this_update=NOW - 10 * DAY, next_update=NOW - DAY), "Expired"),
        "future": (build(this_update=NOW + DAY, next_update=NOW + 2 * DAY), "NotYetValid"),
        "delegated": (build(signer=responder, certs=[responder], by="hash"), "good"),
        "delegated-by-name": (build(signer=responder, certs=[responder]), "good"),
        "delegated-with-chain": (build(signer=responder, certs=[inter, responder]), "good"),
        "delegated-revoked": (build(R, signer=responder, certs=[responder], reason=x509.ReasonFlags.superseded), "revoked"),
        "delegated-missing-cert": (build(signer=responder, certs=None), "ResponderNotFound"),
        "responder-no-eku": (build(signer=no_eku, certs=[no_eku]), "UnauthorizedResponder"),
        "responder-expired": (build(signer=expired_responder, certs=[expired_responder]), "UnauthorizedResponder"),
        "responder-other-ca": (build(signer=other_responder, certs=[other_responder]), "UnauthorizedResponder"),
        "tampered": (tamper(build()), "BadSignature"),
        "unknown-critical-extension": (build(ext=[(unknown_critical, True)]), "UnknownCriticalExtension"),
        "unknown-noncritical-extension": (build(ext=[(unknown_critical, False)]), "good"),
    }
    for status in ("MALFORMED_REQUEST", "INTERNAL_ERROR", "TRY_LATER", "SIG_REQUIRED", "UNAUTHORIZED"):
        der = ocsp.OCSPResponseBuilder.build_unsuccessful(getattr(ocsp.OCSPResponseStatus, status))
        cases["unsuccessful-" + status.lower().replace("_", "-")] = (der.public_bytes(serialization.Encoding.DER), "Unsuccessful")

    # OpenSSL's responder over a CA database (ca(1) index.txt format).
    def stamp(t: dt.datetime) -> str:
        return t.strftime("%y%m%d%H%M%SZ")

    def row(c: Cert, flag: str, revoked: str = "") -> str:
        subject = "".join(f"/{a.oid._name}={a.value}" for a in c.cert.subject)
        return "\t".join([flag, stamp(c.cert.not_valid_after_utc), revoked, format(c.cert.serial_number, "X"), "unknown", subject])

    (d / "index.txt").write_text(row(leaf, "V") + "\n" + row(leaf2, "R", stamp(revoked_at) + ",keyCompromise") + "\n")
    write_key_pem(d / "intermediate.key", inter.key)
    (d / "intermediate.pem").write_text(pem_cert(inter.cert))
    (d / "responder.pem").write_text(pem_cert(responder.cert))
    write_key_pem(d / "responder.key", responder.key)
    for c, label in ((leaf, "leaf"), (leaf2, "leaf2")):
        (d / f"{label}.pem").write_text(pem_cert(c.cert))
    openssl = []
    for label, target, signer, expect in (
        ("openssl-good", "leaf", "responder", "good"),
        ("openssl-revoked", "leaf2", "responder", "revoked"),
        ("openssl-issuer-signed", "leaf", "intermediate", "good"),
    ):
        # openssl's client request (SHA-1 CertID, no nonce), then its responder's answer.
        reqf = d / f"{label}-request.der"
        subprocess.run(["openssl", "ocsp", "-issuer", d / "intermediate.pem", "-cert", d / f"{target}.pem",
                        "-no_nonce", "-reqout", reqf], check=True, capture_output=True)
        subprocess.run(["openssl", "ocsp", "-index", d / "index.txt", "-CA", d / "intermediate.pem",
                        "-rsigner", d / f"{signer}.pem", "-rkey", d / f"{signer}.key",
                        "-reqin", reqf, "-respout", d / f"{label}.der", "-ndays", "1"],
                       check=True, capture_output=True)
        openssl.append(label)
        cases[label] = ((d / f"{label}.der").read_bytes(), expect, target)

    out_cases = {}
    for label, (der, expect, *target) in cases.items():
        (d / f"{label}.der").write_bytes(der)
        out_cases[label] = {"file": f"ocsp/{label}.der", "expect": expect, "cert": (target or ["leaf"])[0]}
    return {
        **entries,
        "leafSerial": format(leaf.cert.serial_number, "x"),
        "requestSha256File": "ocsp/request-sha256.der",
        "indexFile": "ocsp/index.txt",
        "intermediatePem": "ocsp/intermediate.pem",
        "responderPem": "ocsp/responder.pem",
        "responderKey": "ocsp/responder.key",
        "cases": out_cases,
        "openssl": openssl,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    out: Path = ap.parse_args().out
    out.mkdir(parents=True, exist_ok=True)

    index: dict = {"generatedAt": NOW.isoformat().replace("+00:00", "Z"), "algorithms": {}, "negatives": {}}
    roots: dict[str, Cert] = {}
    for alg, (factory, jws, spec, hname) in ALGS.items():
        root = issue(name(f"nv2 test root {alg}"), factory(), None, ca=True, hash_name=hname)
        roots[alg] = root
        leaf = issue(name(f"nv2 test leaf {alg}"), factory(), root, hash_name=hname)
        index["algorithms"][alg] = {
            "alg": jws,
            "keySpec": spec,
            "hash": hname,
            "rootEntry": write(out, f"{alg}/root", root),
            **write(out, f"{alg}/leaf", leaf),
        }

    p256 = ALGS["p256"][0]
    r = roots["p256"]
    neg = index["negatives"]

    def leaf(label: str, **kw) -> Cert:
        return issue(name(f"nv2 test {label}"), kw.pop("key", None) or p256(), kw.pop("issuer", r), **kw)

    neg["expired"] = write(
        out, "neg/expired", leaf("expired", not_before=NOW - 30 * DAY, not_after=NOW - DAY),
        expect="authenticTimestamp", alg="ES256",
    )
    neg["notYetValid"] = write(
        out, "neg/not-yet-valid", leaf("not yet valid", not_before=NOW + DAY, not_after=NOW + 365 * DAY),
        expect="authenticTimestamp", alg="ES256",
    )
    neg["leafIsCa"] = write(out, "neg/leaf-ca-true", leaf("leaf CA true", bc=True), expect="integrity", alg="ES256")
    neg["serverAuthEku"] = write(
        out, "neg/eku-server-auth", leaf("serverAuth EKU", eku=[ExtendedKeyUsageOID.SERVER_AUTH]),
        expect="integrity", alg="ES256",
    )
    neg["keyCertSign"] = write(
        out, "neg/ku-key-cert-sign",
        leaf("keyCertSign", key_usage=ku(digital_signature=True, key_cert_sign=True)),
        expect="integrity", alg="ES256",
    )
    neg["noKeyUsage"] = write(out, "neg/no-key-usage", leaf("no KU", key_usage=None), expect="integrity", alg="ES256")
    neg["rsa1024"] = write(
        out, "neg/rsa1024",
        leaf("rsa1024", key=rsa.generate_private_key(65537, 1024), issuer=roots["rsa2048"]),
        expect="integrity", alg="PS256",
    )

    root3 = issue(name("nv2 test chain3 root"), p256(), None, ca=True)
    inter = issue(name("nv2 test chain3 intermediate"), p256(), root3, ca=True, path_len=0)
    index["chain3"] = {
        "alg": "ES256",
        "rootEntry": write(out, "chain3/root", root3),
        "intermediateEntry": write(out, "chain3/intermediate", inter),
        **write(out, "chain3/leaf", issue(name("nv2 test chain3 leaf"), p256(), inter)),
    }

    uroot = issue(name("nv2 untrusted root", org="elsewhere"), p256(), None, ca=True)
    index["untrusted"] = {
        "alg": "ES256",
        "rootEntry": write(out, "untrusted/root", uroot),
        **write(out, "untrusted/leaf", issue(name("nv2 untrusted leaf", org="elsewhere"), p256(), uroot)),
    }

    ident_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "WA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "acme"),
            x509.NameAttribute(NameOID.COMMON_NAME, "signer"),
        ]
    )
    index["identity"] = {
        "alg": "ES256",
        "trustedIdentity": "x509.subject: C=US, ST=WA, O=acme, CN=signer",
        **write(out, "identity/leaf", issue(ident_name, p256(), r)),
    }

    # Air-gapped revocation (trust-store-trust-policy.md §Certificate Revocation Evaluation): a root
    # whose leaf names a CRL distribution point, and CRLs for it: good (another serial listed),
    # revoked (the leaf, keyCompromise), stale (nextUpdate passed) and one under the root's name
    # signed by an unrelated key.
    croot = issue(name("nv2 test crl root"), p256(), None, ca=True)
    cleaf = issue(name("nv2 test crl leaf"), p256(), croot, crl_url="http://crl.nv2.test/root.crl")
    other = cleaf.cert.serial_number ^ 1
    crl_dir = out / "crl"
    crl_dir.mkdir(parents=True, exist_ok=True)
    key_compromise = x509.ReasonFlags.key_compromise
    index["crl"] = {
        "alg": "ES256",
        "rootEntry": write(out, "crl/root", croot),
        **write(out, "crl/leaf", cleaf),
        "serial": format(cleaf.cert.serial_number, "x"),
        "crls": {
            "good": write_crl(out, "crl/good", make_crl(croot, croot.key, [(other, NOW - DAY, None)], NOW - DAY, NOW + 7 * DAY, 2)),
            "revoked": write_crl(out, "crl/revoked", make_crl(croot, croot.key, [(cleaf.cert.serial_number, NOW - DAY, key_compromise)], NOW - DAY, NOW + 7 * DAY, 3)),
            "stale": write_crl(out, "crl/stale", make_crl(croot, croot.key, [], NOW - 10 * DAY, NOW - DAY, 1)),
            "wrongKey": write_crl(out, "crl/wrong-key", make_crl(croot, p256(), [], NOW - DAY, NOW + 7 * DAY, 4)),
        },
    }

    index["ocsp"] = make_ocsp(out, p256)

    (out / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    n = len(index["algorithms"]) * 2 + len(neg) + 3 + 2 + 1 + 2 + 9
    print(f"make_pki: wrote {n} certificates and {out / 'index.json'}")


if __name__ == "__main__":
    main()
