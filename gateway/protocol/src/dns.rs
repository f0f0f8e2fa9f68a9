//! DNS wire-format names as ENS uses them (ENSIP-10, the `NameCoder` rules).

use alloy_primitives::{keccak256, B256};

/// Why a DNS wire-format name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsNameError {
    /// The input ended inside a label or before the terminating zero byte.
    #[error("DNS name is truncated")]
    Truncated,
    /// Bytes follow the terminating zero byte.
    #[error("DNS name has {0} trailing bytes after its end")]
    TrailingBytes(usize),
    /// A label is empty (two dots in a row, or a leading or trailing dot).
    #[error("DNS name has an empty label")]
    EmptyLabel,
    /// A label is longer than 255 bytes and cannot be length-prefixed.
    #[error("DNS label is longer than 255 bytes")]
    LabelTooLong,
    /// A label contains a `.`, which would change the name's meaning once joined.
    #[error("DNS label contains a '.'")]
    DotInLabel,
    /// A label is not valid UTF-8.
    #[error("DNS label is not valid UTF-8")]
    NotUtf8,
}

/// Decodes a DNS wire-format name into its dotted form.
///
/// Follows ENS `NameCoder`: labels of 1–255 bytes, each prefixed by its length,
/// ending in a single zero byte and nothing after it. The root (`0x00`) decodes
/// to the empty string. Labels must be UTF-8 and may not contain `.`. This does
/// **not** check ENSIP-15 normalization.
///
/// # Examples
///
/// ```
/// use dm3_protocol::dns_decode;
/// assert_eq!(dns_decode(b"\x05alice\x03dm3\x03eth\x00").unwrap(), "alice.dm3.eth");
/// assert!(dns_decode(b"\x05alice\x00\x00").is_err()); // trailing bytes
/// ```
pub fn dns_decode(wire: &[u8]) -> Result<String, DnsNameError> {
    let mut name = String::with_capacity(wire.len());
    let mut rest = wire;
    loop {
        let (&len, tail) = rest.split_first().ok_or(DnsNameError::Truncated)?;
        if len == 0 {
            if !tail.is_empty() {
                return Err(DnsNameError::TrailingBytes(tail.len()));
            }
            return Ok(name);
        }
        let len = usize::from(len);
        if tail.len() < len {
            return Err(DnsNameError::Truncated);
        }
        let (label, tail) = tail.split_at(len);
        if label.contains(&b'.') {
            return Err(DnsNameError::DotInLabel);
        }
        let label = std::str::from_utf8(label).map_err(|_| DnsNameError::NotUtf8)?;
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(label);
        rest = tail;
    }
}

/// Encodes a dotted name into DNS wire format; the empty name is the root (`0x00`).
///
/// Rejects empty labels and labels over 255 bytes. Does not normalize.
///
/// # Examples
///
/// ```
/// use dm3_protocol::dns_encode;
/// assert_eq!(dns_encode("dm3.eth").unwrap(), b"\x03dm3\x03eth\x00");
/// assert_eq!(dns_encode("").unwrap(), b"\x00");
/// ```
pub fn dns_encode(name: &str) -> Result<Vec<u8>, DnsNameError> {
    let mut out = Vec::with_capacity(name.len() + 2);
    if !name.is_empty() {
        for label in name.split('.') {
            let len = u8::try_from(label.len()).map_err(|_| DnsNameError::LabelTooLong)?;
            if len == 0 {
                return Err(DnsNameError::EmptyLabel);
            }
            out.push(len);
            out.extend_from_slice(label.as_bytes());
        }
    }
    out.push(0);
    Ok(out)
}

/// The EIP-137 namehash of a dotted name, hashing each label's bytes verbatim.
///
/// Unlike `alloy_ens::namehash` this does not strip `U+FE0F`: the gateway must
/// hash exactly the bytes the client sent, or the `node` check would accept a
/// name that hashes differently on chain.
///
/// # Examples
///
/// ```
/// use dm3_protocol::namehash;
/// assert_eq!(
///     namehash("eth").to_string(),
///     "0x93cdeb708b7545dc668eb9280176169d1c33cfd8ed6f04690a0bcc88a93fc4ae"
/// );
/// ```
pub fn namehash(name: &str) -> B256 {
    let mut node = B256::ZERO;
    if name.is_empty() {
        return node;
    }
    let mut buffer = [0u8; 64];
    for label in name.rsplit('.') {
        buffer[..32].copy_from_slice(node.as_slice());
        buffer[32..].copy_from_slice(keccak256(label.as_bytes()).as_slice());
        node = keccak256(buffer);
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_valid_names() {
        let cases: &[(&[u8], &str)] = &[
            (b"\x00", ""),
            (b"\x03eth\x00", "eth"),
            (b"\x05alice\x03dm3\x03eth\x00", "alice.dm3.eth"),
            ("\x04🦊\x03eth\x00".as_bytes(), "🦊.eth"),
        ];
        for (wire, name) in cases {
            assert_eq!(dns_decode(wire).as_deref(), Ok(*name), "{wire:?}");
            assert_eq!(dns_encode(name).unwrap(), *wire, "{name}");
        }
    }

    #[test]
    fn rejects_malformed_names() {
        let mut long = vec![255u8];
        long.extend([b'a'; 254]);
        let cases: &[(&[u8], DnsNameError)] = &[
            (b"", DnsNameError::Truncated),
            (b"\x03et", DnsNameError::Truncated),
            (b"\x03eth", DnsNameError::Truncated),
            (b"\x03eth\x00\x00", DnsNameError::TrailingBytes(1)),
            (b"\x00\x03eth\x00", DnsNameError::TrailingBytes(5)),
            (b"\x03a.b\x00", DnsNameError::DotInLabel),
            (b"\x02\xff\xfe\x00", DnsNameError::NotUtf8),
            (&long, DnsNameError::Truncated),
        ];
        for (wire, err) in cases {
            assert_eq!(dns_decode(wire).as_ref(), Err(err), "{wire:?}");
        }
    }

    #[test]
    fn accepts_255_byte_labels_and_refuses_longer() {
        let label = "a".repeat(255);
        let wire = dns_encode(&format!("{label}.eth")).unwrap();
        assert_eq!(wire[0], 255);
        assert_eq!(dns_decode(&wire).unwrap(), format!("{label}.eth"));
        assert_eq!(dns_encode(&"a".repeat(256)), Err(DnsNameError::LabelTooLong));
        assert_eq!(dns_encode("a..eth"), Err(DnsNameError::EmptyLabel));
        assert_eq!(dns_encode(".eth"), Err(DnsNameError::EmptyLabel));
    }

    #[test]
    fn namehash_matches_reference_vectors() {
        // EIP-137 vectors and the shared reference for alice.dm3.eth.
        let cases = [
            ("", "0x0000000000000000000000000000000000000000000000000000000000000000"),
            ("eth", "0x93cdeb708b7545dc668eb9280176169d1c33cfd8ed6f04690a0bcc88a93fc4ae"),
            ("foo.eth", "0xde9b09fd7c5f901e23a3f19fecc54828e9c848539801e86591bd9801b019f84f"),
            ("alice.dm3.eth", "0xe723057cfcea4caa8bb047bcedeadd72c3fe5658652300180c62686bccb3c192"),
        ];
        for (name, hash) in cases {
            assert_eq!(namehash(name).to_string(), hash, "{name}");
        }
    }
}
