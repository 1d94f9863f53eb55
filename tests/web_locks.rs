//! Browser tests of `BrowserPlatform::lock` (docs/behaviour.md §5.2): exclusion, the wait timeout,
//! release on drop (including a waiter that gives up), with Web Locks and with the in-tab
//! fallback used when `navigator.locks` is missing; and cross-tab logout over BroadcastChannel
//! (security case I7).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap (project rules)

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::task::{Context, Waker};

use auth0_spa_wasm::browser::{BrowserConfig, BrowserPlatform, LOGOUT_CHANNEL};
use auth0_spa_wasm::core::ErrorClass;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::*;
use web_support::{clean_up, on_cleanup};

mod web_support;

wasm_bindgen_test_configure!(run_in_browser);


fn eval(code: &str) -> JsValue {
    js_sys::eval(code).unwrap()
}

fn platform() -> Rc<BrowserPlatform> {
    Rc::new(BrowserPlatform::new(BrowserConfig::new("cid")))
}

/// Hides `navigator.locks` until the next `clean_up()` (this test's own, or the next test's
/// first line if this one fails first: every test here starts with `clean_up()`).
fn without_web_locks() {
    eval("window.__locksDesc = Object.getOwnPropertyDescriptor(Navigator.prototype, 'locks');
          Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined });");
    on_cleanup("Object.defineProperty(Navigator.prototype, 'locks', window.__locksDesc);");
}

async fn second_acquire_waits_until_the_first_guard_drops(name: &str) {
    let p = platform();
    let first = p.lock(name, 1000).await.unwrap();
    let got = Rc::new(Cell::new(false));
    {
        let (p, got, name) = (Rc::clone(&p), Rc::clone(&got), name.to_owned());
        spawn_local(async move {
            let g = p.lock(&name, 3000).await.unwrap();
            got.set(true);
            drop(g);
        });
    }
    TimeoutFuture::new(150).await;
    assert!(!got.get(), "second holder got the lock while the first held it");
    drop(first);
    TimeoutFuture::new(100).await;
    assert!(got.get(), "second holder did not get the lock after release");
    // Released again: a third acquire is immediate.
    drop(p.lock(name, 100).await.unwrap());
}

async fn waiting_on_a_held_lock_times_out(name: &str) {
    let p = platform();
    let held = p.lock(name, 1000).await.unwrap();
    let started = js_sys::Date::now();
    let e = p.lock(name, 200).await.err().unwrap();
    let elapsed = js_sys::Date::now() - started;
    assert_eq!(e.class, ErrorClass::Timeout);
    assert_eq!((e.error.as_str(), e.description.as_str()), ("timeout", "Timeout"));
    assert!((150.0..2000.0).contains(&elapsed), "{elapsed}");
    drop(held);
    drop(p.lock(name, 200).await.unwrap());
}

async fn a_waiter_that_gives_up_does_not_keep_the_lock(name: &str) {
    let p = platform();
    let held = p.lock(name, 1000).await.unwrap();
    {
        // Start waiting, then drop the waiting future (e.g. the caller was cancelled).
        let mut waiting = Box::pin(p.lock(name, 5000));
        // A waker that does nothing: the future is polled once by hand.
        let mut cx = Context::from_waker(Waker::noop());
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        TimeoutFuture::new(20).await;
    }
    drop(held);
    TimeoutFuture::new(20).await;
    drop(p.lock(name, 300).await.expect("lock free again after the waiter gave up"));
}

#[wasm_bindgen_test]
async fn web_locks_exclude_a_second_holder_until_release() {
    clean_up();
    assert!(eval("!!navigator.locks").as_bool().unwrap());
    second_acquire_waits_until_the_first_guard_drops("t.web.exclusive").await;
}

#[wasm_bindgen_test]
async fn web_locks_wait_times_out_with_timeout_error() {
    clean_up();
    waiting_on_a_held_lock_times_out("t.web.timeout").await;
}

#[wasm_bindgen_test]
async fn web_locks_are_released_when_a_waiter_gives_up() {
    clean_up();
    a_waiter_that_gives_up_does_not_keep_the_lock("t.web.dropped").await;
}

#[wasm_bindgen_test]
async fn the_lock_is_held_in_navigator_locks_under_its_name() {
    clean_up();
    let p = platform();
    let g = p.lock("auth0.lock.getTokenSilently.cid.default", 1000).await.unwrap();
    let held = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(eval(
        "navigator.locks.query().then(s => s.held.map(l => l.name + ':' + l.mode).join(','))",
    )))
    .await
    .unwrap()
    .as_string()
    .unwrap();
    drop(g);
    assert!(held.contains("auth0.lock.getTokenSilently.cid.default:exclusive"), "{held}");
}

/// The refresh path's first spent-mark check is answered from the lock manager's state taken
/// right behind the lock request (js/platform.js `heldAtGrant`): exact when the lock was free,
/// unknown when the request had to wait, and given once.
#[wasm_bindgen_test]
async fn a_lock_granted_at_once_knows_the_spent_marks_held_at_its_grant() {
    clean_up();
    let p = platform();
    p.mark_spent("t.grant.mark.held", 5000).await;
    let g = p.lock_checking_spent("t.grant.free", 1000).await.unwrap();
    assert_eq!(g.spent_at_grant("t.grant.mark.held"), Some(true));
    assert_eq!(g.spent_at_grant("t.grant.mark.held"), None, "answered once; later checks ask the lock manager");
    drop(g);
    // A release reaches the lock manager a little later: a request made at once would wait
    // behind it (the case below), so let it settle first.
    TimeoutFuture::new(50).await;
    let g = p.lock_checking_spent("t.grant.free", 1000).await.unwrap();
    assert_eq!(g.spent_at_grant("t.grant.mark.other"), Some(false));
    drop(g);
    p.unmark_spent("t.grant.mark.held");
    TimeoutFuture::new(50).await;
    let g = p.lock_checking_spent("t.grant.free", 1000).await.unwrap();
    assert_eq!(g.spent_at_grant("t.grant.mark.held"), Some(false), "unmarked before this grant");
    drop(g);
}

#[wasm_bindgen_test]
async fn a_plain_lock_knows_no_spent_marks() {
    clean_up();
    let p = platform();
    p.mark_spent("t.plain.mark", 5000).await;
    let g = p.lock("t.plain", 1000).await.unwrap();
    assert_eq!(g.spent_at_grant("t.plain.mark"), None, "only lock_checking_spent takes the state");
    drop(g);
    p.unmark_spent("t.plain.mark");
}

#[wasm_bindgen_test]
async fn a_lock_granted_after_waiting_leaves_the_spent_check_to_the_lock_manager() {
    clean_up();
    let p = platform();
    let first = p.lock_checking_spent("t.grant.busy", 1000).await.unwrap();
    let answer: Rc<Cell<Option<Option<bool>>>> = Rc::new(Cell::new(None));
    {
        let (p, answer) = (Rc::clone(&p), Rc::clone(&answer));
        spawn_local(async move {
            let g = p.lock_checking_spent("t.grant.busy", 3000).await.unwrap();
            answer.set(Some(g.spent_at_grant("t.grant.mark.late")));
            drop(g);
        });
    }
    TimeoutFuture::new(50).await;
    // The first holder marks a token while holding the lock, then hands it over.
    p.mark_spent("t.grant.mark.late", 5000).await;
    drop(first);
    TimeoutFuture::new(150).await;
    assert_eq!(answer.get(), Some(None), "the state behind a waiting request says nothing");
    assert!(p.is_spent("t.grant.mark.late").await, "the lock manager itself knows the mark");
    p.unmark_spent("t.grant.mark.late");
}

#[wasm_bindgen_test]
async fn without_web_locks_the_in_tab_lock_still_excludes_and_times_out() {
    clean_up();
    without_web_locks();
    second_acquire_waits_until_the_first_guard_drops("t.local.exclusive").await;
    waiting_on_a_held_lock_times_out("t.local.timeout").await;
    a_waiter_that_gives_up_does_not_keep_the_lock("t.local.dropped").await;
    clean_up();
}

#[wasm_bindgen_test]
async fn a_logout_broadcast_reaches_other_clients_but_not_the_sender() {
    clean_up();
    let sender = platform();
    let other = platform();
    eval(&format!(
        "window.__heard = []; window.__bc = new BroadcastChannel('{LOGOUT_CHANNEL}'); window.__bc.onmessage = e => window.__heard.push(e.data);"
    ));
    let another_client = Rc::new(BrowserPlatform::new(BrowserConfig::new("another-client")));
    sender.broadcast_logout();
    TimeoutFuture::new(100).await;
    assert!(other.remote_logout_pending(), "seen before it is taken");
    assert!(other.take_remote_logout());
    assert!(!other.remote_logout_pending());
    assert!(!other.take_remote_logout(), "a logout notice is consumed once");
    assert!(!sender.take_remote_logout(), "BroadcastChannel does not echo to the sender");
    assert!(!another_client.take_remote_logout(), "a logout of client cid is not another client's");
    assert_eq!(eval("window.__heard.length").as_f64(), Some(1.0));
    assert_eq!(eval("window.__heard[0]").as_string().as_deref(), Some("logout:cid"), "the message names the client");

    // A logout announced by another tab's script on the channel.
    eval("window.__bc.postMessage('logout:cid'); window.__bc.close();");
    TimeoutFuture::new(100).await;
    assert!(sender.take_remote_logout());
}

#[wasm_bindgen_test]
async fn a_huge_wait_timeout_does_not_fire_at_once() {
    clean_up();
    // setTimeout treats delays above 2^31-1 ms as 0; the platform clamps instead.
    let p = platform();
    let held = p.lock("t.huge", 1000).await.unwrap();
    let outcome: Rc<Cell<Option<bool>>> = Rc::new(Cell::new(None));
    {
        let (p, outcome) = (Rc::clone(&p), Rc::clone(&outcome));
        spawn_local(async move {
            let r = p.lock("t.huge", u32::MAX).await;
            outcome.set(Some(r.is_ok()));
        });
    }
    TimeoutFuture::new(150).await;
    assert_eq!(outcome.get(), None, "the wait ended early");
    drop(held);
    TimeoutFuture::new(100).await;
    assert_eq!(outcome.get(), Some(true));
}

#[wasm_bindgen_test]
async fn a_spent_mark_is_visible_once_placed_and_gone_once_taken_back() {
    clean_up();
    let p = platform();
    let name = "auth0.spent.web-locks-test";
    assert!(!p.is_spent(name).await);
    p.mark_spent(name, 30_000).await;
    assert!(p.is_spent(name).await, "held for 30 s");
    p.unmark_spent(name);
    // The release goes to the lock manager asynchronously: poll briefly.
    let mut gone = false;
    for _ in 0..50 {
        if !p.is_spent(name).await {
            gone = true;
            break;
        }
        TimeoutFuture::new(10).await;
    }
    assert!(gone, "unmark_spent released the mark long before its 30 s");
    p.unmark_spent(name); // a second take-back is harmless
}
