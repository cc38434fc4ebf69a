//! Building OCSP requests (RFC 6960 §4.1.1, Appendix A.1): the `CertID` of a certificate under
//! its issuer and the GET form of a request.

use super::*;

/// The hash of a `CertID` (RFC 6960 §4.1.1): the two accepted in responses, and the choice for
/// [`request_der_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertIdHash {
    /// `id-sha1` (RFC 3279 §2.2): what notation-core-go requests. Only a lookup key here, never
    /// a signature hash.
    Sha1,
    /// `id-sha256` (RFC 5754 §2): what [`request_der`] requests.
    Sha256,
}

impl CertIdHash {
    pub(super) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            CertIdHash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            CertIdHash::Sha256 => HashAlgorithm::Sha256.digest(data),
        }
    }
}

/// The contents of a certificate's `subjectPublicKey` BIT STRING (RFC 6960 §4.1.1
/// `issuerKeyHash`, §4.2.1 `KeyHash`: "excluding the tag and length fields"), without the
/// unused-bits octet, as Go and OpenSSL hash it.
pub(super) fn public_key_bits(cert: &Certificate) -> Vec<u8> {
    let bits = (|| -> der::Result<Vec<u8>> {
        let mut r = SliceReader::new(sequence_contents(cert.spki_der())?)?;
        alg_id(&mut r)?;
        Ok(BitStringRef::decode(&mut r)?.raw_bytes().to_vec())
    })();
    // The certificate's parse already walked this SPKI; an error cannot happen.
    bits.unwrap_or_default()
}

/// Appends a DER TLV with a definite, minimal length (X.690 §8.1.3, §10.1).
pub(super) fn push_tlv(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let sig = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | sig.len() as u8);
        out.extend_from_slice(sig);
    }
    out.extend_from_slice(contents);
}

fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 4);
    push_tlv(&mut out, tag, contents);
    out
}

/// The DER `CertID` (RFC 6960 §4.1.1) of `cert` under `issuer` with `hash`: the
/// AlgorithmIdentifier with NULL parameters (as Go, OpenSSL and pyca `cryptography` write it),
/// the hash of the issuer's raw subject name, of its public key bits, and the serial.
fn cert_id(cert: &Certificate, issuer: &Certificate, hash: CertIdHash) -> Vec<u8> {
    let oid = match hash {
        CertIdHash::Sha1 => ID_SHA1,
        CertIdHash::Sha256 => ID_SHA256,
    };
    let mut alg = tlv(0x06, oid.as_bytes());
    push_tlv(&mut alg, 0x05, &[]);
    let mut id = tlv(0x30, &alg);
    push_tlv(&mut id, 0x04, &hash.digest(issuer.raw_subject()));
    push_tlv(&mut id, 0x04, &hash.digest(&public_key_bits(issuer)));
    push_tlv(&mut id, 0x02, cert.serial());
    tlv(0x30, &id)
}

/// The DER `OCSPRequest` (RFC 6960 §4.1.1) for `cert` issued by `issuer`: one `Request` whose
/// `CertID` is SHA-256 over the issuer's raw subject name and its `subjectPublicKey` BIT STRING
/// contents, with `cert`'s serial; version v1 (DEFAULT, so not encoded), no requestorName, no
/// extensions (no nonce) and no signature.
///
/// notation-core-go sends the same request but with a SHA-1 CertID (x/crypto/ocsp
/// `CreateRequest` with `crypto.SHA1`: its comment says the Microsoft, Entrust, Let's Encrypt and
/// some DigiCert responders did not answer SHA-256 CertIDs); a fetching layer that meets such a
/// responder can retry with [`request_der_with`] and [`CertIdHash::Sha1`]. Responses with either
/// hash are accepted by [`check_response`]. The bytes are those of pyca `cryptography`'s
/// `OCSPRequestBuilder` with `SHA256` (tests/revocation_ocsp.rs).
pub fn request_der(cert: &Certificate, issuer: &Certificate) -> Vec<u8> {
    request_der_with(cert, issuer, CertIdHash::Sha256)
}

/// [`request_der`] with the CertID hash chosen (RFC 6960 §4.1.1); with [`CertIdHash::Sha1`] the
/// request notation-core-go sends, byte for byte that of `openssl ocsp -no_nonce`
/// (tests/revocation_ocsp.rs).
pub fn request_der_with(cert: &Certificate, issuer: &Certificate, hash: CertIdHash) -> Vec<u8> {
    let request = tlv(0x30, &cert_id(cert, issuer, hash));
    let request_list = tlv(0x30, &request);
    let tbs_request = tlv(0x30, &request_list);
    tlv(0x30, &tbs_request)
}

/// The path segment of an OCSP GET (RFC 6960 Appendix A.1, RFC 5019 §5): the request in standard
/// base64 (with padding), then URL-encoded (`+`, `/`, `=` percent-encoded, as Go's
/// `url.QueryEscape`). Callers append it to the responder URL after a `/` when it is shorter
/// than [`MAX_GET_SUFFIX_LEN`] and POST the DER otherwise.
pub fn request_get_suffix(request_der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let b64 = Base64::encode_string(request_der);
    let mut out = String::with_capacity(b64.len() + 16);
    for c in b64.chars() {
        match c {
            '+' => out.push_str("%2B"),
            '/' => out.push_str("%2F"),
            '=' => out.push_str("%3D"),
            c => out.push(c),
        }
    }
    out
}
