//! What the generator adds to progenitor's output, on a small fragment of its own: the
//! query parameters of an operation, model fields annotated from the fragment, and the
//! errors for what the SDK's listing cannot take.

use astro_tokens_codegen::generate_str;

const FRAGMENT: &str = r##"
openapi: 3.0.3
info: {title: Things, version: v2.3}
servers: [{url: "https://example.com/v2"}]
paths:
  /orgs/{orgId}/things:
    get:
      operationId: ListThings
      parameters:
        - {name: orgId, in: path, required: true, schema: {type: string}}
        - {name: searchTerm, in: query, description: "Only things whose name holds this.", schema: {type: string}}
        - {name: onlyMine, in: query, schema: {type: boolean}}
        - {name: minAge, in: query, description: Days., schema: {type: integer, minimum: 1, maximum: 30}}
        - {name: score, in: query, schema: {type: number}}
        - {name: code, in: query, schema: {type: string, maxLength: 8}}
        - {name: createdAfter, in: query, schema: {type: string, format: date-time}}
        - {name: color, in: query, schema: {type: string, enum: [RED, GREEN]}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: sorts, in: query, schema: {type: array, items: {type: string, enum: ["name:asc", "name:desc"]}}}
        - {name: offset, in: query, schema: {type: integer, minimum: 0, default: 0}}
        - {name: limit, in: query, schema: {type: integer, minimum: 0, maximum: 500, default: 20}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Page"}
    post:
      operationId: CreateThing
      parameters:
        - {name: orgId, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thing"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Page:
      type: object
      required: [things, total]
      properties:
        things: {type: array, description: The things., items: {$ref: "#/components/schemas/Thing"}}
        total: {type: integer}
    Thing:
      type: object
      required: [id, scope]
      properties:
        id: {type: string, description: The id.}
        scope: {type: string, description: The scope., enum: [A, B], x-former-names: [type]}
        color: {type: string, description: Its color., enum: [RED, GREEN]}
        owner: {$ref: "#/components/schemas/Owner"}
        labels: {type: array, items: {type: string}}
    Owner:
      type: object
      required: [id]
      properties:
        id: {type: string}
"##;

fn generated() -> String {
    generate_str(FRAGMENT, "things.yaml").expect("the fragment generates")
}

#[test]
fn every_query_parameter_but_paging_gets_a_field_a_setter_and_a_description() {
    let source = generated();
    for (field, ty) in [
        (
            "search_term",
            "::std::option::Option<::std::string::String>",
        ),
        ("only_mine", "::std::option::Option<bool>"),
        ("min_age", "::std::option::Option<::std::num::NonZeroU64>"),
        ("tags", "::std::vec::Vec<::std::string::String>"),
    ] {
        assert!(
            source.contains(&format!("pub {field}: {ty},")),
            "{field}: {ty}\n{source}"
        );
        assert!(
            source.contains(&format!("pub fn {field}")),
            "setter {field}"
        );
    }
    for param in [
        "searchTerm",
        "onlyMine",
        "minAge",
        "score",
        "createdAfter",
        "color",
        "tags",
        "sorts",
    ] {
        assert!(
            source.contains(&format!("name: \"{param}\"")),
            "{param} described"
        );
    }
    assert!(source.contains("///Only things whose name holds this."));
    assert!(source.contains("macro_rules! list_things_query_setters"));
    assert!(
        !source.contains("name: \"offset\"") && !source.contains("name: \"limit\""),
        "paging is the wrapper's"
    );
    assert!(source.contains("pub const LIST_THINGS_LIMIT_MAXIMUM: i64 = 500i64;"));
    assert!(source.contains("values: &[\"RED\", \"GREEN\"]"));
    assert!(source.contains("minimum: Some(1i64)") && source.contains("maximum: Some(30i64)"));
}

#[test]
fn models_read_null_arrays_as_empty_and_former_names_as_aliases() {
    let source = generated();
    let nulls = "#[serde(deserialize_with = \"crate::generated::nulls::empty_if_null\")]";
    assert_eq!(
        source.matches(nulls).count(),
        2,
        "`things` and `labels`\n{source}"
    );
    assert!(source.contains("#[serde(alias = \"type\")]"));
}

#[test]
fn every_model_field_is_documented_and_builders_have_names_of_their_own() {
    let source = generated();
    assert!(
        source.contains("///The scope."),
        "a hoisted enum keeps its description"
    );
    assert!(source.contains("///The `owner` object: see [`Owner`]."));
    assert!(source.contains("pub struct ThingBuilder"));
    assert!(source.contains("impl ::std::convert::TryFrom<ThingBuilder> for super::Thing"));
    assert!(
        !source.contains("pub struct Thing {\n            "),
        "no builder keeps the model's name"
    );
}

#[test]
fn a_request_body_names_the_renamed_builder_and_a_constrained_string_is_parsed() {
    let source = generated();
    // progenitor's operation builder takes the body through the model's builder.
    assert!(source.contains("types::builder::ThingBuilder"), "{source}");
    assert!(
        !source.contains("types::builder::Thing>") && !source.contains("types::builder::Thing,")
    );
    // `code` has a maxLength: typify makes it a newtype, which set_text parses.
    assert!(
        source.contains(".parse::<super::types::ListThingsCode>()"),
        "{source}"
    );
}

#[test]
fn the_api_version_comes_from_info_version() {
    let source = generated();
    assert!(source.contains("pub const API_VERSION: Option<&str> = Some(\"2.3\");"));
    assert!(source.contains("(\"list_things\", \"ListThings\")"));
}

#[test]
fn a_query_parameter_the_listing_cannot_take_is_named() {
    let text = FRAGMENT.replace(
        "        - {name: score, in: query, schema: {type: number}}
        - {name: code, in: query, schema: {type: string, maxLength: 8}}\n",
        "        - {name: filter, in: query, schema: {type: object}}\n",
    );
    let error = generate_str(&text, "things.yaml").expect_err("rejected");
    let line = error.to_string();
    assert!(
        line.contains("GET /orgs/{orgId}/things (ListThings)") && line.contains("filter"),
        "{line}"
    );
    assert!(!line.contains('\n'));
}

#[test]
fn a_malformed_former_names_extension_is_named() {
    let text = FRAGMENT.replace("x-former-names: [type]", "x-former-names: type");
    let line = generate_str(&text, "things.yaml")
        .expect_err("rejected")
        .to_string();
    assert!(
        line.contains("Thing.scope") && line.contains("x-former-names"),
        "{line}"
    );
}
