//! Requests as values: the core builds [`HttpRequest`]s and reads [`HttpResponse`]s; only the
//! browser layer performs I/O (the sans-IO style of rustls and quinn-proto).

/// An HTTP request the browser layer should send with `fetch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// Absolute URL.
    pub url: String,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Header name/value pairs, in order.
    pub headers: Vec<(String, String)>,
    /// The body (form-encoded or JSON), empty for GET.
    pub body: String,
}

/// What came back: the status, the body text and the one header the flows read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Body as text (possibly not JSON at all).
    pub body: String,
    /// The `DPoP-Nonce` response header (RFC 9449 §8), on any status.
    pub dpop_nonce: Option<String>,
}

impl HttpResponse {
    /// 2xx.
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}
