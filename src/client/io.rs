//! The vocabulary between a flow and its driver (the sans-IO shape of quinn-proto and rustls):
//! a flow is a [`Machine`] that, stepped with the outcome of its last request ([`Reply`]), either
//! asks for the next one ([`Io`]) or finishes. It never waits, never calls the browser, and never
//! reads a clock or a random source of its own; the driver does all of that (`browser::driver`
//! in a page, `tests/common` natively) and feeds the outcome back.
//!
//! Requests are coarse on purpose: several cache keys are read, written or removed in one request,
//! so a flow has few states and the driver few round trips.

use std::rc::Rc;

use crate::core::http::{HttpRequest, HttpResponse};
use crate::core::json::Json;
use crate::core::{Error, Result, UnixMillis};

/// What a flow asks its driver to do next.
#[derive(Clone, Debug, PartialEq)]
pub enum Io {
    /// The clock: `nowProvider` (awaited) or `Date.now()`. Replies [`Reply::Time`].
    Now,
    /// This many cryptographically secure random bytes. Replies [`Reply::Bytes`].
    Random(usize),
    /// Reads these cache entries. Replies [`Reply::Texts`], one per key, in order.
    CacheGet(Vec<String>),
    /// Whether the entry `key` holds exactly this text (the cache-hit memo's check; comparing
    /// where the text lives avoids copying kilobytes of JSON). Replies [`Reply::Flag`].
    CacheEquals(String, Rc<str>),
    /// Writes these entries in order, stopping at the first refusal. Replies [`Reply::Outcome`].
    CacheSet(Vec<(String, String)>),
    /// Removes these entries (a failure to remove is ignored). Replies [`Reply::Unit`].
    CacheRemove(Vec<String>),
    /// Every cache key starting with `@@auth0spajs@@`, or none when the cache cannot list keys.
    /// Replies [`Reply::Keys`].
    CacheKeys,
    /// Reads and deletes the login transaction under this key. Replies [`Reply::Texts`] (one).
    TakeTransaction(String),
    /// Stores the login transaction. Replies [`Reply::Outcome`].
    PutTransaction(String, String),
    /// Deletes the login transaction. Replies [`Reply::Unit`].
    DropTransaction(String),
    /// Reads a cookie. Replies [`Reply::Texts`] (one).
    CookieGet(String),
    /// Writes and removes cookies. Replies [`Reply::Unit`].
    Cookies(Vec<CookieOp>),
    /// Sends a request, aborting it after the timeout (ms). Replies [`Reply::Response`].
    Http(HttpRequest, u32),
    /// [`Io::Http`] while marking the refresh token with the given fingerprint spent for the given
    /// time (ms), both at once; the mark is visible to every tab before the reply. Replies
    /// [`Reply::Response`].
    HttpMarkingSpent(HttpRequest, u32, String, u32),
    /// Takes the exclusive cross-tab lock, waiting at most the given ms. Replies
    /// [`Reply::Outcome`] (`TimeoutError`). The lock is held until the flow ends: the driver
    /// releases every lock of a flow then, on every path. The flag says the holder will check a
    /// spent mark right after the grant ([`Io::IsSpent`]): the driver then takes the lock
    /// manager's state at the grant too, which answers that check without a round trip; other
    /// locks skip that query.
    Lock(String, u32, bool),
    /// Takes back this tab's spent mark. Replies [`Reply::Unit`].
    UnmarkSpent(String),
    /// Whether some tab holds this spent mark. Replies [`Reply::Flag`].
    IsSpent(String),
    /// Waits this many ms. Replies [`Reply::Unit`].
    Sleep(u32),
    /// Loads the URL in a hidden iframe and waits for the `web_message` answer from exactly the
    /// origin, from that iframe, with the state (docs/behaviour.md §2.7). Replies
    /// [`Reply::Message`].
    Iframe(Frame),
    /// Points the popup the flow was started with at the URL and waits as [`Io::Iframe`] does
    /// (§2.8). Replies [`Reply::Message`].
    Popup(Frame, bool),
    /// `console.warn`. Replies [`Reply::Unit`].
    Warn(String),
    /// Tells the other tabs that this client logged out. Replies [`Reply::Unit`].
    BroadcastLogout,
    /// Whether another tab announced a logout of this client since the last look; takes it.
    /// Replies [`Reply::Flag`].
    TakeRemoteLogout,
    /// The public JWK (JSON text) of the DPoP key pair stored under this IndexedDB key, first
    /// creating and storing a non-extractable ES256 pair when there is none (RFC 9449 §4.2,
    /// docs/behaviour.md §3.10). Replies [`Reply::Text`].
    DpopKey(String),
    /// Signs the text (UTF-8) with the private key of the pair under this key (ECDSA P-256,
    /// SHA-256). Replies [`Reply::Bytes`]: the 64-byte JWS signature.
    DpopSign(String, String),
    /// Reads the DPoP nonce under this key. Replies [`Reply::Texts`] (one; `None` when absent or
    /// unreadable).
    DpopNonceGet(String),
    /// Stores a DPoP nonce under this key. Replies [`Reply::Outcome`].
    DpopNonceSet(String, String),
    /// Deletes every DPoP nonce and key pair whose key starts with this prefix. Replies
    /// [`Reply::Unit`] (best effort, as auth0-spa-js's logout).
    DpopClear(String),
}

/// A `web_message` flow to run: [`Io::Iframe`] and [`Io::Popup`].
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The `/authorize` URL.
    pub url: String,
    /// The only origin an answer may come from.
    pub origin: String,
    /// The `state` sent.
    pub state: String,
    /// How long to wait (ms).
    pub timeout_ms: u32,
}

/// One cookie change of [`Io::Cookies`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CookieOp {
    /// Writes the cookie (and its `_legacy_` twin) for this many days.
    Set(String, String, u32),
    /// Removes the cookie and its twin.
    Remove(String),
}

/// The outcome of an [`Io`], fed back into the flow.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The first step: nothing was asked yet.
    Start,
    /// Done; nothing to report.
    Unit,
    /// [`Io::Now`].
    Time(UnixMillis),
    /// [`Io::Random`].
    Bytes(Result<Vec<u8>>),
    /// Texts read, one per key asked.
    Texts(Vec<Option<String>>),
    /// A yes or no.
    Flag(bool),
    /// [`Io::CacheKeys`].
    Keys(Option<Vec<String>>),
    /// Success or the error.
    Outcome(Result<()>),
    /// [`Io::Http`], [`Io::HttpMarkingSpent`].
    Response(Result<HttpResponse>),
    /// [`Io::Iframe`], [`Io::Popup`]: the answer's `response` object.
    Message(Result<Json>),
    /// A text or the error that prevented it ([`Io::DpopKey`]).
    Text(Result<String>),
}

impl Reply {
    /// The texts of a read; anything else reads as nothing found.
    pub(crate) fn texts(self) -> Vec<Option<String>> {
        match self {
            Reply::Texts(t) => t,
            _ => Vec::new(),
        }
    }

    /// The single text of a read.
    pub(crate) fn text(self) -> Option<String> {
        self.texts().into_iter().next().flatten()
    }

    /// The flag; anything else is `false`.
    pub(crate) fn flag(&self) -> bool {
        matches!(self, Reply::Flag(true))
    }

    /// The time; anything else is the epoch (every token then looks expired: safe).
    pub(crate) fn time(&self) -> UnixMillis {
        match self {
            Reply::Time(t) => *t,
            _ => 0,
        }
    }

    /// The outcome of a write, lock or transaction store.
    pub(crate) fn outcome(self) -> Result<()> {
        match self {
            Reply::Outcome(r) => r,
            other => Err(unexpected(&other)),
        }
    }

    /// The response of a request.
    pub(crate) fn response(self) -> Result<HttpResponse> {
        match self {
            Reply::Response(r) => r,
            other => Err(unexpected(&other)),
        }
    }

    /// The answer of an iframe or popup.
    pub(crate) fn message(self) -> Result<Json> {
        match self {
            Reply::Message(r) => r,
            other => Err(unexpected(&other)),
        }
    }

    /// A text or its error.
    pub(crate) fn text_result(self) -> Result<String> {
        match self {
            Reply::Text(r) => r,
            other => Err(unexpected(&other)),
        }
    }

    /// Random bytes.
    pub(crate) fn bytes(self) -> Result<Vec<u8>> {
        match self {
            Reply::Bytes(r) => r,
            other => Err(unexpected(&other)),
        }
    }

    /// Listed keys (`None`: the cache cannot list them).
    pub(crate) fn keys(self) -> Option<Vec<String>> {
        match self {
            Reply::Keys(k) => k,
            _ => None,
        }
    }
}

/// A reply of the wrong kind: a driver bug, reported as a typed error, never a panic.
fn unexpected(_reply: &Reply) -> Error {
    Error::generic("internal_error", "The driver answered a request with the wrong kind of reply")
}

/// What a step of a flow produced.
#[derive(Debug)]
pub enum Step<T> {
    /// Perform this and step again with its [`Reply`].
    Io(Io),
    /// The flow is over.
    Done(Result<T>),
}

/// A flow: stepped first with [`Reply::Start`], then with the reply to each [`Io`] it asked for,
/// until it is done. Stepping a finished flow again is an error, never a panic.
pub trait Machine {
    /// What the flow produces.
    type Output;
    /// Consumes the reply to the last request; returns the next request or the result.
    fn step(&mut self, reply: Reply) -> Step<Self::Output>;
}

/// Steps a sub-flow: returns its request from the enclosing `step`, or evaluates to its result
/// (`Result<T>`).
macro_rules! sub_result {
    ($flow:expr, $client:expr, $reply:expr) => {
        match $flow.step($client, $reply) {
            $crate::client::io::Step::Io(io) => return $crate::client::io::Step::Io(io),
            $crate::client::io::Step::Done(result) => result,
        }
    };
}
pub(crate) use sub_result;

/// [`sub_result!`] that also returns the sub-flow's error from the enclosing `step`, and
/// otherwise evaluates to its value.
macro_rules! sub {
    ($flow:expr, $client:expr, $reply:expr) => {
        match $crate::client::io::sub_result!($flow, $client, $reply) {
            Ok(value) => value,
            Err(e) => return $crate::client::io::Step::Done(Err(e)),
        }
    };
}
pub(crate) use sub;

/// The error of a flow stepped after it finished.
pub(crate) fn finished() -> Error {
    Error::generic("internal_error", "A finished flow was stepped again")
}
