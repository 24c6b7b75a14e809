//! Reading a fragment: YAML text → `openapiv3::OpenAPI`, with the line and column of errors.

use crate::CodegenError;

/// Reads and parses a fragment file; `origin` is the name used in errors.
pub fn load_spec(path: &std::path::Path, origin: &str) -> Result<openapiv3::OpenAPI, CodegenError> {
    let text = std::fs::read_to_string(path).map_err(|e| CodegenError::io(origin, &e))?;
    parse_spec(&text, origin)
}

/// Parses fragment text. serde_yaml reports the line and column of the first problem,
/// including a field of the wrong shape deep inside the document.
pub fn parse_spec(text: &str, origin: &str) -> Result<openapiv3::OpenAPI, CodegenError> {
    serde_yaml::from_str(text).map_err(|e| {
        let location = e.location();
        let message = strip_location(&e.to_string());
        CodegenError::Yaml {
            file: origin.to_owned(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message,
        }
    })
}

/// serde_yaml appends " at line L column C" to its messages; we print the place up front.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
