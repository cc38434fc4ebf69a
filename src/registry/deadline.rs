//! Deadlines of registry requests and operations (threat model 25: slow or silent servers).
//!
//! Every request has a *first-byte* deadline (from sending it to its response headers; that also
//! bounds connecting, DNS and TLS, which the host's `fetch` does not expose separately) and an
//! *idle* deadline (the longest pause between two body chunks), and every operation (verify, list,
//! inspect, copy, sign) an *operation* deadline that grows with the bytes it may have to move.
//! Node's `fetch` waits about 300 s for silence and forever for a trickle; a server that answers
//! one byte every few seconds is never idle, so only the operation deadline cuts it.
//!
//! The core never reads a clock (architecture practice 1): it only computes the numbers and stamps
//! them on each [`super::HttpRequest`] ([`RequestDeadline`]); the host transport measures time
//! (src/wasm/fetch.rs with the host's timers) and reports a passed deadline as a
//! [`super::TransportError`] of kind [`super::TransportKind::Deadline`]. During verification a
//! passed deadline is inconclusive, never "unsigned" or "verified" (architecture practice 9).

/// Default first-byte deadline: 30 s. A registry, its token realm or a CDN behind a cold load
/// balancer answers in well under that; a CI job can afford it and a portal page shows progress.
pub const DEFAULT_FIRST_BYTE_MILLIS: u64 = 30_000;

/// Default idle deadline: 30 s without a single body byte (the same bound as the first byte: a
/// stalled connection is no more likely to recover mid-body than before it).
pub const DEFAULT_IDLE_MILLIS: u64 = 30_000;

/// Default fixed part of the operation deadline: 120 s, room for the round trips of a verify
/// (resolve, token, referrers, manifest, envelope) with their retries and backoff
/// ([`super::MAX_RETRIES`], ≤ 5 s each) on a slow link.
pub const DEFAULT_OPERATION_BASE_MILLIS: u64 = 120_000;

/// Default slowest transfer rate the operation deadline allows for: 256 KiB/s (about 2 Mbit/s).
/// A 1 GiB copy then gets about 70 minutes; a verify, whose bytes are a few KiB, the base.
pub const DEFAULT_MIN_BYTES_PER_SECOND: u64 = 256 * 1024;

/// The overall deadline of one operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationDeadline {
    /// `base_millis` plus the time the bytes the operation may move take at `min_bytes_per_second`.
    Scaled {
        /// Fixed part, in milliseconds.
        base_millis: u64,
        /// The slowest rate allowed for (≥ 1).
        min_bytes_per_second: u64,
    },
    /// A fixed number of milliseconds, whatever the bytes (the caller's `timeout`).
    Fixed(u64),
}

/// The deadlines of an operation and of each of its requests ([`Deadlines::default`]: 30 s first
/// byte, 30 s idle, 120 s + bytes at 256 KiB/s overall).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    /// Longest wait for a response's headers, in milliseconds.
    pub first_byte_millis: u64,
    /// Longest pause between body chunks, in milliseconds.
    pub idle_millis: u64,
    /// The operation's overall deadline.
    pub operation: OperationDeadline,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            first_byte_millis: DEFAULT_FIRST_BYTE_MILLIS,
            idle_millis: DEFAULT_IDLE_MILLIS,
            operation: OperationDeadline::Scaled {
                base_millis: DEFAULT_OPERATION_BASE_MILLIS,
                min_bytes_per_second: DEFAULT_MIN_BYTES_PER_SECOND,
            },
        }
    }
}

impl Deadlines {
    /// The deadlines of a single `timeout` (milliseconds): the whole operation takes at most
    /// `millis`, and no request waits longer than that for its first byte or between chunks.
    pub fn within(millis: u64) -> Self {
        let d = Deadlines::default();
        Deadlines {
            first_byte_millis: d.first_byte_millis.min(millis),
            idle_millis: d.idle_millis.min(millis),
            operation: OperationDeadline::Fixed(millis),
        }
    }

    /// The deadlines of a caller's `timeout` option: `total` (a single number) caps every
    /// deadline as [`Deadlines::within`] does, then `first_byte`, `idle` and `operation` (a fixed
    /// operation deadline) override theirs. Zero is refused: it would cut every request.
    pub fn from_parts(
        total: Option<u64>,
        first_byte: Option<u64>,
        idle: Option<u64>,
        operation: Option<u64>,
    ) -> Result<Self, &'static str> {
        if [total, first_byte, idle, operation].contains(&Some(0)) {
            return Err("a timeout must be at least 1 ms");
        }
        let mut d = total.map_or_else(Deadlines::default, Deadlines::within);
        if let Some(ms) = first_byte {
            d.first_byte_millis = ms;
        }
        if let Some(ms) = idle {
            d.idle_millis = ms;
        }
        if let Some(ms) = operation {
            d.operation = OperationDeadline::Fixed(ms);
        }
        Ok(d)
    }

    /// The operation deadline once it is known to move `bytes` bytes.
    pub fn operation_millis(&self, bytes: u64) -> u64 {
        match self.operation {
            OperationDeadline::Fixed(ms) => ms,
            OperationDeadline::Scaled {
                base_millis,
                min_bytes_per_second,
            } => {
                let rate = min_bytes_per_second.max(1);
                base_millis.saturating_add(bytes.saturating_mul(1000) / rate)
            }
        }
    }

    /// What one request must honour when the operation has planned `bytes` so far.
    pub fn request(&self, bytes: u64) -> RequestDeadline {
        RequestDeadline {
            first_byte_millis: self.first_byte_millis,
            idle_millis: self.idle_millis,
            operation_millis: self.operation_millis(bytes),
            request_millis: None,
        }
    }
}

/// The deadlines stamped on one request, in milliseconds. `operation_millis` counts from the
/// start of the operation (the host records it), not from this request: it is the operation's
/// deadline as far as the core knows the bytes to move when the request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestDeadline {
    /// From sending the request to its response headers.
    pub first_byte_millis: u64,
    /// Between two body chunks.
    pub idle_millis: u64,
    /// From the start of the operation to the end of this request.
    pub operation_millis: u64,
    /// From sending this request to the end of its body, when the request has a bound of its
    /// own (revocation downloads: notation's whole-request timeouts, OCSP 2 s, CRL 5 s). A host
    /// that tracks the operation's start folds it into `operation_millis` when the request is
    /// sent; without it a body trickled below the idle deadline runs until the operation's.
    pub request_millis: Option<u64>,
}

/// Which deadline passed (`details.during` in JS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlinePhase {
    /// No response headers within the first-byte deadline.
    FirstByte,
    /// No body bytes within the idle deadline.
    Idle,
    /// The operation's deadline passed.
    Operation,
}

impl DeadlinePhase {
    /// `firstByte`, `idle`, `operation`.
    pub fn name(self) -> &'static str {
        match self {
            DeadlinePhase::FirstByte => "firstByte",
            DeadlinePhase::Idle => "idle",
            DeadlinePhase::Operation => "operation",
        }
    }

    /// What was waited for, in words (messages).
    pub fn waited_for(self) -> &'static str {
        match self {
            DeadlinePhase::FirstByte => "the first byte",
            DeadlinePhase::Idle => "the next body byte",
            DeadlinePhase::Operation => "the operation to finish",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_scaling() {
        let d = Deadlines::default();
        assert_eq!((d.first_byte_millis, d.idle_millis), (30_000, 30_000));
        assert_eq!(d.operation_millis(0), 120_000);
        // 256 KiB more at 256 KiB/s: one more second.
        assert_eq!(d.operation_millis(256 * 1024), 121_000);
        // 1 GiB: 4096 s on top of the base.
        assert_eq!(d.operation_millis(1 << 30), 120_000 + 4_096_000);
        assert!(
            d.operation_millis(u64::MAX) > d.operation_millis(1 << 40),
            "saturates, never wraps"
        );
        let r = d.request(0);
        assert_eq!(r.operation_millis, 120_000);
    }

    #[test]
    fn a_single_timeout_caps_every_deadline() {
        let d = Deadlines::within(1500);
        assert_eq!((d.first_byte_millis, d.idle_millis), (1500, 1500));
        assert_eq!(
            d.operation_millis(1 << 40),
            1500,
            "fixed, whatever the bytes"
        );
        let d = Deadlines::within(600_000);
        assert_eq!((d.first_byte_millis, d.idle_millis), (30_000, 30_000));
        assert_eq!(DeadlinePhase::FirstByte.name(), "firstByte");
    }

    #[test]
    fn timeout_options() {
        assert_eq!(
            Deadlines::from_parts(None, None, None, None),
            Ok(Deadlines::default())
        );
        assert_eq!(
            Deadlines::from_parts(Some(2000), None, None, None),
            Ok(Deadlines::within(2000))
        );
        let d = Deadlines::from_parts(None, Some(1000), None, Some(5000)).unwrap();
        assert_eq!((d.first_byte_millis, d.idle_millis), (1000, 30_000));
        assert_eq!(d.operation_millis(1 << 30), 5000);
        let d = Deadlines::from_parts(None, None, Some(700), None).unwrap();
        assert_eq!(
            d.operation_millis(0),
            DEFAULT_OPERATION_BASE_MILLIS,
            "still scaled"
        );
        assert!(Deadlines::from_parts(None, Some(0), None, None).is_err());
        assert!(Deadlines::from_parts(Some(0), None, None, None).is_err());
    }
}
