//! Prometheus metrics: one process-wide recorder, rendered at `GET /metrics`.
//!
//! Metric names (all prefixed `dm3_gateway_`):
//! - `requests_total{route, record, status}`: answered HTTP requests;
//! - `request_duration_seconds{route}`: time from request to response head;
//! - `store_duration_seconds`, `sign_duration_seconds`: the two costs of an uncached answer;
//! - `cache_lookups_total{result}` (`hit`, `miss`, `joined`) and the gauges
//!   `cache_hit_ratio` (hits and joins over all cached lookups since start) and `cache_entries`.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{
    atomic::{AtomicU64, Ordering},
    OnceLock,
};

/// Histogram buckets (seconds): 50 µs to 2.5 s.
const BUCKETS: &[f64] =
    &[0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

static CACHE_SERVED: AtomicU64 = AtomicU64::new(0);
static CACHE_MISSES: AtomicU64 = AtomicU64::new(0);

/// The process-wide Prometheus handle; installs the recorder on first use.
/// When another recorder was installed first (a test harness), the handle
/// renders only what reaches it: nothing.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
            .expect("buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!(target: "gateway", "a metrics recorder was already installed; /metrics stays empty");
        }
        describe();
        handle
    })
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!("dm3_gateway_requests_total", "HTTP requests answered, by route, record function and status");
    describe_histogram!("dm3_gateway_request_duration_seconds", Unit::Seconds, "Time to answer a request, by route");
    describe_histogram!("dm3_gateway_store_duration_seconds", Unit::Seconds, "Time of one record-store read");
    describe_histogram!("dm3_gateway_sign_duration_seconds", Unit::Seconds, "Time to sign one answer");
    describe_counter!(
        "dm3_gateway_cache_lookups_total",
        "Answer-cache lookups: hit, miss, or joined an in-flight miss"
    );
    describe_gauge!("dm3_gateway_cache_hit_ratio", "Share of cached lookups served without a new signature");
    describe_gauge!("dm3_gateway_cache_entries", "Answers in the cache (approximate)");
}

/// Counts one answer-cache lookup: `"hit"`, `"joined"` (waited for another
/// request's computation) or `"miss"`.
pub fn cache_lookup(result: &'static str) {
    metrics::counter!("dm3_gateway_cache_lookups_total", "result" => result).increment(1);
    let counter = if result == "miss" { &CACHE_MISSES } else { &CACHE_SERVED };
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Renders every metric in the Prometheus text format, updating the cache gauges first.
pub fn render(cache_entries: Option<u64>) -> String {
    let handle = prometheus();
    let (served, misses) = (CACHE_SERVED.load(Ordering::Relaxed), CACHE_MISSES.load(Ordering::Relaxed));
    if served + misses > 0 {
        metrics::gauge!("dm3_gateway_cache_hit_ratio").set(served as f64 / (served + misses) as f64);
    }
    if let Some(entries) = cache_entries {
        metrics::gauge!("dm3_gateway_cache_entries").set(entries as f64);
    }
    handle.render()
}
