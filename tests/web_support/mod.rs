//! Shared by the browser tests (`tests/web_*.rs`): isolation between tests and a bound on every
//! wait, in every engine.
//!
//! All tests of one `web_*.rs` file run one after another in one page, and a failed assertion in
//! wasm aborts (no destructor runs, nothing after it in the test). So:
//! - a test that changes the page (stubs a global, adds an iframe, opens a window) registers how
//!   to undo it with [`on_cleanup`], and calls [`clean_up`] itself before its assertions; every
//!   test starts with [`clean_up`], which undoes whatever an earlier, failed test left behind;
//! - every wait that could last (a platform call with a long or `u32::MAX` timeout) goes through
//!   [`within`], which fails the test with its name after a bound, so no test can hang the run
//!   and the next test still runs.
#![allow(dead_code)] // each test file uses part of it
#![allow(clippy::unwrap_used, clippy::panic)] // test support: failing loudly is the point

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

fn eval(code: &str) -> JsValue {
    js_sys::eval(code).unwrap()
}

/// Registers `js` (statements) to run at the next [`clean_up`]: at the end of this test, or at the
/// start of the next one if this one fails first.
pub fn on_cleanup(js: &str) {
    let f = js_sys::Function::new_no_args(js);
    let list: js_sys::Array = eval("window.__wbgCleanups = window.__wbgCleanups || []").unchecked_into();
    list.push(&f);
}

/// Runs (last registered first) and forgets every registered clean-up; a failing one does not
/// stop the others. Returns how many ran.
pub fn clean_up() -> u32 {
    eval(
        "(() => { const l = (window.__wbgCleanups || []).splice(0); for (const f of l.reverse()) { try { f(); } catch (e) {} } return l.length; })()",
    )
    .as_f64()
    .unwrap_or(0.0) as u32
}

/// A `setTimeout` deadline that, unlike gloo's `TimeoutFuture`, wakes nothing when it is dropped
/// before it fires. (Dropping a pending `TimeoutFuture` drops its channel's sender, which wakes
/// the task; Firefox runs that queued wake-up inside a later `window.open`, which then calls the
/// wasm-bindgen-futures queue re-entrantly: "closure invoked recursively", and the page's futures
/// stop. Seen with Firefox ESR 153.)
struct Deadline {
    id: i32,
    state: Rc<RefCell<(bool, Option<Waker>)>>,
    _callback: Closure<dyn FnMut()>,
}

impl Deadline {
    fn new(ms: u32) -> Deadline {
        let state = Rc::new(RefCell::new((false, None::<Waker>)));
        let fired = Rc::clone(&state);
        let callback = Closure::<dyn FnMut()>::new(move || {
            let waker = {
                let mut s = fired.borrow_mut();
                s.0 = true;
                s.1.take()
            };
            if let Some(w) = waker {
                w.wake();
            }
        });
        let id = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), ms.min(i32::MAX as u32) as i32)
            .unwrap();
        Deadline { id, state, _callback: callback }
    }

    fn poll_fired(&self, cx: &mut Context<'_>) -> bool {
        let mut s = self.state.borrow_mut();
        if !s.0 {
            s.1 = Some(cx.waker().clone());
        }
        s.0
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.clear_timeout_with_handle(self.id);
        }
    }
}

/// `Some(output)` of `fut`, or `None` when it has not finished after `ms` milliseconds; the
/// future is then dropped, so its own clean-up runs (an iframe flow removes its iframe and
/// listener, a lock wait gives up).
pub async fn try_within<F: Future>(ms: u32, fut: F) -> Option<F::Output> {
    let mut fut = Box::pin(fut);
    let deadline = Deadline::new(ms);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        if deadline.poll_fired(cx) {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    })
    .await
}

/// `fut`'s output, or a failure naming `what` when it has not finished after `ms` milliseconds:
/// the future is dropped (see [`try_within`]) and the test's registered clean-ups run first.
pub async fn within<F: Future>(ms: u32, what: &str, fut: F) -> F::Output {
    match try_within(ms, fut).await {
        Some(v) => v,
        None => {
            clean_up();
            panic!("{what}: not finished within {ms} ms (bounded so that the run goes on)");
        }
    }
}
