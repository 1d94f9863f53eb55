//! Small JS helpers shared by the adapters: global-object access that works in window and worker
//! scopes, JS exception → [`Error`] conversion that never panics on non-`Error` values, and two
//! tiny async primitives (a one-shot [`Slot`] and a timeout race) so no futures crate ships.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::core::Error;

/// `globalThis` (a `Window` in pages, a `WorkerGlobalScope` in workers).
pub(crate) fn global() -> Object {
    js_sys::global()
}

/// `obj[key]`, or `undefined` when the getter throws or `obj` is not an object.
pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` as a string, if it is one.
pub(crate) fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

/// The text of a thrown JS value: `message` of an `Error`/`DOMException`, the value itself if it
/// is a string, else a fixed text. Never panics, whatever was thrown.
pub(crate) fn message_of(thrown: &JsValue) -> String {
    if let Some(s) = thrown.as_string() {
        return s;
    }
    match get_str(thrown, "message") {
        Some(m) if !m.is_empty() => m,
        _ => get_str(thrown, "name").unwrap_or_else(|| String::from("Unknown error")),
    }
}

/// A plain `Error` with code `code` whose message is the thrown value's message.
pub(crate) fn plain(code: &str, thrown: &JsValue) -> Error {
    Error::plain(code, &message_of(thrown))
}

// ---- the JS side of the adapters ------------------------------------------------------------
//
// Every DOM, fetch, lock, channel and custom-cache call sequence runs in the small JS functions of
// js/platform.js (one module, type-checked and unit-tested there), and the wasm only awaits their
// never-rejecting promises: far fewer bindings and far less wasm than web-sys calls one by one
// (docs/performance.md). That module captures `fetch`, `crypto.getRandomValues`, the timers and
// `navigator.locks` when it is evaluated, so scripts that run after the package is imported cannot
// intercept the SDK's requests or randomness by replacing them.

#[wasm_bindgen(module = "/js/platform.js")]
extern "C" {
    /// Sends once; always resolves: `[0, status, text, dpopNonce?]`, `[1, thrown]` (network failure or a
    /// throwing `fetch`), `[2]` (timed out, request aborted) or `[3]` (not a `Response`).
    #[wasm_bindgen(js_name = send)]
    pub(crate) fn send_js(url: &str, method: &str, headers_json: &str, body: &str, ms: u32) -> js_sys::Promise;
    /// A pending or granted lock request (Web Locks, or the in-tab fallback).
    pub(crate) type LockRequest;
    /// Starts a request for the exclusive lock `name`, giving up after `ms`.
    #[wasm_bindgen(js_name = lockRequest)]
    pub(crate) fn lock_request(name: &str, ms: u32, with_state: bool) -> LockRequest;
    /// Resolves when granted; rejects with `'timeout'`.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn p(this: &LockRequest) -> js_sys::Promise;
    /// Releases a granted lock or abandons a pending request.
    #[wasm_bindgen(method, js_name = drop)]
    pub(crate) fn release(this: &LockRequest);
    /// Whether the spent mark `name` was held when this lock was granted, from the lock
    /// manager's state taken behind the request; `None` when that state cannot tell, and after
    /// the first answer (`heldAtGrant` in js/platform.js says why it is exact).
    #[wasm_bindgen(method, js_name = spentAtGrant)]
    pub(crate) fn spent_at_grant(this: &LockRequest, name: &str) -> Option<bool>;
    /// Holds a shared Web Lock `name` for `ms`; resolves once it is granted (at once when
    /// Web Locks are missing).
    #[wasm_bindgen(js_name = markSpent)]
    pub(crate) fn mark_spent_js(name: &str, ms: u32) -> js_sys::Promise;
    /// Releases this tab's mark `name` now (see `markSpent`); nothing when it holds none.
    #[wasm_bindgen(js_name = unmarkSpent)]
    pub(crate) fn unmark_spent_js(name: &str);
    /// Whether any tab holds the Web Lock `name`.
    #[wasm_bindgen(js_name = isSpent)]
    pub(crate) fn is_spent_js(name: &str) -> js_sys::Promise;
    /// The cross-tab logout channel of one client (security case I7): a `BroadcastChannel` and
    /// whether a logout of that client was announced on it and not yet taken. Without
    /// BroadcastChannel it does nothing.
    pub(crate) type LogoutChannel;
    #[wasm_bindgen(js_name = logoutChannel)]
    pub(crate) fn logout_channel(name: &str, prefix: &str, client_id: &str) -> LogoutChannel;
    /// Announces a logout of the channel's client to the other tabs.
    #[wasm_bindgen(method)]
    pub(crate) fn post(this: &LogoutChannel);
    /// Whether a logout of the channel's client was announced since the last call; consumes it.
    #[wasm_bindgen(method)]
    pub(crate) fn take(this: &LogoutChannel) -> bool;
    /// Whether a logout of the channel's client was announced and not yet taken.
    #[wasm_bindgen(method)]
    pub(crate) fn has(this: &LogoutChannel) -> bool;
    /// Stops listening and closes the channel.
    #[wasm_bindgen(method)]
    pub(crate) fn close(this: &LogoutChannel);
    /// One `ICache` call, sync or async, that never throws or rejects: `get` → JSON text or
    /// `undefined` (miss); `set` → `null` or `[thrown]`; `remove` → anything; `allKeys` → the SDK
    /// keys or `undefined` (no or failing `allKeys`).
    #[wasm_bindgen(js_name = customOp)]
    pub(crate) fn custom_op(cache: &Object, op: u32, key: &str, value: &str, prefix: &str) -> js_sys::Promise;
    /// Fills `bytes` from the `crypto.getRandomValues` captured at load; false without one.
    #[wasm_bindgen(js_name = fillRandom)]
    pub(crate) fn fill_random(bytes: &mut [u8]) -> bool;
    /// The `setTimeout` captured at load; never throws.
    #[wasm_bindgen(js_name = startTimer)]
    fn start_timer(handler: &Function, ms: u32) -> JsValue;
    /// The `clearTimeout` captured at load; never throws.
    #[wasm_bindgen(js_name = stopTimer)]
    fn stop_timer(id: &JsValue);
}

/// Awaits `value` if it is a promise (or thenable), else returns it: `ICache` methods and
/// `nowProvider` may be sync or async (docs/behaviour.md §3.7).
pub(crate) async fn resolve(value: JsValue) -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&value)).await
}

struct SlotInner<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

/// A one-shot cell an event listener or timer fills and one task awaits; the first value wins,
/// later ones are dropped (a message arriving after the timeout is ignored, security case G6).
pub(crate) struct Slot<T>(Rc<RefCell<SlotInner<T>>>);

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Slot(Rc::clone(&self.0))
    }
}

impl<T> Slot<T> {
    /// An empty slot.
    pub(crate) fn new() -> Slot<T> {
        Slot(Rc::new(RefCell::new(SlotInner { value: None, waker: None })))
    }

    /// Stores `value` if the slot is still empty and wakes the waiter.
    pub(crate) fn set(&self, value: T) {
        let waker = match self.0.try_borrow_mut() {
            Ok(mut s) if s.value.is_none() => {
                s.value = Some(value);
                s.waker.take()
            }
            _ => None,
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Waits for the value.
    pub(crate) async fn take(&self) -> T {
        poll_fn(|cx| self.poll_take(cx)).await
    }

    /// Takes the value if it is there, else registers the task to be woken when it comes.
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<T> {
        match self.0.try_borrow_mut() {
            Ok(mut s) => match s.value.take() {
                Some(v) => Poll::Ready(v),
                None => {
                    s.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            },
            Err(_) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}

/// A JS timeout calling `f` once after `ms`, cancelled when dropped. Written here instead of
/// gloo-timers, whose future brings a futures-channel oneshot along.
#[must_use = "dropping the timer cancels it"]
pub(crate) struct Timer {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Starts the timer; the delay is clamped as [`clamp_ms`] says.
    pub(crate) fn new(ms: u32, f: impl FnMut() + 'static) -> Timer {
        let callback: Closure<dyn FnMut()> = Closure::new(f);
        let id = start_timer(callback.as_ref().unchecked_ref(), clamp_ms(ms));
        Timer { id, _callback: callback }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // Cleared before the closure is freed, so JS can never call a dropped closure.
        stop_timer(&self.id);
    }
}

/// Browsers treat a `setTimeout` delay above 2^31-1 ms as 0 (it fires at once): clamp, so a
/// huge `timeoutInSeconds` means "about 24 days", not "immediately".
pub(crate) fn clamp_ms(ms: u32) -> u32 {
    ms.min(i32::MAX as u32)
}

/// Runs `fut` for at most `ms` milliseconds: `None` when the timer fired first (the future is
/// then dropped, which is how every adapter cancels and cleans up).
pub(crate) async fn within<F: Future>(ms: u32, fut: F) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let fired = Slot::new();
    let on_fire = fired.clone();
    let _timer = Timer::new(ms, move || on_fire.set(()));
    poll_fn(move |cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        fired.poll_take(cx).map(|()| None)
    })
    .await
}

/// Appends the decimal digits of `n` (no `format!` machinery in shipping code).
pub(crate) fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut v = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    for d in digits.iter().skip(i) {
        out.push(char::from(*d));
    }
}
