#!/usr/bin/env python3
"""Acts as the CA for the portal test: reads a PKCS#10 request (PEM) on stdin, checks its
signature, and prints a Notary code-signing leaf for its public key and subject (KU
digitalSignature critical, EKU codeSigning, BC CA:false; valid now-1h .. now+30d), issued by the
CA whose certificate and key are given, followed by the CA certificate (the chain, leaf first).
Usage: issue_cert.py --ca-cert root/cert.pem --ca-key root/key.pem < request.pem
"""
import argparse
import datetime as dt
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ca-cert", required=True)
    ap.add_argument("--ca-key", required=True)
    a = ap.parse_args()
    csr = x509.load_pem_x509_csr(sys.stdin.buffer.read())
    if not csr.is_signature_valid:
        sys.exit("issue_cert: the certificate request's signature is invalid")
    ca_cert = x509.load_pem_x509_certificate(open(a.ca_cert, "rb").read())
    ca_key = serialization.load_pem_private_key(open(a.ca_key, "rb").read(), None)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca_cert.subject)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM).decode()
    sys.stdout.write(pem(cert) + pem(ca_cert))


if __name__ == "__main__":
    main()
