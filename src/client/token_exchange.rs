//! Custom token exchange (RFC 8693 at `/oauth/token`, docs/behaviour.md §1.4):
//! `loginWithCustomTokenExchange` (and its deprecated name `exchangeToken`) stores the result as a
//! login does; `customTokenExchange` only returns it.

use std::rc::Rc;

use super::dpop::TokenCall;
use super::exchange::ExchangeCode;
use super::io::{finished, Io, Machine, Reply, Step};
use super::{clamp_ms, Shared};
use crate::core::cache::CacheKey;
use crate::core::http::HttpRequest;
use crate::core::id_token::{verify_id_token, IdTokenExpectations};
use crate::core::json::Json;
use crate::core::options::{ClientOptions, ParamList};
use crate::core::scope::DEFAULT_AUDIENCE;
use crate::core::token::{parse_token_response, TokenResponse};
use crate::core::{Error, Result};

/// RFC 8693 §2.1's `grant_type`.
pub(crate) const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// Where a grant that logs in asks for tokens, as auth0-spa-js decides it for the token exchange
/// (`_buildTokenExchangeParams`) and the passkey grant (`_requestTokenForPasskey`) alike:
/// `audience` the call's or the client's, `organization` the call's or the client's, `scope`
/// `scopesToRequest(client scope, call scope, audience)`.
pub(super) struct GrantTarget {
    /// The audience asked for; `None`: the default one (not sent).
    pub audience: Option<String>,
    /// The scope asked for, which names the cache key.
    pub scope: String,
    /// The organization asked for, which the ID token must name.
    pub organization: Option<String>,
}

impl GrantTarget {
    /// From the call's (truthy) `audience`, `scope` and `organization` and the client's options.
    pub(super) fn new(options: &ClientOptions, audience: Option<&str>, scope: Option<&str>, organization: Option<&str>) -> GrantTarget {
        let audience = audience.or(options.audience()).map(str::to_owned);
        let scope = options.scope.scopes_to_request(scope, audience.as_deref());
        let organization = organization.or(options.organization()).map(str::to_owned);
        GrantTarget { audience, scope, organization }
    }

    /// The cache key the answer is stored under (no audience: the default one).
    pub(super) fn key(&self, client_id: &str) -> CacheKey {
        CacheKey::new(client_id, Some(self.audience.as_deref().unwrap_or(DEFAULT_AUDIENCE)), &self.scope)
    }
}

/// The request of an exchange: the options as given (strings), then what the SDK sets, as
/// auth0-spa-js's `_buildTokenExchangeParams`: the grant type, the computed `scope`, `audience`
/// and `organization` ([`GrantTarget`]). `subject_token` and `subject_token_type` are required.
fn exchange_request(c: &Shared, options: &Json) -> Result<(HttpRequest, CacheKey, Option<String>)> {
    let mut params = ParamList::from_json(Some(options), "token exchange options")?;
    for required in ["subject_token", "subject_token_type"] {
        if params.get_truthy(required).is_none() {
            let mut m = String::from(required);
            m.push_str(" is required for a token exchange");
            return Err(Error::invalid_options(&m));
        }
    }
    let target = GrantTarget::new(&c.options, params.get_truthy("audience"), params.get_truthy("scope"), params.get_truthy("organization"));
    params.set("grant_type", TOKEN_EXCHANGE_GRANT);
    params.set("scope", &target.scope);
    for (name, value) in [("audience", &target.audience), ("organization", &target.organization)] {
        match value {
            Some(v) => params.set(name, v),
            None => {
                params.remove(name);
            }
        }
    }
    Ok((c.token_endpoint.grant(params.pairs()), target.key(c.client_id()), target.organization))
}

/// A grant whose tokens become the session, checked and stored as after a login:
/// `loginWithCustomTokenExchange(options)`, and the passkey grant of `client.passkey`
/// ([`super::passkey`]), which differ only in the request. Yields the token response without its
/// refresh token (which stays in the cache, out of the page's reach).
pub struct LoginWithGrant {
    c: Rc<Shared>,
    exchange: Result<ExchangeCode>,
    asked: Asked,
}

/// The scope and audience (`None`: the default) an exchange asked for, which its `mfa_required`
/// answer names for `client.mfa.verify()` ([`crate::core::Error::for_request`]).
#[derive(Default)]
struct Asked(String, Option<String>);

impl Asked {
    fn of(key: &CacheKey) -> Asked {
        Asked(key.scope.clone(), Some(key.audience.clone()).filter(|a| a != DEFAULT_AUDIENCE))
    }

    fn name_in(&self, e: Error) -> Error {
        e.for_request(&self.0, self.1.as_deref())
    }
}

impl LoginWithGrant {
    /// `loginWithCustomTokenExchange(options)`.
    pub(super) fn token_exchange(c: Rc<Shared>, options: &Json) -> LoginWithGrant {
        let request = exchange_request(&c, options);
        LoginWithGrant::new(c, request)
    }

    /// Sends `request` (or settles with its error): the answer is stored under the key, and the
    /// ID token must name the organization when one is given.
    pub(super) fn new(c: Rc<Shared>, request: Result<(HttpRequest, CacheKey, Option<String>)>) -> LoginWithGrant {
        let mut asked = Asked::default();
        let exchange = request.map(|(request, key, organization)| {
            asked = Asked::of(&key);
            ExchangeCode::with_request(&c, request, None, organization, key, c.session_generation.get())
        });
        LoginWithGrant { c, exchange, asked }
    }
}

impl Machine for LoginWithGrant {
    type Output = Json;

    fn step(&mut self, reply: Reply) -> Step<Json> {
        let exchange = match &mut self.exchange {
            Ok(e) => e,
            Err(e) => return Step::Done(Err(std::mem::replace(e, finished()))),
        };
        match exchange.step(&self.c, reply) {
            Step::Io(io) => Step::Io(io),
            Step::Done(Err(e)) => Step::Done(Err(self.asked.name_in(e))),
            Step::Done(Ok(_)) => {
                let mut body = exchange.response().map(TokenResponse::to_json).unwrap_or(Json::Null);
                body.remove("refresh_token");
                Step::Done(Ok(body))
            }
        }
    }
}

/// `customTokenExchange(options)`: the exchange alone, nothing stored; an ID token in the answer
/// is still checked. Yields the whole token response.
pub struct CustomTokenExchange {
    c: Rc<Shared>,
    request: Result<(TokenCall, Option<String>)>,
    response: Option<crate::core::http::HttpResponse>,
    answered: bool,
    asked: Asked,
}

impl CustomTokenExchange {
    pub(super) fn new(c: Rc<Shared>, options: &Json) -> CustomTokenExchange {
        let timeout = clamp_ms(c.options.http_timeout_ms);
        let mut asked = Asked::default();
        let request = exchange_request(&c, options).map(|(request, key, organization)| {
            asked = Asked::of(&key);
            (TokenCall::new(request, timeout, None), organization)
        });
        CustomTokenExchange { c, request, response: None, answered: false, asked }
    }
}

impl Machine for CustomTokenExchange {
    type Output = Json;

    fn step(&mut self, reply: Reply) -> Step<Json> {
        let c = &self.c;
        let (call, organization) = match &mut self.request {
            Ok(r) => r,
            Err(e) => return Step::Done(Err(e.clone())),
        };
        if !self.answered {
            match call.step(c, reply) {
                Step::Io(io) => return Step::Io(io),
                Step::Done(Ok(r)) => self.response = Some(r),
                Step::Done(Err(e)) => return Step::Done(Err(e)),
            }
            self.answered = true;
            return Step::Io(Io::Now);
        }
        let now = reply.time();
        let Some(response) = self.response.take() else {
            return Step::Done(Err(finished()));
        };
        let parsed = match parse_token_response(&response, call.url(), now) {
            Ok(p) => p,
            Err(e) => return Step::Done(Err(self.asked.name_in(e))),
        };
        if let Some(raw) = parsed.id_token.as_deref() {
            let expect = IdTokenExpectations {
                issuer: c.options.issuer.clone(),
                client_id: c.options.client_id.clone(),
                leeway_secs: c.options.leeway_seconds,
                max_age: c.options.max_age,
                nonce: None,
                organization: organization.clone(),
            };
            if let Err(e) = verify_id_token(Some(raw), &expect, now) {
                return Step::Done(Err(e));
            }
        }
        Step::Done(Ok(parsed.to_json()))
    }
}
