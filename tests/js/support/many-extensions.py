"""A code-signing leaf with N extra (unrecognised, non-critical) extensions, issued by a test root.

For tests/js/hostile.test.mjs (threat model 26: a certificate well inside the size limits whose
extension count drives the parser's work). RFC 5280 §4.2 lets a certificate carry any number of
extensions, each OID at most once; a verifier must ignore unrecognised non-critical ones, so only
a budget bounds them. Usage: many-extensions.py ROOT_KEY.pem ROOT_CERT.pem N → JSON
{ "key": leaf key PEM, "chain": leaf + root PEM } on stdout.
"""

import datetime
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def main() -> None:
    root_key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
    root = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
    count = int(sys.argv[3])
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nv2 hostile many extensions")]))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
    )
    for i in range(count):
        oid = x509.ObjectIdentifier(f"1.3.6.1.4.1.55555.{i}")
        b = b.add_extension(x509.UnrecognizedExtension(oid, b"\x05\x00"), critical=False)
    cert = b.sign(root_key, hashes.SHA256())
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM).decode()
    print(
        json.dumps(
            {
                "key": key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                ).decode(),
                "chain": pem(cert) + pem(root),
            }
        )
    )


if __name__ == "__main__":
    main()
