//! The `authorization_code` grant (RFC 6749 §4.1.3, RFC 7636 §4.5) shared by the redirect, popup
//! and iframe flows, then the checks and storage of its result (docs/behaviour.md §2.5).

use super::dpop::TokenCall;
use super::io::{finished, Io, Reply, Step};
use super::clear::{ClearCache, SyncRemoteLogout};
use super::entries::ReadIdToken;
use super::store::{same_session, WriteAll};
use super::{clamp_ms, Shared};
use crate::core::authorize::PreparedAuthorize;
use crate::core::cache::{user_key, AccessTokenEntry, CacheKey, IdTokenEntry};
use crate::core::id_token::{verify_id_token, IdTokenExpectations};
use crate::core::http::HttpRequest;
use crate::core::jwt::DecodedToken;
use crate::core::token::{parse_token_response, TokenResponse};
use crate::core::rotation::keep_refresh_token_if_absent;
use crate::core::ErrorClass;

/// One authorization-code exchange: what the token request sends and what the ID token must say.
pub(super) struct CodeGrant {
    /// The code from the validated response. Secret and single-use.
    pub code: String,
    /// The PKCE verifier of the request. Secret.
    pub code_verifier: String,
    /// The `redirect_uri` sent on `/authorize`, verbatim (A13).
    pub redirect_uri: Option<String>,
    /// The `nonce` sent.
    pub nonce: String,
    /// The organization the ID token must name, if any.
    pub organization: Option<String>,
    /// Custom params the iframe flow also sends to the token endpoint (§2.5).
    pub extra: Vec<(String, String)>,
}

impl CodeGrant {
    /// The exchange of the `code` a `web_message` request (`prepared`: iframe or popup) got back,
    /// with the request's verifier, `redirect_uri`, nonce and organization.
    pub(super) fn from_prepared(prepared: PreparedAuthorize, code: &str, extra: Vec<(String, String)>) -> CodeGrant {
        CodeGrant {
            code: code.to_owned(),
            code_verifier: prepared.code_verifier,
            redirect_uri: prepared.redirect_uri,
            nonce: prepared.nonce,
            organization: prepared.organization,
            extra,
        }
    }
}

/// Exchanges the code, checks the ID token and stores the tokens under `key`.
pub(super) struct ExchangeCode {
    key: CacheKey,
    expect: IdTokenExpectations,
    generation: u64,
    response: Option<TokenResponse>,
    /// The class of the server's OAuth error answers (`GenericError`, or `MfaVerifyError` for
    /// the MFA grants).
    refused: ErrorClass,
    /// The refresh token the key's entry holds, kept when the answer carries none.
    keep: Option<String>,
    phase: Phase,
}

enum Phase {
    Requested(TokenCall),
    Clock(crate::core::http::HttpResponse),
    Syncing(SyncRemoteLogout, Checked),
    Previous(ReadIdToken, Checked),
    Clearing(ClearCache, Checked),
    Writing(WriteAll, AccessTokenEntry, IdTokenEntry, Option<String>),
    Cookies(AccessTokenEntry, IdTokenEntry),
    Done,
}

/// A token response whose ID token passed every check.
struct Checked {
    response: TokenResponse,
    decoded: DecodedToken,
    now: u64,
}

impl ExchangeCode {
    pub(super) fn new(c: &Shared, grant: &CodeGrant, key: CacheKey, generation: u64) -> ExchangeCode {
        let request = c.token_endpoint.authorization_code(&grant.code, &grant.code_verifier, grant.redirect_uri.as_deref(), &grant.extra);
        ExchangeCode::with_request(c, request, Some(grant.nonce.clone()), grant.organization.clone(), key, generation)
    }

    /// Any grant whose result is stored as a login's is (the custom token exchange): `request`
    /// is sent, the ID token must carry `nonce` when one is given and name `organization`.
    pub(super) fn with_request(c: &Shared, request: HttpRequest, nonce: Option<String>, organization: Option<String>, key: CacheKey, generation: u64) -> ExchangeCode {
        let expect = IdTokenExpectations {
            issuer: c.options.issuer.clone(),
            client_id: c.options.client_id.clone(),
            leeway_secs: c.options.leeway_seconds,
            max_age: c.options.max_age,
            nonce,
            organization,
        };
        let call = TokenCall::new(request, clamp_ms(c.options.http_timeout_ms), None);
        ExchangeCode { key, expect, generation, response: None, refused: ErrorClass::Generic, keep: None, phase: Phase::Requested(call) }
    }

    /// The server's OAuth errors (other than `mfa_required`) surface as `class` instead of
    /// `GenericError` (the MFA grants: `MfaVerifyError`, which extends it).
    pub(super) fn refused_as(mut self, class: ErrorClass) -> ExchangeCode {
        self.refused = class;
        self
    }

    /// An answer without a refresh token keeps `refresh_token`, the one the key's entry holds
    /// (RFC 6749 §6, as the refresh path does: a grant that issues none does not end the
    /// session's).
    pub(super) fn keeping(mut self, refresh_token: Option<String>) -> ExchangeCode {
        self.keep = refresh_token;
        self
    }

    /// The token response that was stored (after the flow ended successfully).
    pub(super) fn response(&self) -> Option<&TokenResponse> {
        self.response.as_ref()
    }

    pub(super) fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<(AccessTokenEntry, IdTokenEntry)> {
        loop {
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Requested(mut call) => match call.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Requested(call);
                        return Step::Io(io);
                    }
                    Step::Done(Ok(response)) => {
                        self.phase = Phase::Clock(response);
                        return Step::Io(Io::Now);
                    }
                    Step::Done(Err(e)) => return Step::Done(Err(e)),
                },
                Phase::Clock(response) => {
                    let now = reply.time();
                    let refused = self.refused;
                    let checked = parse_token_response(&response, &c.token_endpoint.url(), now)
                        .map_err(|mut e| {
                            if !response.is_success() && e.class == ErrorClass::Generic {
                                e.class = refused;
                            }
                            e
                        })
                        .map(|mut response| {
                            if let Some(token) = &self.keep {
                                keep_refresh_token_if_absent(&mut response, token);
                            }
                            response
                        })
                        .and_then(|response| verify_id_token(response.id_token.as_deref(), &self.expect, now).map(|decoded| Checked { response, decoded, now }));
                    match checked {
                        Ok(checked) => self.phase = Phase::Syncing(SyncRemoteLogout::new(), checked),
                        Err(e) => return Step::Done(Err(e)),
                    }
                }
                Phase::Syncing(mut sync, checked) => match sync.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Syncing(sync, checked);
                        return Step::Io(io);
                    }
                    Step::Done(_) => {
                        if let Err(e) = same_session(c, self.generation) {
                            return Step::Done(Err(e));
                        }
                        self.phase = Phase::Previous(ReadIdToken::new(c), checked);
                    }
                },
                Phase::Previous(mut read, checked) => match read.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Previous(read, checked);
                        return Step::Io(io);
                    }
                    Step::Done(previous) => {
                        // A different user logged in: drop everything of the previous one first.
                        let other_user = previous.ok().flatten().is_some_and(|p| p.decoded.str_claim("sub") != checked.decoded.str_claim("sub"));
                        if other_user {
                            self.phase = Phase::Clearing(ClearCache::new(Some(c.client_id())), checked);
                        } else {
                            self.phase = self.writing(c, checked);
                        }
                    }
                },
                Phase::Clearing(mut clear, checked) => match clear.step(c, reply) {
                    Step::Io(io) => {
                        self.phase = Phase::Clearing(clear, checked);
                        return Step::Io(io);
                    }
                    Step::Done(_) => self.phase = self.writing(c, checked),
                },
                Phase::Writing(mut write, entry, id, organization) => {
                    if let Step::Io(io) = write.step(c, reply) {
                        self.phase = Phase::Writing(write, entry, id, organization);
                        return Step::Io(io);
                    }
                    self.phase = Phase::Cookies(entry, id);
                    return Step::Io(c.session_cookies(organization.as_deref()));
                }
                Phase::Cookies(entry, id) => return Step::Done(Ok((entry, id))),
                Phase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }

    /// One unit: should storage refuse either (QuotaExceededError), both stay in this page's
    /// memory and neither stays half-written in storage; the login still succeeds (I5).
    fn writing(&mut self, c: &Shared, checked: Checked) -> Phase {
        let organization = self.expect.organization.clone().or_else(|| checked.decoded.str_claim("org_id").map(str::to_owned));
        let entry = AccessTokenEntry::from_token_response(&checked.response, &self.key, checked.now);
        let id = IdTokenEntry::from_decoded(checked.decoded);
        self.response = Some(checked.response);
        let write = WriteAll::new(vec![(self.key.to_key(), entry.to_json_string()), (user_key(c.client_id()), id.to_json_string())]);
        Phase::Writing(write, entry, id, organization)
    }
}
