//! The dm3 text-record keys, defined once: the canonical key of a user profile
//! and of a delivery-service profile, and the older keys dm3 clients have read
//! them under, which a gateway serves from the same value.

/// The text key of a dm3 user profile (dm3's specification).
pub const PROFILE: &str = "eth.dm3.profile";
/// The text key of a dm3 delivery-service profile.
pub const DELIVERY_SERVICE: &str = "eth.dm3.deliveryService";

/// Every key a dm3 user profile has been looked up under, canonical first
/// (`network.dm3.profile` is what today's dm3 clients read).
pub const PROFILE_KEYS: [&str; 3] = [PROFILE, "network.dm3.profile", "dm3.profile"];
/// Every key a delivery-service profile has been looked up under, canonical first.
pub const DELIVERY_SERVICE_KEYS: [&str; 2] = [DELIVERY_SERVICE, "network.dm3.deliveryService"];

/// The order a resolving client asks for a user profile in: what today's dm3
/// clients read first, then the canonical key.
pub const PROFILE_LOOKUP_ORDER: [&str; 2] = [PROFILE_KEYS[1], PROFILE];

/// The keys that serve the same value as `key`, `key` first: the dm3 aliases
/// of a profile or delivery-service key, or just `key`.
///
/// # Examples
/// ```
/// use dm3_protocol::text_keys::text_key_aliases;
/// assert_eq!(text_key_aliases("network.dm3.profile"), ["network.dm3.profile", "eth.dm3.profile", "dm3.profile"]);
/// assert_eq!(text_key_aliases("avatar"), ["avatar"]);
/// ```
pub fn text_key_aliases(key: &str) -> Vec<&str> {
    let group: &[&'static str] = if PROFILE_KEYS.contains(&key) {
        &PROFILE_KEYS
    } else if DELIVERY_SERVICE_KEYS.contains(&key) {
        &DELIVERY_SERVICE_KEYS
    } else {
        &[]
    };
    std::iter::once(key).chain(group.iter().copied().filter(|k| *k != key)).collect()
}

/// Maps a dm3 alias key (`network.dm3.profile`, `dm3.profile`, …) to the key it
/// is stored under ([`PROFILE`] or [`DELIVERY_SERVICE`]); any other key is
/// returned unchanged.
///
/// # Examples
/// ```
/// use dm3_protocol::text_keys::{canonical_text_key, PROFILE};
/// assert_eq!(canonical_text_key("dm3.profile"), PROFILE);
/// assert_eq!(canonical_text_key("avatar"), "avatar");
/// ```
pub fn canonical_text_key(key: &str) -> &str {
    if PROFILE_KEYS.contains(&key) {
        PROFILE
    } else if DELIVERY_SERVICE_KEYS.contains(&key) {
        DELIVERY_SERVICE
    } else {
        key
    }
}

/// Whether `key` is one of the keys of a dm3 user profile.
pub fn is_profile_key(key: &str) -> bool {
    PROFILE_KEYS.contains(&key)
}
