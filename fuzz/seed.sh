#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ (git-ignored) from the conformance vectors (tests/vectors/notation),
# the generated test PKI (`make pki` → tests/.work/pki, used when present) and the small
# hand-picked seeds committed under fuzz/seeds/<target>/. Files are classified by content, not
# name, and named by their SHA-256 (libFuzzer's convention), so reruns add nothing twice.
# Usage: fuzz/seed.sh [PKI_DIR [OUT_DIR]]   (from anywhere; `make fuzz-seed` runs it after
# `make pki`). PKI_DIR `-` means none (vectors and fuzz/seeds only); OUT_DIR defaults to
# fuzz/corpus (`make fuzz-smoke` seeds a throwaway fuzz/smoke instead, so its run time does not
# grow with the corpora long runs leave behind).
set -euo pipefail
cd "$(dirname "$0")/.."
PKI=${1:-tests/.work/pki}
OUT=${2:-fuzz/corpus}
python3 - "$PKI" "$OUT" <<'PY'
import base64, hashlib, json, os, re, shutil, sys
pki = sys.argv[1]
out = sys.argv[2]
MAX = 256 * 1024  # larger inputs slow every execution; the vectors hold none worth that
count = {}

def put(target, data):
    if not data or len(data) > MAX:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, hashlib.sha256(data).hexdigest())
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)
        count[target] = count.get(target, 0) + 1

PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\s+(.*?)-----END \1-----", re.S)

def der_kind(b):
    # Certificate: SEQUENCE { SEQUENCE (tbs) { [0] version | INTEGER ... } }; a CRL's tbs starts
    # with INTEGER version then an AlgorithmIdentifier; CMS ContentInfo starts with an OID.
    if len(b) < 8 or b[0] != 0x30:
        return None
    i = 2 + (b[1] & 0x7f if b[1] & 0x80 else 0)
    if b[i:i+1] == b"\x06":
        return "cms"
    if b[i:i+1] != b"\x30":
        return None
    j = i + 2 + (b[i+1] & 0x7f if b[i+1] & 0x80 else 0)
    if b[j:j+1] == b"\xa0":
        return "cert"
    if b[j:j+1] == b"\x02" and b[j+1:j+2] == b"\x01" and b[j+3:j+4] == b"\x30":
        return "crl" if b[j+2] == 1 else "cert"
    return "cert"

def classify(data):
    s = data.lstrip()
    if data[:1] in (b"\xd2", b"\x84"):
        put("envelope_cose", data)
        put("cbor", data)
        return
    if s.startswith(b"{"):
        try:
            v = json.loads(data)
        except Exception:
            return
        if not isinstance(v, dict):
            return
        if "protected" in v or "payload" in v:
            put("envelope_jws", data)
        elif "trustPolicies" in v or "version" in v and "trustPolicies" in json.dumps(v):
            put("trust_policy", data)
        elif any(k in v for k in ("mediaType", "schemaVersion", "manifests", "layers", "digest")):
            put("oci", data)
        return
    if b"-----BEGIN" in data:
        put("pem_keys", data)
        for m in PEM.finditer(data):
            try:
                der = base64.b64decode(b"".join(m.group(2).split()))
            except Exception:
                continue
            classify_der(der, m.group(1))
        return
    classify_der(data, None)

def classify_der(der, label):
    k = der_kind(der)
    if label and b"PRIVATE KEY" in label:
        put("pem_keys", der)
    elif label == b"X509 CRL" or k == "crl":
        put("crl", der)
    elif k == "cms":
        put("timestamp_token", der)
        put("timestamp_der", der)
    elif k == "cert":
        put("x509_cert", der)
        put("timestamp_der", der)

# OCSP responses (RFC 6960) of the test PKI: make_pki.py writes them under ocsp/ as .der.
if pki != "-" and os.path.isdir(os.path.join(pki, "ocsp")):
    for f in sorted(os.listdir(os.path.join(pki, "ocsp"))):
        if f.endswith(".der") and "request" not in f:
            with open(os.path.join(pki, "ocsp", f), "rb") as fh:
                put("ocsp", fh.read())

for base in ("tests/vectors/notation",) + (() if pki == "-" else (pki,)):
    for root, _, files in os.walk(base):
        for f in files:
            p = os.path.join(root, f)
            if os.path.getsize(p) <= MAX:
                with open(p, "rb") as fh:
                    classify(fh.read())
for t in sorted(os.listdir("fuzz/seeds")):
    for f in sorted(os.listdir(os.path.join("fuzz/seeds", t))):
        with open(os.path.join("fuzz/seeds", t, f), "rb") as fh:
            put(t, fh.read())
print("seeded (new files per target):", json.dumps(count, sort_keys=True))
if pki == "-":
    print("seeded from the vectors and fuzz/seeds only (no PKI asked for)")
elif not os.path.isdir(pki):
    print(f"note: no PKI at {pki} (run `make pki`): seeded from the vectors only")
PY
