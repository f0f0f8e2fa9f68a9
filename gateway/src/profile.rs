//! dm3 user profiles as stored in the `eth.dm3.profile` text record.
//!
//! The record value is `data:application/json,` followed by the key-sorted,
//! whitespace-free JSON of `{"profile": {...}, "signature": "0x..."}`; the
//! signature is the owner's EIP-191 `personal_sign` over dm3's registration
//! message (see [`registration_message`]).

use alloy::{
    primitives::{Address, Signature},
    signers::{local::PrivateKeySigner, SignerSync},
};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use serde::{Deserialize, Serialize};

/// Result with [`ProfileError`].
pub type Result<T, E = ProfileError> = std::result::Result<T, E>;

/// Why a dm3 profile record is malformed or its signature does not verify.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A public key is not standard base64 of 32 bytes.
    #[error("{0} must be standard base64 of 32 bytes")]
    KeyEncoding(&'static str),
    /// The signing key is not a point on the Ed25519 curve.
    #[error("publicSigningKey is not a valid Ed25519 point")]
    SigningKeyNotAPoint,
    /// The signing key is a small-order point (anyone could forge for it).
    #[error("publicSigningKey is a small-order Ed25519 point")]
    SigningKeySmallOrder,
    /// The signing key is a second encoding of a point.
    #[error("publicSigningKey is not a canonical Ed25519 encoding")]
    SigningKeyNotCanonical,
    /// A user profile names no delivery service, or an empty one.
    #[error("deliveryServices must be a non-empty list of ENS names")]
    NoDeliveryServices,
    /// A delivery-service URL is not http(s).
    #[error("url must be http(s)")]
    UrlNotHttp,
    /// The record is not a `data:application/json` URI.
    #[error("not a data:application/json URI")]
    NotDataUri,
    /// The `;base64,` form does not decode.
    #[error("bad base64 data URI")]
    BadBase64,
    /// The JSON is not dm3's `SignedUserProfile`.
    #[error("bad JSON: {0}")]
    BadJson(#[source] serde_json::Error),
    /// The record is a profile, but not in the one form a gateway stores.
    #[error("the record must be data:application/json, followed by key-sorted compact JSON")]
    NotCanonical,
    /// The signature is not hex.
    #[error("signature is not hex")]
    SignatureNotHex,
    /// The signature is not 65 bytes `r ‖ s ‖ v`.
    #[error("signature is not 65 bytes r‖s‖v")]
    SignatureNotRsv,
    /// No address recovers from the signature.
    #[error("signature does not recover")]
    SignatureDoesNotRecover,
    /// Another account signed the profile.
    #[error("signed by {signer}, not by the owner {owner}")]
    WrongSigner {
        /// Who signed.
        signer: Address,
        /// Who should have.
        owner: Address,
    },
    /// The owner's signature (EOA or ERC-1271) does not verify.
    #[error("profile is not signed by the owner {0}")]
    NotSignedByOwner(Address),
    /// Signing a profile failed.
    #[error("signing failed: {0}")]
    Sign(#[from] alloy::signers::Error),
}

/// Prefix of a profile record value.
pub const DATA_URI_PREFIX: &str = "data:application/json,";

/// A dm3 user profile. Fields are declared in sorted order so that serde
/// writes the key-sorted JSON that dm3 signs and parses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserProfile {
    /// ENS names of the delivery services that accept messages for this user.
    pub delivery_services: Vec<String>,
    /// Standard base64 of a 32-byte X25519 public key.
    pub public_encryption_key: String,
    /// Standard base64 of a 32-byte Ed25519 public key.
    pub public_signing_key: String,
}

/// A dm3 delivery-service profile (`eth.dm3.deliveryService`), unsigned.
/// Fields in sorted order, as dm3 parses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryServiceProfile {
    /// Standard base64 of the 32-byte X25519 public encryption key.
    pub public_encryption_key: String,
    /// Standard base64 of the 32-byte Ed25519 public signing key.
    pub public_signing_key: String,
    /// The delivery service's HTTPS endpoint.
    pub url: String,
}

impl DeliveryServiceProfile {
    /// Checks both keys (as for user profiles) and that `url` is http(s).
    pub fn validate(&self) -> Result<()> {
        validate_keys(&self.public_encryption_key, &self.public_signing_key)?;
        if !(self.url.starts_with("https://") || self.url.starts_with("http://")) {
            return Err(ProfileError::UrlNotHttp);
        }
        Ok(())
    }

    /// The text-record value: `data:application/json,` + sorted compact JSON.
    pub fn to_text_record(&self) -> String {
        format!("{DATA_URI_PREFIX}{}", serde_json::to_string(self).expect("strings serialize"))
    }
}

/// A profile with its owner's signature, as published in the text record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedUserProfile {
    /// The profile.
    pub profile: UserProfile,
    /// `0x`-hex 65-byte EIP-191 signature of [`registration_message`] by the owner.
    pub signature: String,
}

/// dm3's profile-registration message that the owner signs with `personal_sign`.
pub fn registration_message(owner: Address, profile: &UserProfile) -> String {
    let profile = serde_json::to_string(profile).expect("a profile of strings serializes");
    format!(
        "dm3.chat wants you register your dm3 profile with your Ethereum account:\n{}\n\n\
         This is required only once!\n(There is no paid transaction initiated. The signature is used off-chain only.)\n\n\
         URI: https://dm3.chat\nVersion: 1\ndm3 Profile: {profile}",
        owner.to_checksum(None)
    )
}

impl UserProfile {
    /// Checks the shape: both keys standard base64 of 32 bytes, the signing key a
    /// valid Ed25519 point, at least one non-empty delivery-service name.
    pub fn validate(&self) -> Result<()> {
        validate_keys(&self.public_encryption_key, &self.public_signing_key)?;
        if self.delivery_services.is_empty() || self.delivery_services.iter().any(|ds| ds.is_empty()) {
            return Err(ProfileError::NoDeliveryServices);
        }
        Ok(())
    }
}

/// Both public keys standard base64 of 32 bytes, the signing key a strict
/// Ed25519 public key (see [`check_signing_key`]).
fn validate_keys(encryption: &str, signing: &str) -> Result<()> {
    decode_key("publicEncryptionKey", encryption)?;
    check_signing_key(&decode_key("publicSigningKey", signing)?)
}

/// Checks that `bytes` is an Ed25519 public key that `verify_strict` of
/// ed25519-dalek would accept signatures for: a point on the curve
/// (RFC 8032 §5.1.3), in its canonical encoding (y below the field prime, no
/// "negative zero" x), and not of small order. A small-order key (such as the
/// identity, y = 1) lets anyone make "signatures" that verify under the
/// cofactored equation; a non-canonical encoding is a second byte string for
/// the same point.
pub fn check_signing_key(bytes: &[u8; 32]) -> Result<()> {
    let key = ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| ProfileError::SigningKeyNotAPoint)?;
    if key.is_weak() {
        return Err(ProfileError::SigningKeySmallOrder);
    }
    // Decompression accepts some non-canonical encodings; re-encoding yields the canonical one.
    if key.to_edwards().compress().as_bytes() != bytes {
        return Err(ProfileError::SigningKeyNotCanonical);
    }
    Ok(())
}

fn decode_key(field: &'static str, value: &str) -> Result<[u8; 32]> {
    BASE64.decode(value).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()).ok_or(ProfileError::KeyEncoding(field))
}

impl SignedUserProfile {
    /// Signs `profile` for `owner` the way the dm3 app does (EIP-191 `personal_sign`).
    pub fn sign(profile: UserProfile, owner: &PrivateKeySigner) -> Result<Self> {
        Self::sign_for(profile, owner, owner.address())
    }

    /// Signs the registration message naming `owner` with `key`: for a
    /// contract-wallet owner whose ERC-1271 check accepts `key`'s signatures.
    pub fn sign_for(profile: UserProfile, key: &PrivateKeySigner, owner: Address) -> Result<Self> {
        let message = registration_message(owner, &profile);
        let signature = key.sign_message_sync(message.as_bytes())?;
        Ok(Self { profile, signature: format!("0x{}", alloy::hex::encode(signature.as_bytes())) })
    }

    /// The text-record value: `data:application/json,` + sorted compact JSON.
    pub fn to_text_record(&self) -> String {
        format!("{DATA_URI_PREFIX}{}", serde_json::to_string(self).expect("a profile of strings serializes"))
    }

    /// Parses a text-record value (`data:application/json,` or `;base64,` forms).
    pub fn from_text_record(value: &str) -> Result<Self> {
        let json = if let Some(json) = value.strip_prefix(DATA_URI_PREFIX) {
            json.as_bytes().to_vec()
        } else if let Some(b64) = value.strip_prefix("data:application/json;base64,") {
            BASE64.decode(b64).map_err(|_| ProfileError::BadBase64)?
        } else {
            return Err(ProfileError::NotDataUri);
        };
        serde_json::from_slice(&json).map_err(ProfileError::BadJson)
    }

    /// Checks a text-record value as a dm3 user profile: that it parses
    /// ([`SignedUserProfile::from_text_record`]) and that its profile is valid
    /// ([`UserProfile::validate`]); the signature is not checked (its signer
    /// is not known here). The L2 store flags the profiles this refuses.
    pub fn check_text_record(value: &str) -> Result<()> {
        Self::from_text_record(value)?.profile.validate()
    }

    /// Validates the profile and checks that `owner` signed it.
    pub fn verify(&self, owner: Address) -> Result<()> {
        self.profile.validate()?;
        let bytes = alloy::hex::decode(&self.signature).map_err(|_| ProfileError::SignatureNotHex)?;
        let signature = Signature::from_raw(&bytes).map_err(|_| ProfileError::SignatureNotRsv)?;
        let message = registration_message(owner, &self.profile);
        let signer = signature
            .recover_address_from_msg(message.as_bytes())
            .map_err(|_| ProfileError::SignatureDoesNotRecover)?;
        if signer != owner {
            return Err(ProfileError::WrongSigner { signer, owner });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> UserProfile {
        UserProfile {
            delivery_services: vec!["ds.dm3.eth".into()],
            public_encryption_key: BASE64.encode([7u8; 32]),
            // The Ed25519 base point, a valid public key.
            public_signing_key: BASE64
                .encode(ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key().as_bytes()),
        }
    }

    #[test]
    fn record_is_sorted_compact_json() {
        let owner = PrivateKeySigner::random();
        let signed = SignedUserProfile::sign(profile(), &owner).unwrap();
        let record = signed.to_text_record();
        let expected_start =
            "data:application/json,{\"profile\":{\"deliveryServices\":[\"ds.dm3.eth\"],\"publicEncryptionKey\":\"";
        assert!(record.starts_with(expected_start), "{record}");
        assert!(!record.contains(' '));
        assert_eq!(SignedUserProfile::from_text_record(&record).unwrap(), signed);
        signed.verify(owner.address()).unwrap();
    }

    #[test]
    fn the_text_record_check_refuses_what_does_not_parse_or_validate_and_ignores_the_signature() {
        let owner = PrivateKeySigner::random();
        let signed = SignedUserProfile::sign(profile(), &owner).unwrap();
        SignedUserProfile::check_text_record(&signed.to_text_record()).unwrap();
        // Another signature (not the owner's, not even one): still a well-formed profile.
        let unsigned = SignedUserProfile { signature: "0x00".into(), ..signed.clone() };
        SignedUserProfile::check_text_record(&unsigned.to_text_record()).unwrap();
        for junk in ["", "hello", "data:application/json,{", "data:application/json;base64,%%"] {
            assert!(SignedUserProfile::check_text_record(junk).is_err(), "{junk:?}");
        }
        let mut bad = signed;
        bad.profile.public_encryption_key = "not base64".into();
        assert!(SignedUserProfile::check_text_record(&bad.to_text_record()).is_err());
    }

    #[test]
    fn message_has_dm3_format() {
        let owner: Address = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8".parse().unwrap();
        let message = registration_message(owner, &profile());
        assert!(message.starts_with(
            "dm3.chat wants you register your dm3 profile with your Ethereum account:\n0x70997970C51812dc3A010C7d01b50e0d17dc79C8\n\nThis is required only once!\n"
        ));
        assert!(message.contains("\nURI: https://dm3.chat\nVersion: 1\ndm3 Profile: {\"deliveryServices\""));
    }

    /// Signed independently with ethers v6 `Wallet.signMessage` (anvil key #1)
    /// over dm3's registration message for this profile.
    #[test]
    fn a_profile_signed_with_ethers_verifies_and_one_changed_byte_does_not() {
        let owner: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".parse().unwrap();
        let signed = SignedUserProfile {
            profile: UserProfile {
                delivery_services: vec!["ds.dm3.eth".into()],
                public_encryption_key: "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=".into(),
                public_signing_key: "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=".into(),
            },
            signature: "0x5c1816c5fdd402b955940774845d78c588d00a234d3514a871cbc806e5580ee13c5462a4f438cfc2268a5dbbf8edcbf839d0c16f662d3d946939f1949336a6d91b".into(),
        };
        signed.verify(owner).unwrap();
        let mut changed = signed.clone();
        changed.profile.delivery_services = vec!["ds.dm3.eti".into()];
        assert!(changed.verify(owner).is_err());
        let mut changed = signed;
        changed.signature.replace_range(10..11, "0");
        assert!(changed.verify(owner).is_err());
    }

    #[test]
    fn tampering_or_other_owner_fails() {
        let owner = PrivateKeySigner::random();
        let signed = SignedUserProfile::sign(profile(), &owner).unwrap();
        let mut tampered = signed.clone();
        tampered.profile.delivery_services = vec!["evil.eth".into()];
        assert!(tampered.verify(owner.address()).is_err());
        assert!(signed.verify(PrivateKeySigner::random().address()).is_err());
    }

    /// The identity (y = 1), y = -1 (order 2) and the other small-order
    /// points, non-canonical encodings, and a key that is not on the curve
    /// are all `invalid_profile`; real keys pass.
    #[test]
    fn signing_keys_are_checked_strictly() {
        let identity = {
            let mut key = [0u8; 32];
            key[0] = 1;
            key
        };
        // y = p - 1 = 2^255 - 20: the point (0, -1), of order 2.
        let minus_one = {
            let mut key = [0xff; 32];
            key[0] = 0xec;
            key[31] = 0x7f;
            key
        };
        // y = p + 1 ≡ 1: a non-canonical encoding of the identity (y not reduced).
        let identity_unreduced = {
            let mut key = [0xff; 32];
            key[0] = 0xee;
            key[31] = 0x7f;
            key
        };
        // The base point with the sign bit of x flipped is a different, valid point;
        // the identity with the sign bit set is "negative zero", non-canonical.
        let identity_negative_zero = {
            let mut key = identity;
            key[31] |= 0x80;
            key
        };
        let weak = [identity, minus_one];
        for key in weak {
            let error = check_signing_key(&key).unwrap_err();
            assert!(matches!(error, ProfileError::SigningKeySmallOrder), "{error}");
            assert!(error.to_string().contains("small-order"), "{error}");
        }
        for key in [identity_unreduced, identity_negative_zero] {
            let error = check_signing_key(&key).unwrap_err();
            assert!(
                matches!(
                    error,
                    ProfileError::SigningKeyNotAPoint
                        | ProfileError::SigningKeyNotCanonical
                        | ProfileError::SigningKeySmallOrder
                ),
                "{}: {error}",
                alloy::hex::encode(key)
            );
        }
        // Non-canonical encodings of large-order points: y = p + k for the
        // small k that are the y of such a point (k itself is the canonical form).
        let mut non_canonical = 0;
        for k in 2u8..19 {
            let mut canonical = [0u8; 32];
            canonical[0] = k;
            if check_signing_key(&canonical).is_err() {
                continue;
            }
            let mut unreduced = [0xff; 32];
            unreduced[0] = 0xed + k; // p = 2^255 - 19 ends in 0xed
            unreduced[31] = 0x7f;
            let error = check_signing_key(&unreduced).unwrap_err();
            assert!(error.to_string().contains("not a canonical"), "y = p + {k}: {error}");
            non_canonical += 1;
        }
        assert!(non_canonical > 0, "no large-order point with y < 19 was found");
        for seed in [[1u8; 32], [42u8; 32], [0xfe; 32]] {
            let key = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
            check_signing_key(key.as_bytes()).unwrap();
        }
        let mut p = profile();
        p.public_signing_key = BASE64.encode(identity);
        assert!(matches!(p.validate().unwrap_err(), ProfileError::SigningKeySmallOrder));
    }

    #[test]
    fn rejects_bad_shapes() {
        let mut p = profile();
        p.public_encryption_key = BASE64.encode([1u8; 31]);
        assert!(p.validate().is_err());
        let mut p = profile();
        p.delivery_services.clear();
        assert!(p.validate().is_err());
        let mut p = profile();
        p.public_signing_key = "not base64!".into();
        assert!(p.validate().is_err());
        assert!(SignedUserProfile::from_text_record("data:application/json,{\"profile\":{},\"x\":1}").is_err());
        assert!(SignedUserProfile::from_text_record("https://example.com").is_err());
    }
}
