//! The refresh-token path of `getTokenSilently` (docs/behaviour.md §2.6), run while holding the
//! per-audience lock: present the newest refresh token exactly once, and make a rotation stick
//! whatever happens to the rest of the response.
//!
//! * Another tab may have rotated the token just before handing over the lock, with its
//!   localStorage write still on the way: a token marked spent is never presented (F6, F10).
//! * What is kept after a response is decided by one rule, [`plan_after_refresh`]: after a
//!   rotation the old token is replaced or gone, in this tab, in storage and after a reload,
//!   even when the new ID token fails a check or storage refuses the write (F1).
//! * A refresh token the server refused is never sent again (F3); transient failures (network,
//!   timeout, 5xx) leave the session as it is, and nothing is re-sent blindly (E14).

use std::future::Future;
use std::task::Poll;

use crate::core::cache::{user_key, AccessTokenEntry, CacheKey, IdTokenEntry};
use crate::core::id_token::{check_refresh_id_token, is_clock_error, verify_id_token};
use crate::core::options::ParamList;
use crate::core::rotation::{is_rotation, keep_refresh_token_if_absent, plan_after_refresh, propagate_rotation, RefreshFacts, RefreshPlan, RefreshedIdToken};
use crate::core::token::{is_refresh_token_dead, TokenResponse};
use crate::core::{Error, Result};
use crate::platform::Platform;

use super::{Client, GetTokenOptions, TokenResult, TokenSource};

/// How long a tab keeps the cross-tab mark of a refresh token it has just used up. Far longer
/// than localStorage takes to reach the other tabs (tens of ms were seen under load).
pub(crate) const SPENT_MARK_HOLD_MS: u32 = 30_000;
/// How long a renewal waits for another tab's rotation to reach this tab's storage before giving
/// up with `TimeoutError` (never sending the spent token).
pub(crate) const SPENT_WAIT_MS: u32 = 2_000;
const SPENT_POLL_MS: u32 = 20;

/// The name of the cross-tab mark of a used refresh token: a SHA-256 fingerprint, never the
/// token itself (lock names are visible to every script of the origin).
pub fn spent_mark_name(client_id: &str, refresh_token: &str) -> String {
    let mut name = String::from("auth0.spent.");
    name.push_str(client_id);
    name.push('.');
    name.push_str(&crate::core::pkce::code_challenge_s256(refresh_token));
    name
}

/// What another tab's rotation left for us.
enum Rotated {
    /// A fresh access token it obtained.
    Served(TokenResult),
    /// The refresh token that replaced the spent one.
    NewToken(String),
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

impl<P: Platform> Client<P> {
    /// The refresh-token path (§2.6), run while holding the per-audience lock.
    pub(super) async fn renew_with_refresh_token(&self, key: &CacheKey, params: &ParamList, options: &GetTokenOptions) -> Result<TokenResult> {
        let refresh_token = self.read_entry(key).await.and_then(|e| e.refresh_token().map(str::to_owned));
        let Some(mut refresh_token) = refresh_token else {
            if self.options.use_refresh_tokens_fallback {
                return self.renew_with_iframe(key, params, options).await;
            }
            return Err(Error::missing_refresh_token(&key.audience, &key.scope));
        };
        // Another tab may have rotated this token just before handing us the lock, with its
        // localStorage write still on the way here: never present a spent token (F6, F10).
        let mut spent_mark = spent_mark_name(self.client_id(), &refresh_token);
        if self.platform.is_spent(&spent_mark).await {
            match self.await_rotation_from_other_tab(key, &refresh_token).await? {
                Rotated::Served(result) => return Ok(result),
                Rotated::NewToken(token) => refresh_token = token,
            }
            spent_mark = spent_mark_name(self.client_id(), &refresh_token);
        }
        let origin = self.platform.page_origin();
        let redirect_uri = params.get_truthy("redirect_uri").unwrap_or(&origin).to_owned();
        let request = self.token_endpoint.refresh_token(&refresh_token, &redirect_uri, params.pairs());
        let generation = self.session_generation.get();
        let timeout = options.timeout_ms.unwrap_or(self.options.http_timeout_ms);
        // The token is marked spent while the request is on the network (the mark's lock request
        // costs a round trip to the browser's lock manager), and unmarked at once unless the
        // server rotated it. Either way the mark is settled before our lock is released, which is
        // when another tab could look (see Platform::mark_spent).
        let (outcome, ()) = join(self.request_tokens(&request, timeout), self.platform.mark_spent(&spent_mark, SPENT_MARK_HOLD_MS)).await;
        let rotated = matches!(&outcome, Ok(response) if is_rotation(&refresh_token, response.refresh_token.as_deref()));
        if !rotated {
            self.platform.unmark_spent(&spent_mark);
        }
        match outcome {
            Ok(mut response) => {
                keep_refresh_token_if_absent(&mut response, &refresh_token);
                self.save_refresh_result(response, key, &refresh_token, rotated, generation).await
            }
            Err(e) if is_refresh_token_dead(&e) => {
                // The server refused this refresh token (used, revoked, expired): it must never be
                // sent again (F3). Access tokens that are still valid stay.
                self.forget_refresh_token(&refresh_token).await;
                if self.options.use_refresh_tokens_fallback {
                    return self.renew_with_iframe(key, params, options).await;
                }
                if e.error == "invalid_grant" {
                    // Reuse detection or revocation: the server ended the whole grant, access
                    // tokens included (F3, F4), so the local session ends too. The error keeps
                    // auth0-spa-js's code, which apps answer with a new login.
                    self.clear_local_session(Some(self.client_id())).await;
                }
                Err(e)
            }
            // Network errors, timeouts, 5xx: the session stays as it is; no blind retry (E14).
            Err(e) => Err(e),
        }
        .map_err(|e| {
            // The server's `missing_refresh_token` names no audience/scope: name ours.
            if e.error == "missing_refresh_token" {
                Error::missing_refresh_token(&key.audience, &key.scope)
            } else {
                e
            }
        })
    }

    /// Waits (bounded) until the rotation another tab made reaches this tab's storage: either a
    /// fresh access token to serve, or the new refresh token to use.
    async fn await_rotation_from_other_tab(&self, key: &CacheKey, spent: &str) -> Result<Rotated> {
        let mut waited = 0;
        while waited < SPENT_WAIT_MS {
            self.platform.sleep(SPENT_POLL_MS).await;
            waited += SPENT_POLL_MS;
            if let Some(hit) = self.cached_token(key).await {
                return Ok(Rotated::Served(hit));
            }
            let current = self.read_entry(key).await.and_then(|e| e.refresh_token().map(str::to_owned));
            if let Some(token) = current.filter(|t| t != spent) {
                if !self.platform.is_spent(&spent_mark_name(self.client_id(), &token)).await {
                    return Ok(Rotated::NewToken(token));
                }
            }
        }
        Err(Error::timeout())
    }

    /// Applies [`plan_after_refresh`] to a refresh response, all under the caller's lock.
    async fn save_refresh_result(&self, response: TokenResponse, key: &CacheKey, old_refresh_token: &str, rotated: bool, generation: u64) -> Result<TokenResult> {
        let now = self.now().await;
        let previous = self.read_id_token().await;
        let checked = match &response.id_token {
            Some(raw) => verify_id_token(Some(raw), &self.expectations(None, None), now).and_then(|decoded| {
                if let Some(prev) = &previous {
                    // OIDC Core 12.2: a refreshed ID token must name the same user and issuer (D18, D19).
                    check_refresh_id_token(&prev.decoded.claims, &decoded)?;
                }
                Ok(IdTokenEntry::from_decoded(decoded))
            }),
            // D20: no ID token on refresh keeps the previous one.
            None => previous.ok_or_else(|| Error::login_required("No ID token is cached for this session")),
        };
        let id_token = match &checked {
            Ok(_) => RefreshedIdToken::Usable,
            Err(_) if response.id_token.is_none() => RefreshedIdToken::Missing,
            Err(e) if is_clock_error(e) => RefreshedIdToken::ClockSkewed,
            Err(_) => RefreshedIdToken::Untrusted,
        };
        let session = self.ensure_same_session(generation).await;
        let plan = plan_after_refresh(RefreshFacts { rotated, id_token, logged_out_meanwhile: session.is_err() });
        let entries = self.client_entries().await;
        let id = match (plan, checked) {
            (RefreshPlan::Store, Ok(id)) => id,
            (plan, checked) => {
                match plan {
                    RefreshPlan::KeepRotationOnly => {
                        let writes = propagate_rotation(self.client_id(), old_refresh_token, response.refresh_token.as_deref(), None, &entries);
                        let writes: Vec<(String, String)> = writes.into_iter().map(|(k, e)| (k, e.to_json_string())).collect();
                        self.write_all(&writes).await;
                    }
                    RefreshPlan::EndSession => self.clear_local_session(Some(self.client_id())).await,
                    RefreshPlan::Store | RefreshPlan::Discard => {}
                }
                // The logout's error first, else the ID token's (the table pairs every other plan
                // with a failed check; the last fallback only keeps this total).
                return Err(session.err().or(checked.err()).unwrap_or_else(|| Error::login_required("The refresh result was not stored")));
            }
        };
        let entry = AccessTokenEntry::from_token_response(&response, key, now);
        let written_key = key.to_key();
        // The fresh entry (with the new refresh token) and the user, then every other entry that
        // held the old token: one unit, so storage never holds a part of it.
        let mut writes = vec![(written_key.clone(), entry.to_json_string()), (user_key(self.client_id()), id.to_json_string())];
        for (k, e) in propagate_rotation(self.client_id(), old_refresh_token, response.refresh_token.as_deref(), Some(&written_key), &entries) {
            writes.push((k, e.to_json_string()));
        }
        self.write_all(&writes).await;
        // The organization hint follows the session's ID token, as after a login (§2.5 step 7).
        self.set_session_cookies(id.decoded.str_claim("org_id"));
        Ok(Self::result_from(&entry, &id, TokenSource::RefreshToken))
    }

    /// Removes a refresh token the server refused from every entry that holds it (F3): entries
    /// with a live access token keep it; refresh-only stubs disappear.
    async fn forget_refresh_token(&self, dead: &str) {
        for (key, entry) in self.client_entries().await {
            if entry.refresh_token() != Some(dead) {
                continue;
            }
            let mut copy = entry.clone();
            copy.body.remove("refresh_token");
            if copy.access_token().is_some() {
                self.write(&key, &copy.to_json_string()).await;
            } else {
                self.remove(&key).await;
            }
        }
    }
}
