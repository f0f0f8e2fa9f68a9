//! Which names may be claimed: ENSIP-15 normalization, one label under a
//! served parent, a minimum length and a reserved list.

use super::error::{NameRuleError, NamesError, Result};
use ens_normalize_rs::EnsNameNormalizer;
use std::sync::OnceLock;

/// The ENSIP-15 normalizer; its tables are loaded once.
fn normalizer() -> &'static EnsNameNormalizer {
    static NORMALIZER: OnceLock<EnsNameNormalizer> = OnceLock::new();
    NORMALIZER.get_or_init(EnsNameNormalizer::default)
}

/// ENSIP-15 normalization of a whole name; `Err` with the reason when the name
/// cannot be normalized at all.
///
/// Names of lower-case ASCII letters, digits, `-` and `_` that obey the two
/// ASCII rules of ENSIP-15 are returned as they are without the normalizer:
/// its Unicode tables take about 17 MiB of memory and 200 ms to load, and
/// most names never need them. Everything else goes through the full
/// normalizer; tests check that both agree.
pub fn normalize(name: &str) -> std::result::Result<String, String> {
    if is_normalized_ascii(name) {
        return Ok(name.to_owned());
    }
    normalizer().normalize(name).map_err(|e| e.to_string())
}

/// Whether `name` is certainly ENSIP-15 normalized by the rules for ASCII
/// labels: non-empty labels of `a-z 0-9 - _`, underscores only at the start
/// of a label, and no `--` at the third and fourth character (the label
/// extension rule). `false` means "ask the full normalizer", not "invalid".
fn is_normalized_ascii(name: &str) -> bool {
    name.split('.').all(|label| {
        let bytes = label.as_bytes();
        let body = &bytes[bytes.iter().take_while(|&&b| b == b'_').count()..];
        !bytes.is_empty()
            && body.iter().all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && bytes.get(2..4) != Some(b"--")
    })
}

/// Rules for claimable names.
#[derive(Debug, Clone)]
pub struct NameRules {
    /// Parents under which single labels may be claimed (e.g. `dm3.eth`).
    pub parents: Vec<String>,
    /// Fewest Unicode scalar values a label may have.
    pub min_label_length: usize,
    /// Labels nobody may claim (checked after normalization).
    pub reserved: Vec<String>,
}

/// A claimable name split into its label and parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimableName<'a> {
    /// The single label, e.g. `alice`.
    pub label: &'a str,
    /// The served parent, e.g. `dm3.eth`.
    pub parent: &'a str,
}

impl NameRules {
    /// Checks that `name` is already ENSIP-15 normalized and is exactly one
    /// label of allowed length, not reserved, directly under a served parent.
    pub fn check<'a>(&self, name: &'a str) -> Result<ClaimableName<'a>> {
        match normalize(name) {
            Ok(normalized) if normalized == name => {}
            Ok(normalized) => {
                return Err(NamesError::NameNotNormalized { name: name.to_owned(), normalized: Some(normalized) })
            }
            Err(reason) => return Err(NameRuleError::Unnormalizable(reason).into()),
        }
        let (label, parent) = name.split_once('.').ok_or(NameRuleError::NoParent)?;
        if !self.parents.iter().any(|p| p == parent) {
            return Err(NameRuleError::NotUnderAParent(self.parents.clone()).into());
        }
        // A DNS wire-format label has a one-byte length (ENSIP-10): a longer
        // label could be claimed but never resolved.
        if label.len() > 255 {
            return Err(NameRuleError::LabelTooLong.into());
        }
        if label.chars().count() < self.min_label_length {
            return Err(NamesError::NameTooShort { min: self.min_label_length });
        }
        if self.reserved.iter().any(|r| r == label) {
            return Err(NamesError::NameReserved(label.to_owned()));
        }
        Ok(ClaimableName { label, parent })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn rules() -> NameRules {
        NameRules { parents: vec!["dm3.eth".into()], min_label_length: 3, reserved: vec!["admin".into(), "ds".into()] }
    }

    #[test]
    fn accepts_normalized_single_labels() {
        let longest = format!("{}.dm3.eth", "a".repeat(255));
        for name in ["alice.dm3.eth", "bob-1.dm3.eth", "🦊🦊🦊.dm3.eth", "日本語.dm3.eth", &longest] {
            assert!(rules().check(name).is_ok(), "{name}");
        }
        assert_eq!(rules().check("alice.dm3.eth").unwrap(), ClaimableName { label: "alice", parent: "dm3.eth" });
    }

    #[test]
    fn refuses_everything_else() {
        let cases = [
            ("Alice.dm3.eth", "name_not_normalized"),
            ("alice.DM3.eth", "name_not_normalized"),
            ("ali\u{200d}ce.dm3.eth", "invalid_name"),
            ("аlice.dm3.eth", "invalid_name"), // Cyrillic а mixed with Latin: confusable
            ("al..dm3.eth", "invalid_name"),
            ("a.b.dm3.eth", "invalid_name"),
            ("alice.other.eth", "invalid_name"),
            ("dm3.eth", "invalid_name"),
            ("alice", "invalid_name"),
            ("ab.dm3.eth", "name_too_short"),
            ("admin.dm3.eth", "name_reserved"),
            ("", "invalid_name"),
            (&format!("{}.dm3.eth", "a".repeat(256)), "invalid_name"),
        ];
        for (name, code) in cases {
            let err = rules().check(name).expect_err(name);
            let found = match err {
                NamesError::NameNotNormalized { .. } => "name_not_normalized",
                NamesError::InvalidNameForClaim(_) => "invalid_name",
                NamesError::NameTooShort { .. } => "name_too_short",
                NamesError::NameReserved(_) => "name_reserved",
                ref other => panic!("{name}: unexpected refusal {other:?}"),
            };
            assert_eq!(found, code, "{name}: {err}");
        }
    }

    /// One entry of the ENSIP-15 validation tests (`tests/vectors/ensip15-tests.json`,
    /// shipped with ens-normalize-rs, from the ENSIP-15 reference implementation).
    #[derive(Deserialize)]
    struct Vector {
        name: String,
        norm: Option<String>,
        #[serde(default)]
        error: bool,
    }

    proptest::proptest! {
        /// The ASCII shortcut never calls a name normalized that the full
        /// normalizer changes or refuses.
        #[test]
        fn ascii_shortcut_agrees_with_the_normalizer(
            name in proptest::prop_oneof!["[a-z0-9_.$A-Z-]{0,12}", "([a-z0-9_-]{1,6}\\.){0,2}[a-z0-9_-]{0,6}"]
        ) {
            if is_normalized_ascii(&name) {
                proptest::prop_assert_eq!(normalizer().normalize(&name).map_err(|e| e.to_string()), Ok(name));
            }
        }
    }

    #[test]
    fn ascii_shortcut_takes_plain_names_only() {
        for name in ["alice.dm3.eth", "_a.dm3.eth", "__x-1.eth", "a-b.c", "-a-.eth"] {
            assert!(is_normalized_ascii(name), "{name}");
        }
        for name in ["", "a..eth", ".a", "a.", "Alice.eth", "a_b.eth", "ab--c.eth", "a$.eth", "ä.eth", "a b.eth"] {
            assert!(!is_normalized_ascii(name), "{name}");
        }
    }

    #[test]
    fn matches_the_ensip15_vectors() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/ensip15-tests.json");
        let text = std::fs::read_to_string(path).unwrap();
        let entries: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        let mut checked = 0;
        for entry in entries.into_iter().skip(1) {
            let v: Vector = serde_json::from_value(entry).unwrap();
            let got = normalize(&v.name);
            if is_normalized_ascii(&v.name) {
                assert_eq!(normalizer().normalize(&v.name).map_err(|e| e.to_string()), Ok(v.name.clone()));
            }
            if v.error {
                assert!(got.is_err(), "{:?} should fail, got {got:?}", v.name);
            } else {
                let expected = v.norm.as_deref().unwrap_or(&v.name);
                assert_eq!(got.as_deref(), Ok(expected), "{:?}", v.name);
            }
            checked += 1;
        }
        assert!(checked > 1000, "only {checked} vectors");
    }
}
