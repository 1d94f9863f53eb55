//! Anonymous sessions (auth0-spa-js 2.27/2.28, docs/behaviour.md §1.7): the one decision of
//! theirs that the wasm client's flows make. The sessions themselves (their requests, storage and
//! lock) live in JavaScript (js/anonymous.js, js/anonymous-api.js); `checkSession` only tells JS
//! when the option `createAnonymousSessionOnFailedSilentAuth` asks for one.

use super::Error;

/// What `checkSession` found, as far as anonymous sessions care.
#[derive(Debug, Clone, Copy)]
pub enum SessionCheck<'a> {
    /// No `auth0.{clientId}.is.authenticated` cookie (nor its pre-1.19 name): the user never
    /// logged in here, or the hint expired; no request was made.
    NoSessionHint,
    /// The silent renewal got a token (or found one in the cache).
    Renewed,
    /// The silent renewal failed with this error (which `checkSession` swallows).
    Failed(&'a Error),
}

/// Whether `checkSession` should start an anonymous session: only with the option on, and only
/// when the user is known to be logged out: no session hint at all, or a renewal answered
/// `login_required` that is not the MFA step-up (the user has a session there, which a second
/// factor would resume). Every other failure (network, timeout, `consent_required`, a refused
/// refresh token) leaves the question open, so no anonymous identity is started over a real
/// session that may come back (auth0-spa-js 2.28.3's `checkSession`).
pub fn wants_anonymous_session(option_on: bool, check: SessionCheck<'_>) -> bool {
    option_on
        && match check {
            SessionCheck::NoSessionHint => true,
            SessionCheck::Renewed => false,
            SessionCheck::Failed(e) => e.error == "login_required" && !e.is_mfa_step_up(),
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::MFA_STEP_UP_DESCRIPTION;

    #[test]
    fn check_session_starts_an_anonymous_session_only_when_the_user_is_known_to_be_logged_out() {
        let login_required = Error::login_required("Login required");
        let step_up = Error::login_required(MFA_STEP_UP_DESCRIPTION);
        let consent = Error::generic("consent_required", "Consent required");
        let timeout = Error::generic("timeout", "Timeout");
        let mfa = Error::mfa_required(MFA_STEP_UP_DESCRIPTION, "mt", None);
        let refused = Error::generic("invalid_grant", "Unknown or invalid refresh token.");
        let rows: [(bool, SessionCheck<'_>, bool); 14] = [
            (true, SessionCheck::NoSessionHint, true),
            (true, SessionCheck::Renewed, false),
            (true, SessionCheck::Failed(&login_required), true),
            (true, SessionCheck::Failed(&step_up), false),
            (true, SessionCheck::Failed(&consent), false),
            (true, SessionCheck::Failed(&timeout), false),
            (true, SessionCheck::Failed(&mfa), false),
            (true, SessionCheck::Failed(&refused), false),
            (false, SessionCheck::NoSessionHint, false),
            (false, SessionCheck::Renewed, false),
            (false, SessionCheck::Failed(&login_required), false),
            (false, SessionCheck::Failed(&step_up), false),
            (false, SessionCheck::Failed(&consent), false),
            (false, SessionCheck::Failed(&timeout), false),
        ];
        for (on, check, want) in rows {
            assert_eq!(wants_anonymous_session(on, check), want, "option {on}, {check:?}");
        }
    }
}
