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

/// Awaits `value` if it is a promise (or thenable), else returns it: `ICache` methods and
/// `nowProvider` may be sync or async (behaviour doc §3.7).
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

#[wasm_bindgen]
extern "C" {
    /// `globalThis.setTimeout` (window and worker scopes); `catch` so that an odd environment
    /// cannot throw through wasm.
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A JS timeout calling `f` once after `ms`, cancelled when dropped. Written here instead of
/// gloo-timers, whose future brings a futures-channel oneshot along.
pub(crate) struct Timer {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Starts the timer; the delay is clamped as [`clamp_ms`] says.
    pub(crate) fn new(ms: u32, f: impl FnMut() + 'static) -> Timer {
        let callback: Closure<dyn FnMut()> = Closure::new(f);
        let id = set_timeout(callback.as_ref().unchecked_ref(), clamp_ms(ms) as i32);
        Timer { id: id.unwrap_or(JsValue::UNDEFINED), _callback: callback }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // Cleared before the closure is freed, so JS can never call a dropped closure.
        clear_timeout(&self.id);
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
