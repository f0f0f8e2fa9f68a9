//! The record set of one name, as every backend stores it (JSON).

use alloy::{
    primitives::{Address, Bytes},
    sol_types::SolValue,
};
pub use dm3_protocol::text_keys::{canonical_text_key, text_key_aliases};
use dm3_protocol::{RecordQuery, COIN_TYPE_ETH};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// All records of one name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameRecord {
    /// The account that controls the name (used by name claims; not served).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Address>,
    /// Count of signed writes to this name; a signed write must carry the
    /// current value, so every signature is usable once. Kept across release.
    #[serde(default)]
    pub nonce: u64,
    /// Text records (EIP-634), with dm3 keys stored under their canonical key.
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// Addresses by SLIP-44 / ENSIP-11 coin type, as raw bytes (20 bytes for EVM chains).
    #[serde(default)]
    pub addresses: BTreeMap<u64, Bytes>,
    /// EIP-1577 content hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenthash: Option<Bytes>,
}

impl NameRecord {
    /// Sets a text record, storing dm3 alias keys under their canonical key.
    pub fn set_text(&mut self, key: &str, value: impl Into<String>) {
        self.texts.insert(canonical_text_key(key).to_owned(), value.into());
    }

    /// The text record for `key`, resolving dm3 alias keys.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.texts.get(key).or_else(|| self.texts.get(canonical_text_key(key))).map(String::as_str)
    }

    /// The address for `coin_type`, falling back for EVM coin types (60 and
    /// ENSIP-11 `0x80000000 | chainId`) to the ENSIP-19 default EVM address.
    pub fn address(&self, coin_type: u64) -> Option<&Bytes> {
        use dm3_protocol::{is_evm_coin_type, COIN_TYPE_DEFAULT_EVM};
        self.addresses
            .get(&coin_type)
            .or_else(|| is_evm_coin_type(coin_type).then(|| self.addresses.get(&COIN_TYPE_DEFAULT_EVM)).flatten())
    }

    /// The ABI-encoded return value of one record call, with spec-exact empty
    /// values: `""`, the zero address, or empty bytes.
    pub fn value(&self, query: &RecordQuery) -> Vec<u8> {
        match query {
            RecordQuery::Text(key) => self.text(key).unwrap_or_default().abi_encode(),
            RecordQuery::Addr => {
                let address = self
                    .address(COIN_TYPE_ETH)
                    .and_then(|bytes| <[u8; 20]>::try_from(bytes.as_ref()).ok())
                    .map(Address::from)
                    .unwrap_or_default();
                address.abi_encode()
            }
            RecordQuery::AddrCoin(coin_type) => {
                let bytes = u64::try_from(*coin_type).ok().and_then(|c| self.address(c)).cloned().unwrap_or_default();
                bytes.abi_encode()
            }
            RecordQuery::Contenthash => self.contenthash.clone().unwrap_or_default().abi_encode(),
        }
    }

    /// Encodes the record for storage.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("NameRecord serializes: all map keys are strings or integers")
    }

    /// Decodes a stored record.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;
    use dm3_protocol::text_keys::PROFILE_KEYS;

    #[test]
    fn dm3_aliases_share_one_stored_value() {
        let mut record = NameRecord::default();
        record.set_text("network.dm3.profile", "p");
        assert_eq!(record.texts.keys().collect::<Vec<_>>(), ["eth.dm3.profile"]);
        for key in PROFILE_KEYS {
            assert_eq!(record.text(key), Some("p"), "{key}");
        }
        assert_eq!(record.text("avatar"), None);
        record.set_text("network.dm3.deliveryService", "ds");
        assert_eq!(record.text("eth.dm3.deliveryService"), Some("ds"));
    }

    #[test]
    fn evm_coin_types_fall_back_to_the_default_address() {
        let mut record = NameRecord::default();
        let default = Bytes::copy_from_slice(address!("00000000000000000000000000000000000000aa").as_slice());
        record.addresses.insert(0x8000_0000, default.clone());
        assert_eq!(record.address(60), Some(&default));
        assert_eq!(record.address(0x8000_000a), Some(&default)); // Optimism
        assert_eq!(record.address(0), None); // Bitcoin is not EVM
        let eth = Bytes::copy_from_slice(&[1; 20]);
        record.addresses.insert(60, eth.clone());
        assert_eq!(record.address(60), Some(&eth));
    }

    #[test]
    fn json_round_trips() {
        let mut record = NameRecord { owner: Some(Address::repeat_byte(1)), ..Default::default() };
        record.set_text("avatar", "https://x");
        record.addresses.insert(60, Bytes::copy_from_slice(&[2; 20]));
        record.contenthash = Some(Bytes::from_static(&[0xe3, 1]));
        assert_eq!(NameRecord::from_json(&record.to_json()).unwrap(), record);
        assert!(NameRecord::from_json(b"{\"bogus\":1}").is_err());
    }
}
