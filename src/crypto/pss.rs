//! RSASSA-PSS: verification with a given salt length and the `RSASSA-PSS-params` reader
//! (RFC 4055 §3.1, RFC 8017 A.2.3).

use const_oid::ObjectIdentifier;
use der::asn1::AnyRef;
use der::{Decode, Reader, SliceReader, Tagged};
use sha2::{Sha256, Sha384, Sha512};
use spki::AlgorithmIdentifierRef;

use super::{malformed, sequence_contents, CryptoError, HashAlgorithm};

const ID_MGF1: ObjectIdentifier = const_oid::db::rfc5912::ID_MGF_1;

pub(super) fn verify_pss(
    key: &rsa::PublicKey,
    hash: HashAlgorithm,
    prehash: &[u8],
    signature: &[u8],
    _strict_salt: bool,
) -> Result<(), CryptoError> {
    verify_pss_salt(key, hash, prehash, signature, hash.output_len())
}

pub(super) fn verify_pss_salt(
    key: &rsa::PublicKey,
    hash: HashAlgorithm,
    prehash: &[u8],
    signature: &[u8],
    salt: usize,
) -> Result<(), CryptoError> {
    let res = match hash {
        HashAlgorithm::Sha256 => {
            key.verify(rsa::Pss::<Sha256>::new_with_salt(salt), prehash, signature)
        }
        HashAlgorithm::Sha384 => {
            key.verify(rsa::Pss::<Sha384>::new_with_salt(salt), prehash, signature)
        }
        HashAlgorithm::Sha512 => {
            key.verify(rsa::Pss::<Sha512>::new_with_salt(salt), prehash, signature)
        }
    };
    res.map_err(|_| CryptoError::BadSignature)
}

/// RSASSA-PSS-params (RFC 4055 §3.1, RFC 8017 A.2.3): hash, MGF1 with the same hash, salt
/// length, trailer 1.
///
/// ```text
/// SEQUENCE { hashAlgorithm    [0] EXPLICIT AlgorithmIdentifier DEFAULT sha1,
///            maskGenAlgorithm [1] EXPLICIT AlgorithmIdentifier DEFAULT mgf1SHA1,
///            saltLength       [2] EXPLICIT INTEGER DEFAULT 20,
///            trailerField     [3] EXPLICIT INTEGER { trailerFieldBC(1) } DEFAULT 1 }
/// ```
///
/// Read with a flat TLV walk rather than `pkcs1`'s derived decoder, which costs the wasm about
/// 10 KB. Each field is decoded as strictly as `pkcs1` decodes it (DER, nothing trailing); in
/// addition, fields must be in order and appear at most once.
pub(super) fn parse_pss_params(
    parameters: Option<&[u8]>,
) -> Result<(HashAlgorithm, usize), CryptoError> {
    let der =
        parameters.ok_or_else(|| CryptoError::Malformed("RSASSA-PSS without parameters".into()))?;
    let bad = malformed("RSASSA-PSS parameters");
    // The contents of the explicit [0]..[3] fields present.
    let mut fields: [Option<&[u8]>; 4] = [None; 4];
    let mut reader = SliceReader::new(sequence_contents(der).map_err(&bad)?).map_err(&bad)?;
    let mut next = 0;
    while !reader.is_finished() {
        let field = AnyRef::decode(&mut reader).map_err(&bad)?;
        let n = match field.tag() {
            der::Tag::ContextSpecific {
                constructed: true,
                number,
            } => number.0 as usize,
            tag => {
                return Err(bad(der::ErrorKind::TagUnexpected {
                    expected: None,
                    actual: tag,
                }
                .into()))
            }
        };
        if n < next || n >= fields.len() {
            return Err(bad(der::Tag::Sequence.value_error().into()));
        }
        fields[n] = Some(field.value());
        next = n + 1;
    }

    let hash_oid = match fields[0] {
        Some(v) => AlgorithmIdentifierRef::from_der(v).map_err(&bad)?.oid,
        None => const_oid::db::rfc5912::ID_SHA_1,
    };
    let hash = HashAlgorithm::from_oid(&hash_oid)
        .ok_or_else(|| CryptoError::UnsupportedAlgorithm(format!("RSASSA-PSS hash {hash_oid}")))?;
    // The MGF1 hash: the default is mgf1SHA1, which never matches a supported hash.
    let mgf_hash = match fields[1] {
        Some(v) => {
            // AlgorithmIdentifier { MGF OID, parameters: itself an AlgorithmIdentifier (RFC 8017
            // A.2.1) }, walked as TLVs so the parameters need no re-encoding.
            let mut mask_gen =
                SliceReader::new(sequence_contents(v).map_err(&bad)?).map_err(&bad)?;
            let mgf_oid = ObjectIdentifier::decode(&mut mask_gen).map_err(&bad)?;
            let params = match mask_gen.is_finished() {
                true => None,
                false => {
                    let tlv = mask_gen.tlv_bytes().map_err(&bad)?;
                    Some(AlgorithmIdentifierRef::from_der(tlv).map_err(&bad)?.oid)
                }
            };
            mask_gen.finish().map_err(&bad)?;
            if mgf_oid != ID_MGF1 {
                return Err(CryptoError::UnsupportedAlgorithm(
                    "RSASSA-PSS mask generation".into(),
                ));
            }
            params.ok_or_else(|| CryptoError::Malformed("MGF1 without hash".into()))?
        }
        None => const_oid::db::rfc5912::ID_SHA_1,
    };
    let salt = match fields[2] {
        Some(v) => u8::from_der(v).map_err(&bad)?,
        None => 20,
    };
    if let Some(v) = fields[3] {
        if u8::from_der(v).map_err(&bad)? != 1 {
            return Err(bad(der::Tag::Integer.value_error().into()));
        }
    }
    if HashAlgorithm::from_oid(&mgf_hash) != Some(hash) {
        return Err(CryptoError::UnsupportedAlgorithm(
            "MGF1 hash differs from the PSS hash".into(),
        ));
    }
    Ok((hash, usize::from(salt)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DER TLV with a short-form length (test inputs stay under 128 bytes).
    fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let body = parts.concat();
        let mut out = vec![tag, u8::try_from(body.len()).unwrap()];
        out.extend_from_slice(&body);
        out
    }

    /// The former decoder (pkcs1's derived one and the same checks), as the reference.
    fn pss_reference(der: &[u8]) -> Option<(HashAlgorithm, usize)> {
        let params = rsa::pkcs1::RsaPssParams::<der::Any>::from_der(der).ok()?;
        let hash = HashAlgorithm::from_oid(&params.hash.oid)?;
        let mgf = params.mask_gen.parameters.as_ref()?.oid;
        (params.mask_gen.oid == ID_MGF1 && HashAlgorithm::from_oid(&mgf) == Some(hash))
            .then_some((hash, usize::from(params.salt_len)))
    }

    #[test]
    fn pss_params_agree_with_pkcs1() {
        let sha = |n: u8| {
            tlv(
                0x30,
                &[
                    &[0x06, 9, 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, n],
                    &[0x05, 0],
                ],
            )
        };
        let mgf1 = |hash: &[u8]| {
            tlv(
                0x30,
                &[
                    &[0x06, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 8],
                    hash,
                ],
            )
        };
        let params =
            |fields: &[Vec<u8>]| tlv(0x30, &fields.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let int = |v: &[u8]| tlv(0x02, &[v]);
        let f = |n: u8, v: &[u8]| tlv(0xa0 | n, &[v]);

        let mut valid = Vec::new();
        for (n, hash, salt) in [
            (1, HashAlgorithm::Sha256, 32u8),
            (2, HashAlgorithm::Sha384, 48),
            (3, HashAlgorithm::Sha512, 64),
        ] {
            let base = [f(0, &sha(n)), f(1, &mgf1(&sha(n))), f(2, &int(&[salt]))];
            let der = params(&base);
            assert_eq!(
                parse_pss_params(Some(&der)).unwrap(),
                (hash, usize::from(salt))
            );
            let mut with_trailer = base.to_vec();
            with_trailer.push(f(3, &int(&[1])));
            let der = params(&with_trailer);
            assert_eq!(
                parse_pss_params(Some(&der)).unwrap(),
                (hash, usize::from(salt))
            );
            valid.push(der);
        }
        let s256 = sha(1);
        let m256 = mgf1(&s256);
        // Default salt (20); trailer 2; MGF1 over another hash; MGF1 without a hash; the SHA-1
        // defaults; fields out of order or repeated; a salt that is not DER; trailing data.
        let cases = [
            params(&[f(0, &s256), f(1, &m256)]),
            params(&[
                f(0, &s256),
                f(1, &m256),
                f(2, &int(&[32])),
                f(3, &int(&[2])),
            ]),
            params(&[f(0, &s256), f(1, &mgf1(&sha(2))), f(2, &int(&[32]))]),
            params(&[
                f(0, &s256),
                f(1, &tlv(0x30, &[&m256[2..13]])),
                f(2, &int(&[32])),
            ]),
            params(&[]),
            params(&[f(0, &s256)]),
            params(&[f(1, &m256), f(0, &s256)]),
            params(&[f(0, &s256), f(1, &m256), f(2, &int(&[0, 32]))]),
            params(&[f(0, &s256), f(1, &m256), f(2, &int(&[1, 0]))]),
            [params(&[f(0, &s256), f(1, &m256)]), vec![0x05, 0]].concat(),
            tlv(0x31, &[&f(0, &s256)]),
        ];
        assert_eq!(
            parse_pss_params(Some(&cases[0])).unwrap(),
            (HashAlgorithm::Sha256, 20)
        );
        for (i, der) in cases.iter().enumerate().skip(1) {
            assert!(parse_pss_params(Some(der)).is_err(), "case {i}");
            assert!(pss_reference(der).is_none(), "case {i}");
        }
        assert!(parse_pss_params(None).is_err());
        // Every truncation and every single-byte change of the valid encodings decodes the same
        // way as the reference decoder, except where ours is stricter (field order, repeats).
        assert_eq!(pss_reference(&cases[0]), Some((HashAlgorithm::Sha256, 20)));
        for der in &valid {
            assert_eq!(pss_reference(der), parse_pss_params(Some(der)).ok());
            for len in 0..der.len() {
                assert!(parse_pss_params(Some(&der[..len])).is_err());
            }
            for i in 0..der.len() {
                for b in [0x00, 0x01, 0x05, 0x30, 0x80, 0xa0, 0xa1, 0xa2, 0xa3, 0xff] {
                    let mut m = der.clone();
                    m[i] = b;
                    if let Ok(ours) = parse_pss_params(Some(&m)) {
                        assert_eq!(Some(ours), pss_reference(&m), "byte {i} = {b:#x}");
                    }
                }
            }
        }
    }
}
