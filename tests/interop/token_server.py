#!/usr/bin/env python3
"""A minimal distribution token issuer (Bearer auth) for the registry tests.

Creates a self-signed P-256 CA certificate, writes it to --cert (the registry's
`rootcertbundle`) and serves GET /token on 127.0.0.1. ES256 JWTs carry the certificate in the
header (`x5c`), the claims distribution checks (iss, sub, aud = service, exp, nbf, iat, jti,
access). One user (--username/--password, Basic) is granted the actions it asks for; anonymous
requests get a token with an empty `access` (the registry then answers "insufficient scope");
wrong credentials get 401.

Prints `PORT <n>` once listening, then one `REQ <json>` line per token request (the Node tests
read them to check scopes and token caching).
"""
import argparse
import base64
import datetime
import json
import secrets
import sys
import time
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG_LOCK = threading.Lock()
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def make_ca(path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nv2 test token issuer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def parse_scope(s):
    # repository:<name>:<actions>; the name itself may not contain ':' here (no ports in names).
    parts = s.split(":")
    if len(parts) < 3:
        return None
    return {"type": parts[0], "name": ":".join(parts[1:-1]), "actions": [a for a in parts[-1].split(",") if a]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--username", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--service", default="nv2-test-registry")
    ap.add_argument("--issuer", default="nv2-test-issuer")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    key, cert = make_ca(args.cert)
    x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()

    def issue(sub, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": [x5c]}
        claims = {
            "iss": args.issuer,
            "sub": sub,
            "aud": args.service,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status, obj, extra=()):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            u = urlparse(self.path)
            if u.path != "/token":
                return self.reply(404, {"error": "not found"})
            q = parse_qs(u.query)
            scopes = q.get("scope", [])
            user = None
            auth = self.headers.get("Authorization")
            status = "anonymous"
            if auth:
                ok = False
                if auth.startswith("Basic "):
                    try:
                        u_, _, p_ = base64.b64decode(auth[6:]).decode().partition(":")
                        ok = u_ == args.username and p_ == args.password
                    except Exception:
                        ok = False
                if not ok:
                    status = "denied"
                else:
                    user, status = args.username, "ok"
            line = "REQ " + json.dumps({"service": q.get("service", [None])[0], "scopes": scopes, "auth": status})
            # Requests are served on several threads: one whole line at a time.
            with LOG_LOCK:
                print(line, flush=True)
            if status == "denied":
                return self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                                  [("WWW-Authenticate", 'Basic realm="nv2-token"')])
            if q.get("service", [None])[0] != args.service:
                return self.reply(400, {"errors": [{"code": "DENIED", "message": "unknown service"}]})
            access = []
            if user is not None:
                for s in scopes:
                    p = parse_scope(s)
                    if p and p["type"] == "repository":
                        access.append(p)
            token = issue(user or "", access)
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.reply(200, {"token": token, "access_token": token, "expires_in": 300, "issued_at": now})

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"PORT {srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
