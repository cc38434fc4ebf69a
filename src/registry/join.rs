//! Bounded concurrency for independent registry requests (issue 3: "independent requests run
//! concurrently"). wasm has one thread, so this interleaves futures on the caller's task instead
//! of spawning: at most `limit` are in flight, each polled when the task wakes.

use core::future::Future;
use core::pin::Pin;
use core::task::Poll;

/// Runs `make(item)` for every item with at most `limit` futures in flight and returns the
/// results in item order. The first error is returned at once; futures still in flight are
/// dropped (their requests' answers are ignored).
pub(crate) async fn try_join_bounded<T, R, E, F, Fut>(
    items: Vec<T>,
    limit: usize,
    mut make: F,
) -> Result<Vec<R>, E>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Result<R, E>>,
{
    let limit = limit.max(1);
    let total = items.len();
    let mut pending = items.into_iter().enumerate();
    let mut running: Vec<(usize, Pin<Box<Fut>>)> = Vec::new();
    let mut results: Vec<Option<R>> = (0..total).map(|_| None).collect();
    core::future::poll_fn(|cx| loop {
        while running.len() < limit {
            match pending.next() {
                Some((i, item)) => running.push((i, Box::pin(make(item)))),
                None => break,
            }
        }
        if running.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let mut finished_one = false;
        let mut k = 0;
        while k < running.len() {
            match running[k].1.as_mut().poll(cx) {
                Poll::Ready(Ok(r)) => {
                    results[running[k].0] = Some(r);
                    drop(running.swap_remove(k));
                    finished_one = true;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => k += 1,
            }
        }
        // Start the next items in the freed slots, or wait for a wake-up.
        if !finished_one {
            return Poll::Pending;
        }
    })
    .await?;
    Ok(results.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;
    use core::task::{Context, Waker};

    /// A future that is pending `n` times before it is ready (waking itself each time).
    struct Yields(u32);
    impl Future for Yields {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 == 0 {
                return Poll::Ready(());
            }
            self.0 -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = Box::pin(f);
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..10_000 {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
        panic!("did not finish");
    }

    #[test]
    fn keeps_order_and_bounds_in_flight() {
        let in_flight = Cell::new(0usize);
        let peak = Cell::new(0usize);
        let out: Result<Vec<u32>, ()> = block_on(try_join_bounded((0..10u32).collect(), 3, |i| {
            let (in_flight, peak) = (&in_flight, &peak);
            async move {
                in_flight.set(in_flight.get() + 1);
                peak.set(peak.get().max(in_flight.get()));
                Yields(10 - i).await;
                in_flight.set(in_flight.get() - 1);
                Ok(i * 2)
            }
        }));
        assert_eq!(out.unwrap(), (0..10).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(peak.get(), 3);
    }

    #[test]
    fn first_error_wins() {
        let out: Result<Vec<u32>, u32> =
            block_on(try_join_bounded(vec![1, 2, 3], 2, |i| async move {
                Yields(i).await;
                if i == 2 {
                    Err(i)
                } else {
                    Ok(i)
                }
            }));
        assert_eq!(out, Err(2));
    }
}
