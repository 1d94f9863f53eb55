//! `connectAccountWithRedirect` (auth0-spa-js 2.6+, docs/behaviour.md §2.12) as two flows around
//! the My Account API call, which the package entry makes through its fetcher (`js/my-account.js`),
//! as auth0-spa-js makes it through `myAccount.connectAccount`:
//!
//! 1. [`ConnectStart`] draws `state` and the PKCE pair and settles `redirect_uri`; the caller
//!    sends them with `connection`, `scopes` and `authorization_params` to `connect`;
//! 2. [`ConnectStore`] reads the answer and stores the transaction (where the login transaction
//!    goes); the caller then opens `connect_uri` with its `ticket`.
//!
//! The callback is `handleRedirectCallback` (`login.rs`), which tells the two transactions apart.

use std::rc::Rc;

use super::io::{finished, Io, Machine, Reply, Step};
use super::{DrawnBytes, Shared};
use crate::core::connect::{connected, ConnectSecrets};
use crate::core::json::Json;
use crate::core::transaction::transaction_key;

/// Random bytes for a `state` and a verifier: two strings of 43 characters drawn with rejection
/// sampling (about 23% of bytes rejected), like [`super::AUTHORIZE_RANDOM_BYTES`] for three.
const CONNECT_RANDOM_BYTES: usize = 344;

/// Step 1: yields `{state, code_verifier, code_challenge, code_challenge_method, redirect_uri}`.
/// `redirect_uri` is the call's `redirectUri`, else the client's, else the page origin (as
/// auth0-spa-js: `window.location.origin`).
pub struct ConnectStart {
    c: Rc<Shared>,
    redirect_uri: Option<String>,
    asked: bool,
}

impl ConnectStart {
    pub(super) fn new(c: Rc<Shared>, redirect_uri: Option<&str>) -> ConnectStart {
        ConnectStart { c, redirect_uri: redirect_uri.map(str::to_owned), asked: false }
    }
}

impl Machine for ConnectStart {
    type Output = Json;

    fn step(&mut self, reply: Reply) -> Step<Json> {
        if !std::mem::replace(&mut self.asked, true) {
            return Step::Io(Io::Random(CONNECT_RANDOM_BYTES));
        }
        let c = &self.c;
        let redirect_uri = self.redirect_uri.take().unwrap_or_else(|| c.options.redirect_uri().unwrap_or(&c.env.page_origin).to_owned());
        Step::Done(reply.bytes().and_then(|bytes| ConnectSecrets::generate(&mut DrawnBytes(bytes))).map(|s| s.to_json(&redirect_uri)))
    }
}

/// Step 2: given what [`ConnectStart`] yielded and the `connect` answer, stores the transaction.
/// An unusable answer stores nothing (`invalid_response`).
pub struct ConnectStore {
    c: Rc<Shared>,
    /// The transaction's text to store, or why nothing is stored; taken by the first step.
    ready: Option<crate::core::Result<String>>,
}

impl ConnectStore {
    pub(super) fn new(c: Rc<Shared>, started: &Json, answer: &Json, app_state: Option<Json>, connection: Option<String>) -> ConnectStore {
        ConnectStore { c, ready: Some(connected(started, answer, app_state, connection).map(|tx| tx.to_json_string())) }
    }
}

impl Machine for ConnectStore {
    type Output = ();

    fn step(&mut self, reply: Reply) -> Step<()> {
        match (self.ready.take(), reply) {
            (Some(Err(e)), _) => Step::Done(Err(e)),
            (Some(Ok(tx)), Reply::Start) => Step::Io(Io::PutTransaction(transaction_key(self.c.client_id()), tx)),
            (None, reply @ Reply::Outcome(_)) => Step::Done(reply.outcome()),
            _ => Step::Done(Err(finished())),
        }
    }
}
