//! A count of signature checks, for the per-verification budget (docs/limits.md §Count budgets,
//! [`crate::limits::VERIFICATION_SIGNATURE_CHECKS`]): every signature verified by a
//! [`super::PublicKey`] is counted, whatever asked for it (envelope, certificate link, timestamp
//! token, CRL).
//!
//! The count lives in a thread-local because the checks happen deep inside parsers and chain
//! walks that know nothing of the verification they serve; [`counted`] scopes it to one
//! synchronous call, so concurrent async verifications on one thread (a portal page) cannot mix
//! their counts: no check runs across an `await`.

use core::cell::Cell;

std::thread_local! {
    static CHECKS: Cell<usize> = const { Cell::new(0) };
}

/// Counts one signature check (called before the math runs).
pub(crate) fn count_check() {
    CHECKS.with(|c| c.set(c.get().saturating_add(1)));
}

/// Runs `f` and returns what it returned with the number of signature checks it made. Nested
/// scopes count for their callers too.
pub(crate) fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = CHECKS.with(|c| c.replace(0));
    let value = f();
    let made = CHECKS.with(|c| c.replace(before.saturating_add(c.get())));
    (value, made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_count_their_own_checks_and_nest() {
        let ((), outer_before) = counted(|| {
            count_check();
        });
        assert_eq!(outer_before, 1);
        let (inner, outer) = counted(|| {
            count_check();
            let ((), inner) = counted(|| {
                count_check();
                count_check();
            });
            count_check();
            inner
        });
        assert_eq!(inner, 2);
        assert_eq!(outer, 4, "the inner checks count for the outer scope too");
    }
}
