//! The records part of a names-API write: parsing, limits, the signed hash,
//! and the dm3 profile rules.

use super::error::{RecordsError, Result};
use crate::{
    profile::{ProfileError, SignedUserProfile},
    store::NameRecord,
};
use alloy::primitives::{keccak256, Address, Bytes, B256};
use dm3_protocol::{is_evm_coin_type, text_keys::is_profile_key, COIN_TYPE_DEFAULT_EVM, COIN_TYPE_ETH};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most text records per name.
pub const MAX_TEXTS: usize = 32;
/// Longest text key, in bytes.
pub const MAX_TEXT_KEY_BYTES: usize = 256;
/// Longest text value, in bytes.
pub const MAX_TEXT_VALUE_BYTES: usize = 4096;
/// Most addresses per name.
pub const MAX_ADDRESSES: usize = 16;
/// Longest address value, in bytes.
pub const MAX_ADDRESS_BYTES: usize = 64;
/// Longest content hash, in bytes.
pub const MAX_CONTENTHASH_BYTES: usize = 128;
/// Longest records JSON, in bytes.
pub const MAX_RECORDS_JSON_BYTES: usize = 16 * 1024;

/// Records as sent in a names-API write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordsInput {
    /// Text records; a dm3 profile under `eth.dm3.profile` (or an alias).
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// Addresses by decimal coin type, e.g. `{"60": "0x…"}`.
    #[serde(default)]
    pub addresses: BTreeMap<String, Bytes>,
    /// EIP-1577 content hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenthash: Option<Bytes>,
}

/// The `recordsHash` of the signed message: keccak256 of the exact JSON text of
/// the `records` field as sent (no records: the zero hash).
pub fn records_hash(records_json: Option<&str>) -> B256 {
    records_json.map_or(B256::ZERO, |json| keccak256(json.as_bytes()))
}

/// Whether an address for `coin` must be 20 bytes: an EVM coin type, or the
/// ENSIP-19 default EVM address itself.
fn is_evm_coin(coin: u64) -> bool {
    is_evm_coin_type(coin) || coin == COIN_TYPE_DEFAULT_EVM
}

impl RecordsInput {
    /// Parses and checks the `records` JSON text.
    pub fn parse(json: &str) -> Result<Self> {
        if json.len() > MAX_RECORDS_JSON_BYTES {
            return Err(RecordsError::TooLarge(MAX_RECORDS_JSON_BYTES).into());
        }
        let records: Self = serde_json::from_str(json).map_err(RecordsError::Json)?;
        records.check_limits()?;
        Ok(records)
    }

    fn check_limits(&self) -> Result<()> {
        let bad = |error: RecordsError| -> Result<()> { Err(error.into()) };
        if self.texts.len() > MAX_TEXTS {
            return bad(RecordsError::TooManyTexts(MAX_TEXTS));
        }
        for (key, value) in &self.texts {
            if key.is_empty() || key.len() > MAX_TEXT_KEY_BYTES {
                return bad(RecordsError::TextKeyLength(MAX_TEXT_KEY_BYTES));
            }
            if value.len() > MAX_TEXT_VALUE_BYTES {
                return bad(RecordsError::TextTooLong { key: key.clone(), max: MAX_TEXT_VALUE_BYTES });
            }
        }
        if self.addresses.len() > MAX_ADDRESSES {
            return bad(RecordsError::TooManyAddresses(MAX_ADDRESSES));
        }
        for (coin, value) in &self.addresses {
            let Ok(coin) = coin.parse::<u64>() else { return bad(RecordsError::CoinTypeNotNumber(coin.clone())) };
            if is_evm_coin(coin) && value.len() != 20 {
                return bad(RecordsError::EvmAddressLength(coin));
            }
            if value.len() > MAX_ADDRESS_BYTES {
                return bad(RecordsError::AddressTooLong { coin, max: MAX_ADDRESS_BYTES });
            }
        }
        if self.contenthash.as_ref().is_some_and(|c| c.len() > MAX_CONTENTHASH_BYTES) {
            return bad(RecordsError::ContenthashTooLong(MAX_CONTENTHASH_BYTES));
        }
        Ok(())
    }

    /// The dm3 profile among the texts, if any; at most one profile key.
    pub fn dm3_profile(&self) -> Result<Option<SignedUserProfile>> {
        let mut values = self.texts.iter().filter(|(key, _)| is_profile_key(key)).map(|(_, v)| v);
        let Some(value) = values.next() else { return Ok(None) };
        if values.next().is_some() {
            return Err(RecordsError::ProfileUnderManyKeys.into());
        }
        let profile = SignedUserProfile::from_text_record(value)?;
        if profile.to_text_record() != *value {
            return Err(ProfileError::NotCanonical.into());
        }
        profile.profile.validate()?;
        Ok(Some(profile))
    }

    /// The stored record for `owner` (and `nonce`): the owner is the Ether
    /// address unless the records name one.
    pub fn into_record(self, owner: Option<Address>, nonce: u64) -> NameRecord {
        let mut record = NameRecord { owner, nonce, ..Default::default() };
        for (key, value) in &self.texts {
            record.set_text(key, value.clone());
        }
        for (coin, value) in self.addresses {
            record.addresses.insert(coin.parse().expect("checked in parse"), value);
        }
        if let Some(owner) = owner {
            record.addresses.entry(COIN_TYPE_ETH).or_insert_with(|| Bytes::copy_from_slice(owner.as_slice()));
        }
        record.contenthash = self.contenthash;
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_limits_records() {
        let ok = RecordsInput::parse(
            r#"{"texts":{"url":"https://x"},"addresses":{"60":"0x0000000000000000000000000000000000000001"}}"#,
        );
        assert!(ok.is_ok());
        let long_value = format!(r#"{{"texts":{{"a":"{}"}}}}"#, "x".repeat(MAX_TEXT_VALUE_BYTES + 1));
        let cases = [
            r#"{"texts":{"":"x"}}"#.to_string(),
            r#"{"addresses":{"sixty":"0x01"}}"#.to_string(),
            r#"{"addresses":{"60":"0x01"}}"#.to_string(),
            r#"{"bogus":1}"#.to_string(),
            r#"{"texts":[]}"#.to_string(),
            long_value,
        ];
        for case in cases {
            assert!(RecordsInput::parse(&case).is_err(), "{case}");
        }
    }

    #[test]
    fn owner_becomes_the_default_ether_address() {
        let owner = Address::repeat_byte(7);
        let record = RecordsInput::default().into_record(Some(owner), 1);
        assert_eq!(record.addresses[&60].as_ref(), owner.as_slice());
        assert_eq!(record.nonce, 1);
        assert_eq!(records_hash(None), B256::ZERO);
        assert_eq!(records_hash(Some("{}")), keccak256("{}"));
    }
}
