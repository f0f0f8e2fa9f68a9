//! Following the L2 registry's events, so that a change drops the cached
//! answers about its name at once instead of after the cache TTL.
//!
//! Every event of `contracts/src/IL2NameRegistry.sol` (`NameRegistered`,
//! `NameTransferred`, `NameReleased`, `VersionChanged`, `TextChanged`,
//! `AddressChanged`, `AddrChanged`, `ContenthashChanged`) carries the node as
//! its first indexed topic, so any log of the registry names one changed node.
//!
//! The follower polls `eth_getLogs` every interval, from the block after the
//! last one seen up to the head at the store's block tag (`latest`, `safe`,
//! `finalized`): a change is reported when it is also what the store reads.
//! Reorg-safe: before each range it checks that the last block seen still has
//! the hash it had; if not (a reorg), or if the head went back, or if more
//! than [`MAX_RANGE`] blocks passed (a long outage), every cached answer is
//! dropped instead. When the L2 does not answer, nothing is dropped and the
//! cache TTL stays the bound; the follower resumes where it stopped.
//! (Polling, not `eth_subscribe`: it works on every JSON-RPC endpoint, and at
//! one poll per L2 block interval it costs two or three requests per block.)

use super::ChangeSink;
use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256},
    rpc::client::RpcClient,
    rpc::types::{Block, Filter, Log},
};
use std::{sync::Arc, time::Duration};

/// Most blocks one `eth_getLogs` asks for; a longer gap drops everything.
const MAX_RANGE: u64 = 1_000;

/// Polls the registry's logs and reports the nodes they name.
#[derive(Debug, Clone)]
pub struct EventFollower {
    client: RpcClient,
    registry: Address,
    block: BlockNumberOrTag,
    interval: Duration,
    timeout: Duration,
}

/// The last block whose logs were reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    number: u64,
    hash: B256,
}

/// What one poll found.
#[derive(Debug, PartialEq, Eq)]
enum Poll {
    /// Nothing new.
    Idle,
    /// These nodes changed (possibly repeated).
    Changed(Vec<B256>),
    /// Start, reorg or gap: everything may have changed.
    Everything,
}

impl EventFollower {
    /// Follows `registry` through `client` at `block`, polling every
    /// `interval`, each request failing after `timeout`.
    pub const fn new(
        client: RpcClient,
        registry: Address,
        block: BlockNumberOrTag,
        interval: Duration,
        timeout: Duration,
    ) -> Self {
        Self { client, registry, block, interval, timeout }
    }

    /// Runs until the returned task is aborted. The first successful poll
    /// reports [`ChangeSink::all_changed`] (reads before it are not covered).
    pub fn spawn(self, sink: Arc<dyn ChangeSink>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut seen = None;
            let mut failing = false;
            let mut tick = tokio::time::interval(self.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match tokio::time::timeout(self.timeout * 3, self.poll(&mut seen)).await {
                    Ok(Ok(poll)) => {
                        if failing {
                            tracing::info!(target: "gateway::store", "following L2 registry events again");
                            failing = false;
                        }
                        match poll {
                            Poll::Idle => {}
                            Poll::Changed(nodes) => {
                                metrics::counter!("dm3_gateway_l2_events_total").increment(nodes.len() as u64);
                                for node in nodes {
                                    sink.node_changed(node);
                                }
                            }
                            Poll::Everything => sink.all_changed(),
                        }
                        if let Some(seen) = seen {
                            metrics::gauge!("dm3_gateway_l2_events_block").set(seen.number as f64);
                        }
                    }
                    Ok(Err(e)) if !failing => {
                        failing = true;
                        tracing::warn!(target: "gateway::store", error = %e, "cannot follow L2 registry events (the cache TTL bounds staleness)");
                    }
                    Err(_) if !failing => {
                        failing = true;
                        tracing::warn!(target: "gateway::store", "L2 registry events timed out (the cache TTL bounds staleness)");
                    }
                    Ok(Err(_)) | Err(_) => {}
                }
            }
        })
    }

    async fn header(&self, block: BlockNumberOrTag) -> Result<Option<Seen>, alloy::transports::TransportError> {
        let header: Option<Block> = self.client.request("eth_getBlockByNumber", (block, false)).await?;
        Ok(header.map(|b| Seen { number: b.header.number, hash: b.header.hash }))
    }

    /// One step: compares the head with what was seen and fetches the logs between.
    async fn poll(&self, seen: &mut Option<Seen>) -> Result<Poll, alloy::transports::TransportError> {
        let Some(head) = self.header(self.block).await? else {
            return Ok(Poll::Idle); // no block at the tag yet (e.g. nothing finalized)
        };
        let Some(last) = *seen else {
            *seen = Some(head);
            return Ok(Poll::Everything);
        };
        if head == last {
            return Ok(Poll::Idle);
        }
        let still = self.header(BlockNumberOrTag::Number(last.number)).await?;
        let step = decide(last, head, still);
        if let Step::Scan { from, to } = step {
            let filter = Filter::new().address(self.registry).from_block(from).to_block(to);
            let logs: Vec<Log> = self.client.request("eth_getLogs", (filter,)).await?;
            *seen = Some(head);
            return Ok(Poll::Changed(nodes_of(&logs)));
        }
        *seen = Some(head);
        Ok(Poll::Everything)
    }
}

/// What to do after comparing the last block seen with the new head.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Report the logs of blocks `from..=to`.
    Scan { from: u64, to: u64 },
    /// Reorg, rewind or gap: drop everything.
    Reset,
}

/// `still` is the block at `last.number` now (`None`: gone).
fn decide(last: Seen, head: Seen, still: Option<Seen>) -> Step {
    if head.number <= last.number || still != Some(last) || head.number - last.number > MAX_RANGE {
        return Step::Reset;
    }
    Step::Scan { from: last.number + 1, to: head.number }
}

/// The node each log names (its first indexed topic), in order.
fn nodes_of(logs: &[Log]) -> Vec<B256> {
    logs.iter().filter(|log| !log.removed).filter_map(|log| log.topics().get(1).copied()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(number: u64, hash: u8) -> Seen {
        Seen { number, hash: B256::repeat_byte(hash) }
    }

    #[test]
    fn scans_forward_and_resets_on_reorg_rewind_or_gap() {
        let last = seen(10, 1);
        assert_eq!(decide(last, seen(12, 3), Some(last)), Step::Scan { from: 11, to: 12 });
        // Block 10 has another hash now: a reorg replaced it.
        assert_eq!(decide(last, seen(12, 3), Some(seen(10, 9))), Step::Reset);
        // Block 10 is gone, or the head went back, or moved sideways at the same height.
        assert_eq!(decide(last, seen(12, 3), None), Step::Reset);
        assert_eq!(decide(last, seen(9, 3), None), Step::Reset);
        assert_eq!(decide(last, seen(10, 2), Some(last)), Step::Reset);
        // Too long a gap to ask in one range.
        assert_eq!(decide(last, seen(10 + MAX_RANGE + 1, 3), Some(last)), Step::Reset);
        assert_eq!(decide(last, seen(10 + MAX_RANGE, 3), Some(last)), Step::Scan { from: 11, to: 10 + MAX_RANGE });
    }

    #[test]
    fn each_log_names_its_first_indexed_topic() {
        let node = B256::repeat_byte(5);
        let log = |topics: Vec<B256>, removed: bool| Log {
            inner: alloy::primitives::Log::new_unchecked(Address::ZERO, topics, Default::default()),
            removed,
            ..Default::default()
        };
        let logs = [
            log(vec![B256::repeat_byte(1), node], false),
            log(vec![B256::repeat_byte(1)], false), // no node: not a registry event
            log(vec![B256::repeat_byte(1), B256::repeat_byte(6)], true),
        ];
        assert_eq!(nodes_of(&logs), [node]);
    }
}
