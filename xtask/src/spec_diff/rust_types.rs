//! Predicts the Rust type the generator picks for a primitive schema, so the rules can
//! tell whether a format or range edit changes a type in the SDK (typify, which progenitor
//! uses, turns `minimum: 0` into `u64`, `format: date-time` into `chrono::DateTime`, ...).
//! The generated-code summary in [`super::rust_api`] remains the ground truth.

use openapiv3::{IntegerType, NumberType, StringType};

/// Rust type for a string schema.
pub fn string(s: &StringType) -> &'static str {
    match format_name(&s.format).as_deref() {
        Some("date-time") => "chrono::DateTime<Utc>",
        Some("date") => "chrono::NaiveDate",
        Some("uuid") => "uuid::Uuid",
        Some("ip") => "std::net::IpAddr",
        Some("ipv4") => "std::net::Ipv4Addr",
        Some("ipv6") => "std::net::Ipv6Addr",
        _ => "String",
    }
}

/// Rust type for a number schema.
pub fn number(n: &NumberType) -> &'static str {
    match format_name(&n.format).as_deref() {
        Some("float") => "f32",
        _ => "f64",
    }
}

/// Formats known to typify: JSON Schema format, type, NonZero type, min, max.
const FORMATS: &[(&str, &str, &str, f64, f64)] = &[
    ("int8", "i8", "NonZeroU8", i8::MIN as f64, i8::MAX as f64),
    ("uint8", "u8", "NonZeroU8", u8::MIN as f64, u8::MAX as f64),
    (
        "int16",
        "i16",
        "NonZeroU16",
        i16::MIN as f64,
        i16::MAX as f64,
    ),
    (
        "uint16",
        "u16",
        "NonZeroU16",
        u16::MIN as f64,
        u16::MAX as f64,
    ),
    ("int", "i32", "NonZeroU32", i32::MIN as f64, i32::MAX as f64),
    (
        "int32",
        "i32",
        "NonZeroU32",
        i32::MIN as f64,
        i32::MAX as f64,
    ),
    (
        "uint",
        "u32",
        "NonZeroU32",
        u32::MIN as f64,
        u32::MAX as f64,
    ),
    (
        "uint32",
        "u32",
        "NonZeroU32",
        u32::MIN as f64,
        u32::MAX as f64,
    ),
    (
        "int64",
        "i64",
        "NonZeroU64",
        i64::MIN as f64,
        i64::MAX as f64,
    ),
    (
        "uint64",
        "u64",
        "NonZeroU64",
        u64::MIN as f64,
        u64::MAX as f64,
    ),
];

/// Rust type for an integer schema (a port of typify 0.8's `convert_integer`).
pub fn integer(i: &IntegerType) -> String {
    let mut min = i
        .minimum
        .map(|m| m as f64 + if i.exclusive_minimum { 1.0 } else { 0.0 });
    let mut max = i
        .maximum
        .map(|m| m as f64 - if i.exclusive_maximum { 1.0 } else { 0.0 });
    let known = format_name(&i.format).and_then(|f| FORMATS.iter().find(|k| k.0 == f));
    if let Some((_, ty, nz, imin, imax)) = known {
        let fits_min = min.is_none_or(|m| m >= *imin);
        let fits_max = max.is_none_or(|m| m <= *imax);
        if i.multiple_of.is_none() && fits_min && fits_max {
            return if min == Some(1.0) { nz } else { ty }.to_string();
        }
        min = min.or(Some(*imin));
        max = max.or(Some(*imax));
    }
    let same = |a: f64, b: f64| (a - b).abs() <= f64::EPSILON;
    let found = FORMATS
        .iter()
        .rev()
        .find_map(|(_, ty, nz, imin, imax)| match (min, max) {
            (None, Some(max)) => same(*imax, max).then_some(*ty),
            (Some(1.0), None) => Some(*nz),
            (Some(min), None) => same(*imin, min).then_some(*ty),
            (Some(1.0), Some(_)) => Some(*nz),
            (Some(min), Some(max)) => (same(*imin, min) && same(*imax, max)).then_some(*ty),
            (None, None) => None,
        });
    found.unwrap_or("i64").to_string()
}

/// The format keyword as written (`None` when absent).
pub fn format_name<T: serde::Serialize>(
    format: &openapiv3::VariantOrUnknownOrEmpty<T>,
) -> Option<String> {
    match format {
        openapiv3::VariantOrUnknownOrEmpty::Empty => None,
        openapiv3::VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        openapiv3::VariantOrUnknownOrEmpty::Item(item) => serde_json::to_value(item)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(yaml: &str) -> String {
        let t: IntegerType = serde_yaml::from_str(yaml).expect("integer schema");
        integer(&t)
    }

    #[test]
    fn integer_types_follow_typify_for_the_fragments_parameters() {
        assert_eq!(int("{minimum: 0}"), "u64"); // offset
        assert_eq!(int("{minimum: 0, maximum: 1000}"), "i64"); // limit
        assert_eq!(int("{}"), "i64");
        assert_eq!(int("{minimum: 1}"), "NonZeroU64");
        assert_eq!(int("{format: int32}"), "i32");
        assert_eq!(int("{format: int32, minimum: 0, maximum: 10}"), "i32");
    }

    #[test]
    fn string_formats_map_to_their_rust_types() {
        let s: StringType = serde_yaml::from_str("{format: date-time}").expect("string schema");
        assert_eq!(string(&s), "chrono::DateTime<Utc>");
        let s: StringType = serde_yaml::from_str("{format: email}").expect("string schema");
        assert_eq!(string(&s), "String");
    }
}
