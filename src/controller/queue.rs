//! The controller's work queue: set keys, each queued at most once and synced by one
//! worker at a time, with delayed adds and upstream's per-key exponential retry backoff.
// upstream: client-go workqueue (TypedRateLimitingQueue over the delaying queue)

use crate::sim::statefulset::retry_delay;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;

/// A StatefulSet's namespace and name.
pub type Key = (String, String);

#[derive(Debug, Default)]
struct Inner {
    queue: VecDeque<Key>,
    /// Keys waiting to be synced (queued, or to be requeued when their sync ends).
    dirty: HashSet<Key>,
    /// Keys a worker is syncing now.
    processing: HashSet<Key>,
    /// Consecutive failed syncs per key, for the backoff.
    failures: HashMap<Key, u32>,
    shut_down: bool,
}

/// A rate-limited work queue of set keys.
#[derive(Debug, Default)]
pub struct Queue {
    inner: Mutex<Inner>,
    ready: Notify,
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `key` unless it is queued already; a key being synced is queued again when
    /// its sync ends.
    pub fn add(&self, key: Key) {
        let mut inner = self.lock();
        if inner.shut_down || inner.dirty.contains(&key) {
            return;
        }
        inner.dirty.insert(key.clone());
        if !inner.processing.contains(&key) {
            inner.queue.push_back(key);
            drop(inner);
            self.ready.notify_one();
        }
    }

    /// Queues `key` after `delay` (needs a Tokio runtime).
    pub fn add_after(self: &Arc<Self>, key: Key, delay: Duration) {
        if delay.is_zero() {
            self.add(key);
            return;
        }
        let queue = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            queue.add(key);
        });
    }

    /// Queues `key` after its backoff (5ms·2ⁿ for the n-th consecutive failure, at most
    /// 1000s); returns the delay.
    pub fn add_rate_limited(self: &Arc<Self>, key: Key) -> Duration {
        let delay = {
            let mut inner = self.lock();
            let failures = inner.failures.entry(key.clone()).or_insert(0);
            *failures += 1;
            retry_delay(*failures - 1)
        };
        self.add_after(key, delay);
        delay
    }

    /// Resets `key`'s backoff (its sync succeeded, or the set is gone).
    pub fn forget(&self, key: &Key) {
        self.lock().failures.remove(key);
    }

    /// The next key to sync, waiting for one; None once shut down.
    pub async fn get(&self) -> Option<Key> {
        loop {
            let notified = self.ready.notified();
            {
                let mut inner = self.lock();
                if inner.shut_down {
                    return None;
                }
                if let Some(key) = inner.queue.pop_front() {
                    inner.dirty.remove(&key);
                    inner.processing.insert(key.clone());
                    let more = !inner.queue.is_empty();
                    drop(inner);
                    if more {
                        self.ready.notify_one();
                    }
                    return Some(key);
                }
            }
            notified.await;
        }
    }

    /// Ends the sync of `key`; queues it again if it was added meanwhile.
    pub fn done(&self, key: &Key) {
        let mut inner = self.lock();
        inner.processing.remove(key);
        if inner.dirty.contains(key) && !inner.shut_down {
            inner.queue.push_back(key.clone());
            drop(inner);
            self.ready.notify_one();
        }
    }

    /// Stops handing out keys; every waiting `get` returns None.
    pub fn shut_down(&self) {
        self.lock().shut_down = true;
        self.ready.notify_waiters();
        self.ready.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Key {
        ("default".to_owned(), name.to_owned())
    }

    #[tokio::test]
    async fn a_key_is_queued_once_and_requeued_after_its_sync_when_added_meanwhile() {
        let queue = Queue::default();
        queue.add(key("web"));
        queue.add(key("web"));
        queue.add(key("db"));
        assert_eq!(queue.get().await, Some(key("web")));
        assert_eq!(queue.get().await, Some(key("db")));
        // Added while syncing: not handed out to a second worker …
        queue.add(key("web"));
        assert!(queue.lock().queue.is_empty());
        // … but queued again when its sync ends.
        queue.done(&key("web"));
        assert_eq!(queue.get().await, Some(key("web")));
        queue.done(&key("web"));
        queue.done(&key("db"));
        assert!(queue.lock().queue.is_empty());
        queue.shut_down();
        assert_eq!(queue.get().await, None);
    }

    #[tokio::test]
    async fn failures_back_off_exponentially_until_forgotten() {
        let queue = Arc::new(Queue::default());
        let delays: Vec<Duration> = (0..4).map(|_| queue.add_rate_limited(key("web"))).collect();
        assert_eq!(delays, [5, 10, 20, 40].map(Duration::from_millis).to_vec());
        queue.forget(&key("web"));
        assert_eq!(queue.add_rate_limited(key("web")), Duration::from_millis(5));
        // The delayed add arrives once its time has passed.
        assert_eq!(queue.get().await, Some(key("web")));
    }
}
