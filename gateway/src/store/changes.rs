//! Where a backend's change feed reports changes: the callback the Redis
//! change listener and the L2 event follower call, so that the caches above
//! the store can drop what changed without the store knowing them.

use alloy::primitives::B256;
use dm3_protocol::namehash;

/// Receives the changes a backend's change feed reports (the Redis change
/// channel, the L2 registry's events). Implemented by the layers above the
/// store (the signed-answer cache's generations); the store only calls it.
///
/// Every method is called from the feed's background task and must not block.
pub trait ChangeSink: Send + Sync + 'static {
    /// The name whose node is `node` changed.
    fn node_changed(&self, node: B256);

    /// `name` changed, as the feed reports it (the writes of this process
    /// included). By default the same as [`ChangeSink::node_changed`] for
    /// its namehash.
    fn name_changed(&self, name: &str) {
        self.node_changed(namehash(name));
    }

    /// Anything may have changed (a reorg, a gap, a message that is not a
    /// name): drop everything.
    fn all_changed(&self);

    /// The feed was subscribed (`true`) or lost (`false`). While it is lost,
    /// changes may go unreported; on either transition everything may have
    /// changed. By default nothing is done (a feed that polls, like the L2
    /// follower, never reports this).
    fn subscribed(&self, subscribed: bool) {
        let _ = subscribed;
    }
}
