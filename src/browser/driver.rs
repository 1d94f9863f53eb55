//! The one driver of the flows in a page: steps a [`Machine`] and performs each [`Io`] it asks
//! for with the browser adapters of [`BrowserPlatform`], feeding the outcome back. It decides
//! nothing; every rule is in the flow. Locks a flow takes are held here and released when the
//! flow ends, on every path (success, error, or the page dropping the call).

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use super::dpop;
use super::lock::BrowserLockGuard;
use super::BrowserPlatform;
use crate::core::{Error, Result};
use crate::client::{CookieOp, Io, Machine, Reply, Step};

/// Runs `flow` to its end. `popup` is the window a popup flow was started with (opened by JS in
/// the user's click, where popup blockers allow it).
pub(crate) async fn run<T>(platform: &BrowserPlatform, popup: Option<web_sys::Window>, flow: &mut dyn Machine<Output = T>) -> Result<T> {
    let mut locks: Vec<BrowserLockGuard> = Vec::new();
    let mut reply = Reply::Start;
    loop {
        match flow.step(reply) {
            Step::Done(result) => return result,
            Step::Io(io) => {
                reply = match perform(platform, popup.as_ref(), &mut locks, io) {
                    Performed::Now(done) => done,
                    Performed::Later(pending) => pending.await,
                }
            }
        }
    }
}

/// An I/O's outcome: at once, or a future of it.
///
/// Each waiting kind is its own boxed future, so this driver's future has one await point instead
/// of every adapter's states inlined into it (a 15 KB function before, compiled on the first call
/// of every page load; `docs/performance.md`, "Start-up").
enum Performed<'a> {
    Now(Reply),
    Later(Pin<Box<dyn Future<Output = Reply> + 'a>>),
}

fn perform<'a>(p: &'a BrowserPlatform, popup: Option<&'a web_sys::Window>, locks: &'a mut Vec<BrowserLockGuard>, io: Io) -> Performed<'a> {
    let now = match io {
        Io::Now => return later(async move { Reply::Time(p.now_ms().await) }),
        Io::Random(n) => {
            let mut bytes = vec![0u8; n];
            Reply::Bytes(p.fill_random(&mut bytes).map(|()| bytes))
        }
        Io::CacheGet(keys) => {
            return later(async move {
                let mut texts = Vec::with_capacity(keys.len());
                for key in &keys {
                    texts.push(p.cache_get(key).await);
                }
                Reply::Texts(texts)
            })
        }
        Io::CacheEquals(key, expected) => return later(async move { Reply::Flag(p.cache_equals(&key, &expected).await) }),
        Io::CacheSet(writes) => {
            return later(async move {
                for (key, value) in &writes {
                    if let Err(e) = p.cache_set(key, value).await {
                        return Reply::Outcome(Err(e));
                    }
                }
                Reply::Outcome(Ok(()))
            })
        }
        Io::CacheRemove(keys) => {
            return later(async move {
                for key in &keys {
                    p.cache_remove(key).await;
                }
                Reply::Unit
            })
        }
        Io::CacheKeys => return later(async move { Reply::Keys(p.cache_keys().await) }),
        Io::TakeTransaction(key) => {
            let text = p.transaction_get(&key);
            p.transaction_remove(&key);
            Reply::Texts(vec![text])
        }
        Io::PutTransaction(key, value) => Reply::Outcome(p.transaction_set(&key, &value)),
        Io::DropTransaction(key) => {
            p.transaction_remove(&key);
            Reply::Unit
        }
        Io::CookieGet(name) => Reply::Texts(vec![p.cookie_get(&name)]),
        Io::Cookies(ops) => {
            for op in ops {
                match op {
                    CookieOp::Set(name, value, days) => p.cookie_set(&name, &value, days),
                    CookieOp::Remove(name) => p.cookie_remove(&name),
                }
            }
            Reply::Unit
        }
        Io::Http(request, timeout_ms) => return later(async move { Reply::Response(p.http(&request, timeout_ms).await) }),
        Io::HttpMarkingSpent(request, timeout_ms, mark, hold_ms) => {
            return later(async move {
                let (response, ()) = join(p.http(&request, timeout_ms), p.mark_spent(&mark, hold_ms)).await;
                Reply::Response(response)
            })
        }
        Io::Lock(name, timeout_ms, checks_spent) => {
            return later(async move { Reply::Outcome(p.lock_with_state(&name, timeout_ms, checks_spent).await.map(|guard| locks.push(guard))) })
        }
        Io::UnmarkSpent(mark) => {
            p.unmark_spent(&mark);
            Reply::Unit
        }
        // The refresh path asks this right after taking the per-audience lock, the last lock of
        // its flow: the lock manager's state at that grant answers it without a second round
        // trip (js/platform.js `heldAtGrant`); otherwise, or for a later check, ask now.
        Io::IsSpent(mark) => match locks.last().and_then(|guard| guard.spent_at_grant(&mark)) {
            Some(spent) => Reply::Flag(spent),
            None => return later(async move { Reply::Flag(p.is_spent(&mark).await) }),
        },
        Io::Sleep(ms) => {
            return later(async move {
                p.sleep(ms).await;
                Reply::Unit
            })
        }
        Io::Iframe(frame) => {
            return later(async move { Reply::Message(p.run_iframe(&frame.url, &frame.origin, &frame.state, frame.timeout_ms).await) })
        }
        Io::Popup(frame, close) => match popup {
            Some(window) => {
                let window = window.clone();
                return later(async move {
                    Reply::Message(p.run_popup(window, &frame.url, &frame.origin, &frame.state, frame.timeout_ms, close).await)
                });
            }
            None => Reply::Message(Err(Error::popup_open())),
        },
        Io::Warn(message) => {
            p.warn(&message);
            Reply::Unit
        }
        Io::BroadcastLogout => {
            p.broadcast_logout();
            Reply::Unit
        }
        Io::TakeRemoteLogout => Reply::Flag(p.take_remote_logout()),
        io @ (Io::DpopKey(_) | Io::DpopSign(..) | Io::DpopNonceGet(_) | Io::DpopNonceSet(..) | Io::DpopClear(_)) => {
            if crate::core::options::PARITY {
                return later(async move { dpop::perform(&io).await });
            }
            // The lite build never asks for DPoP (its flows read `useDpop` as false), and the
            // compiler drops dpop::perform from it.
            Reply::Unit
        }
    };
    Performed::Now(now)
}

fn later<'a>(pending: impl Future<Output = Reply> + 'a) -> Performed<'a> {
    Performed::Later(Box::pin(pending))
}

/// Runs two futures at once and yields both outputs (a two-way `join`, without a futures crate).
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut done_a, mut done_b) = (None, None);
    std::future::poll_fn(|cx| {
        if done_a.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                done_a = Some(v);
            }
        }
        if done_b.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                done_b = Some(v);
            }
        }
        match (done_a.take(), done_b.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                done_a = x;
                done_b = y;
                Poll::Pending
            }
        }
    })
    .await
}
