//! An identity provider's key set (JWKS, RFC 7517), parsed with jsonwebtoken's `jwk`
//! module: each key with the algorithms it verifies, taken from the key (its `alg`, or
//! its type and curve), never from a token.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

/// The algorithms an RSA key without `alg` verifies.
const RSA: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// One verifying key of the set.
pub struct Key {
    pub kid: Option<String>,
    /// What it verifies: one algorithm, or the RSA family for an RSA key without `alg`.
    pub algorithms: Vec<Algorithm>,
    pub decoding: DecodingKey,
}

/// The usable keys of a set; keys for encryption, symmetric keys and keys of a type or
/// curve envgate can't verify with are left out (logged), the others still work.
#[derive(Default)]
pub struct KeySet {
    keys: Vec<Key>,
}

/// What a token's `kid` finds in a set.
pub enum Lookup<'a> {
    Found(&'a Key),
    /// The token names a key the set does not hold (maybe one newer than the set).
    Unknown,
    /// The token names no key and the set holds several.
    KidRequired,
}

impl KeySet {
    /// Parses a JWKS document; fails only when it is not one (not JSON, no `keys` list).
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document: Document = serde_json::from_slice(bytes)
            .map_err(|e| format!("not a JWKS document (a JSON object with `keys`): {e}"))?;
        let keys = document
            .keys
            .into_iter()
            .filter_map(|value| {
                let parsed = serde_json::from_value::<Jwk>(value)
                    .map_err(|e| e.to_string())
                    .and_then(|jwk| usable(&jwk));
                parsed
                    .inspect_err(|reason| {
                        tracing::debug!(reason, "a key of the identity provider's set is not used")
                    })
                    .ok()
            })
            .collect();
        Ok(Self { keys })
    }

    /// How many keys can verify tokens.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key a token's `kid` names. Without a `kid`, the set must hold one key; a set
    /// of one key without an id verifies whatever a token names.
    pub fn find(&self, kid: Option<&str>) -> Lookup<'_> {
        match (kid, self.keys.as_slice()) {
            (_, [only]) if only.kid.is_none() => Lookup::Found(only),
            (None, [only]) => Lookup::Found(only),
            (None, []) => Lookup::Unknown,
            (None, _) => Lookup::KidRequired,
            (Some(kid), keys) => keys
                .iter()
                .find(|k| k.kid.as_deref() == Some(kid))
                .map_or(Lookup::Unknown, Lookup::Found),
        }
    }
}

/// The key of `jwk` with the algorithms it verifies, or why it is left out.
fn usable(jwk: &Jwk) -> Result<Key, String> {
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return Err("an encryption key (`use: enc`)".into());
    }
    let declared = match jwk.common.key_algorithm {
        None => None,
        Some(alg) => Some(
            Algorithm::try_from(alg)
                .ok()
                .filter(|a| !matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
                .ok_or_else(|| format!("`alg` {alg} does not sign tokens envgate verifies"))?,
        ),
    };
    let family: Vec<Algorithm> = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => RSA.to_vec(),
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => vec![Algorithm::ES256],
            EllipticCurve::P384 => vec![Algorithm::ES384],
            ref other => return Err(format!("EC curve {other:?} is not supported")),
        },
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            vec![Algorithm::EdDSA]
        }
        AlgorithmParameters::OctetKey(_) => {
            return Err("a symmetric key (`kty: oct`) is never used".into());
        }
        _ => return Err("a key type or curve envgate can't verify with".into()),
    };
    let algorithms = match declared {
        Some(alg) if family.contains(&alg) => vec![alg],
        Some(alg) => {
            return Err(format!(
                "`alg` {} does not fit the key's type",
                KeyAlgorithm::from(alg)
            ));
        }
        None => family,
    };
    let decoding = DecodingKey::from_jwk(jwk).map_err(|e| format!("a malformed key: {e}"))?;
    Ok(Key {
        kid: jwk.common.key_id.clone(),
        algorithms,
        decoding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_keys_are_left_out_and_the_others_kept() {
        let set = KeySet::parse(
            br#"{"keys": [
                {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
                {"kty": "OKP", "crv": "X25519", "x": "AAAA", "kid": "x"},
                {"kty": "EC", "crv": "P-256", "alg": "RS256", "kid": "mismatch",
                 "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                 "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
                {"kty": "EC", "crv": "P-256", "use": "enc", "kid": "enc",
                 "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                 "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
                {"kty": "RSA", "kid": "broken"},
                {"kid": "kc-enc", "kty": "RSA", "alg": "RSA-OAEP", "use": "enc",
                 "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUQ", "e": "AQAB",
                 "x5c": ["MIICmzCCAYMCBgGJ"], "x5t": "Xq3", "x5t#S256": "kqB"},
                {"kid": "kc-sig", "kty": "RSA", "alg": "RS256", "use": "sig",
                 "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUQ", "e": "AQAB",
                 "x5c": ["MIICmzCCAYMCBgGJ"], "x5t": "Xq3", "x5t#S256": "kqB"},
                {"kty": "EC", "crv": "P-256", "kid": "good",
                 "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                 "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
            ]}"#,
        )
        .unwrap();
        // Keycloak's signing key (with its certificate fields) and the EC key.
        assert_eq!(set.len(), 2);
        assert!(
            matches!(set.find(Some("kc-sig")), Lookup::Found(k) if k.algorithms == [Algorithm::RS256])
        );
        assert!(matches!(set.find(Some("kc-enc")), Lookup::Unknown));
        assert!(matches!(set.find(None), Lookup::KidRequired));
        let Lookup::Found(key) = set.find(Some("good")) else {
            panic!("the good key is found");
        };
        assert_eq!(key.algorithms, [Algorithm::ES256]);
        assert!(matches!(set.find(Some("hmac")), Lookup::Unknown));
        assert!(KeySet::parse(b"[]").is_err());
        assert!(KeySet::parse(b"{\"keys\": 3}").is_err());
    }
}
