//! The token kind on both sides of the wire: [`TokenKind`](crate::TokenKind) is the strict
//! request enum (a filter), [`ApiTokenKind`] the open response enum (a token's field).
//! They compare and convert, so `token.kind == TokenKind::Standard` reads as it should.

use crate::generated::open_enums::ApiTokenKind;
use crate::generated::types::TokenKind;

impl From<TokenKind> for ApiTokenKind {
    fn from(kind: TokenKind) -> Self {
        ApiTokenKind::from(kind.to_string().as_str())
    }
}

impl PartialEq<TokenKind> for ApiTokenKind {
    fn eq(&self, other: &TokenKind) -> bool {
        self.as_str() == other.to_string()
    }
}

impl PartialEq<ApiTokenKind> for TokenKind {
    fn eq(&self, other: &ApiTokenKind) -> bool {
        other == self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_kinds_compare_and_convert_for_every_value() {
        for kind in [TokenKind::Standard, TokenKind::DirectAccess] {
            let response = ApiTokenKind::from(kind);
            assert!(!response.is_unknown(), "{kind}");
            assert_eq!(response, kind);
            assert_eq!(kind, response);
        }
        assert_ne!(ApiTokenKind::Standard, TokenKind::DirectAccess);
        assert_ne!(
            ApiTokenKind::Unknown("STANDARD_V2".into()),
            TokenKind::Standard
        );
    }
}
