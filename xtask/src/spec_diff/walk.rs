//! Document-level rules: servers, security requirements and schemes, operations (matched
//! by method and path, then by path shape, then by operationId), request bodies,
//! responses (status codes and media types), handing parameters to [`super::params`]
//! and schemas to [`super::schema`].

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    Content, OpenAPI, Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response,
    SecurityRequirement, StatusCode,
};

use super::params::{self, Param};
use super::{Change, Ctx, Direction, Here, Impact, Ptr, schema, shape};

/// Compares two whole documents.
pub fn document(ctx: &mut Ctx<'_>) {
    servers(ctx);
    security_schemes(ctx);
    operations(ctx);
}

fn servers(ctx: &mut Ctx<'_>) {
    let urls = |spec: &OpenAPI| -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for (i, s) in spec.servers.iter().enumerate() {
            out.entry(s.url.trim_end_matches('/').to_owned())
                .or_insert(i);
        }
        out
    };
    let (old, new) = (urls(ctx.old), urls(ctx.new));
    for (url, i) in old.iter().filter(|(u, _)| !new.contains_key(*u)) {
        ctx.add(
            Change::new("server.removed", "servers", Impact::Breaking, Impact::None)
                .at_old(Ptr::of(&["servers"]).child(i))
                .old(url)
                .msg(format!("`{url}` is no longer served: clients configured with that base URL stop working (the SDK takes the base URL as an argument)")),
        );
    }
    for (url, i) in new.iter().filter(|(u, _)| !old.contains_key(*u)) {
        ctx.add(
            Change::new("server.added", "servers", Impact::Compatible, Impact::None)
                .at_new(Ptr::of(&["servers"]).child(i))
                .new_value(url)
                .msg(format!("`{url}` is an additional base URL")),
        );
    }
}

fn security_schemes(ctx: &mut Ctx<'_>) {
    let schemes = |spec: &OpenAPI| {
        spec.components
            .as_ref()
            .map(|c| {
                c.security_schemes
                    .iter()
                    .map(|(k, v)| (k.clone(), shape(v)))
                    .collect::<BTreeMap<_, _>>()
            })
            .unwrap_or_default()
    };
    let (old, new) = (schemes(ctx.old), schemes(ctx.new));
    for (name, o) in &old {
        if let Some(n) = new.get(name).filter(|n| *n != o) {
            ctx.add(
                Change::new("security.scheme.changed", format!("components.securitySchemes.{name}"), Impact::Breaking, Impact::None)
                    .at(&Here::both(Ptr::of(&["components", "securitySchemes", name])))
                    .old(o)
                    .new_value(n)
                    .msg(format!("the `{name}` scheme changed: OLD clients authenticate the old way (the SDK leaves auth headers to the caller)")),
            );
        }
    }
}

type Alternatives = BTreeSet<BTreeMap<String, BTreeSet<String>>>;

/// Requirements with each scheme name replaced by what the scheme is (its definition
/// without documentation fields), so a renamed but identical scheme compares equal; a
/// name without a definition stays a name.
fn meaning(spec: &OpenAPI, alternatives: &Alternatives) -> Alternatives {
    alternatives
        .iter()
        .map(|alt| {
            alt.iter()
                .map(|(name, scopes)| {
                    let defined = spec
                        .components
                        .as_ref()
                        .and_then(|c| c.security_schemes.get(name))
                        .map(|s| shape(s).to_string());
                    (defined.unwrap_or_else(|| name.clone()), scopes.clone())
                })
                .collect()
        })
        .collect()
}

fn alternatives(reqs: &[SecurityRequirement]) -> Alternatives {
    reqs.iter()
        .map(|r| {
            r.iter()
                .map(|(k, v)| (k.clone(), v.iter().cloned().collect()))
                .collect()
        })
        .collect()
}

fn security(ctx: &mut Ctx<'_>, loc: &str, old: &Op<'_>, new: &Op<'_>) {
    let node = |op: &Op<'_>| {
        if op.op.security.is_some() {
            op.ptr().child("security")
        } else {
            Ptr::of(&["security"])
        }
    };
    let here = Here {
        old: node(old),
        new: node(new),
    };
    let (old, new) = (old.op, new.op);
    let effective = |spec: &OpenAPI, op: &Operation| {
        alternatives(
            op.security
                .as_deref()
                .or(spec.security.as_deref())
                .unwrap_or(&[]),
        )
    };
    let (o, n) = (effective(ctx.old, old), effective(ctx.new, new));
    if o == n {
        return;
    }
    // Scheme names are not on the wire: requirements that name differently-called but
    // identical schemes (`BearerAuth` and `JWT`, both `http`/`bearer`) are the same.
    let (so, sn) = (meaning(ctx.old, &o), meaning(ctx.new, &n));
    if so == sn {
        ctx.add(
            Change::new(
                "security.scheme.renamed",
                format!("{loc} security"),
                Impact::None,
                Impact::None,
            )
            .at(&here)
            .old(serde_json::to_value(&o).unwrap_or_default())
            .new_value(serde_json::to_value(&n).unwrap_or_default())
            .msg("the requirement names another security scheme that means the same (same type, scheme, location and name); scheme names are not sent, so nothing changes on the wire"),
        );
        return;
    }
    let (o, n) = (so, sn);
    let show = |a: &Alternatives| serde_json::to_value(a).unwrap_or_default();
    let change = if n.is_superset(&o) && !o.is_empty() {
        Change::new(
            "security.alternative.added",
            format!("{loc} security"),
            Impact::Compatible,
            Impact::None,
        )
        .msg("a new way to authenticate is accepted; the old ones still work")
    } else {
        Change::new("security.changed", format!("{loc} security"), Impact::Breaking, Impact::None)
            .msg("the authentication the operation requires changed: OLD clients may be refused (the SDK leaves auth to the caller)")
    };
    ctx.add(change.at(&here).old(show(&o)).new_value(show(&n)));
}

/// One operation with its place.
struct Op<'s> {
    method: &'static str,
    path: &'s str,
    item: &'s PathItem,
    op: &'s Operation,
}

impl Op<'_> {
    fn loc(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }
    /// `paths/<path>/<method>`.
    fn ptr(&self) -> Ptr {
        Ptr::of(&["paths", self.path, self.method])
    }
    fn shape_key(&self) -> (String, String) {
        (self.method.to_owned(), path_shape(self.path))
    }
}

/// `/a/{x}/b` → `/a/{}/b`: the path as the wire sees it.
fn path_shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for ch in path.chars() {
        match ch {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn ops<'s>(ctx: &mut Ctx<'_>, spec: &'s OpenAPI, side: &str) -> Vec<Op<'s>> {
    let mut out = Vec::new();
    for (path, item) in spec.paths.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            ctx.error(format!(
                "{side}: path `{path}` is a $ref, which is not supported"
            ));
            continue;
        };
        for (method, op) in item.iter() {
            let method = METHODS
                .iter()
                .find(|m| **m == method)
                .copied()
                .unwrap_or("get");
            out.push(Op {
                method,
                path,
                item,
                op,
            });
        }
    }
    out
}

fn operations(ctx: &mut Ctx<'_>) {
    let old_spec = ctx.old;
    let new_spec = ctx.new;
    let old = ops(ctx, old_spec, "OLD");
    let new = ops(ctx, new_spec, "NEW");
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut unmatched_new: Vec<usize> = (0..new.len()).collect();
    let mut unmatched_old = Vec::new();
    for (i, o) in old.iter().enumerate() {
        let found = unmatched_new
            .iter()
            .position(|&j| new[j].method == o.method && new[j].path == o.path)
            .or_else(|| {
                unmatched_new
                    .iter()
                    .position(|&j| new[j].shape_key() == o.shape_key())
            });
        match found {
            Some(k) => pairs.push((i, unmatched_new.remove(k))),
            None => unmatched_old.push(i),
        }
    }
    unmatched_old.retain(|&i| {
        let id = old[i].op.operation_id.as_deref();
        let Some(k) = unmatched_new.iter().position(|&j| id.is_some() && new[j].op.operation_id.as_deref() == id) else {
            return true;
        };
        let j = unmatched_new.remove(k);
        ctx.add(
            Change::new("path.changed", old[i].loc(), Impact::Breaking, Impact::None)
                .at(&Here { old: old[i].ptr(), new: new[j].ptr() })
                .old(old[i].loc())
                .new_value(new[j].loc())
                .msg(format!(
                    "operation `{}` moves to {}: OLD clients call the old URL; the Rust method keeps its name",
                    id.unwrap_or_default(),
                    new[j].loc()
                )),
        );
        pairs.push((i, j));
        false
    });
    for i in unmatched_old {
        ctx.add(
            Change::new("operation.removed", old[i].loc(), Impact::Breaking, Impact::Breaking)
                .at_old(old[i].ptr())
                .old(&old[i].op.operation_id)
                .msg("the operation is gone: OLD clients calling it fail, and its Client method is removed"),
        );
    }
    for j in unmatched_new {
        ctx.add(
            Change::new(
                "operation.added",
                new[j].loc(),
                Impact::Compatible,
                Impact::Compatible,
            )
            .at_new(new[j].ptr())
            .new_value(&new[j].op.operation_id)
            .msg("a new operation and Client method"),
        );
    }
    for (i, j) in pairs {
        operation(ctx, &old[i], &new[j]);
    }
}

fn operation(ctx: &mut Ctx<'_>, o: &Op<'_>, n: &Op<'_>) {
    let loc = o.loc();
    let here = Here {
        old: o.ptr(),
        new: n.ptr(),
    };
    if o.op.operation_id != n.op.operation_id {
        ctx.add(
            Change::new("operation.id.changed", &loc, Impact::None, Impact::Breaking)
                .at(&here.child("operationId"))
                .old(&o.op.operation_id)
                .new_value(&n.op.operation_id)
                .msg("operationId names the Client method, its builder type and the request parameter enums, so they are all renamed; the wire is unchanged"),
        );
    }
    if o.op.deprecated != n.op.deprecated {
        ctx.add(
            Change::new(
                "operation.deprecated.changed",
                &loc,
                Impact::None,
                Impact::None,
            )
            .at(&here.child("deprecated"))
            .old(o.op.deprecated)
            .new_value(n.op.deprecated)
            .msg("deprecation flag changed: a signal to callers, nothing stops working"),
        );
    }
    security(ctx, &loc, o, n);
    let old_params = effective_params(ctx, ctx.old, o, "OLD");
    let new_params = effective_params(ctx, ctx.new, n, "NEW");
    params::compare(ctx, &loc, &old_params, &new_params);
    request_body(ctx, &loc, o.op, n.op, &here);
    responses(ctx, &loc, o.op, n.op, &here);
}

/// Path-item parameters overridden by operation parameters with the same `in` and name.
fn effective_params<'s>(
    ctx: &mut Ctx<'_>,
    spec: &'s OpenAPI,
    op: &Op<'s>,
    side: &str,
) -> Vec<Param<'s>> {
    let mut out: Vec<Param<'s>> = Vec::new();
    let item = Ptr::of(&["paths", op.path, "parameters"]);
    let own = op.ptr().child("parameters");
    let sites = (op
        .item
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| (item.child(i), p)))
    .chain(
        op.op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (own.child(i), p)),
    );
    for (site, p) in sites {
        let Some(resolved) = resolve_param(ctx, spec, p, side) else {
            continue;
        };
        let p = Param::from(resolved, ref_ptr(p, site));
        out.retain(|q| (q.location, &q.data.name) != (p.location, &p.data.name));
        out.push(p);
    }
    out
}

fn resolve_param<'s>(
    ctx: &mut Ctx<'_>,
    spec: &'s OpenAPI,
    p: &'s ReferenceOr<Parameter>,
    side: &str,
) -> Option<&'s Parameter> {
    match p {
        ReferenceOr::Item(p) => Some(p),
        ReferenceOr::Reference { reference } => {
            let found = reference
                .strip_prefix("#/components/parameters/")
                .and_then(|name| spec.components.as_ref()?.parameters.get(name));
            match found {
                Some(ReferenceOr::Item(p)) => Some(p),
                _ => {
                    ctx.error(format!("{side}: unresolved parameter $ref `{reference}`"));
                    None
                }
            }
        }
    }
}

/// Where a node really is: its component when it is a local `$ref`, else `site`.
fn ref_ptr<T>(r: &ReferenceOr<T>, site: Ptr) -> Ptr {
    match r {
        ReferenceOr::Reference { reference } => match reference.strip_prefix("#/") {
            Some(path) => Ptr(path
                .split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect()),
            None => site,
        },
        ReferenceOr::Item(_) => site,
    }
}

fn resolve_other<'s, T>(
    ctx: &mut Ctx<'_>,
    r: &'s ReferenceOr<T>,
    prefix: &str,
    get: impl Fn(&str) -> Option<&'s ReferenceOr<T>>,
    side: &str,
) -> Option<&'s T> {
    match r {
        ReferenceOr::Item(t) => Some(t),
        ReferenceOr::Reference { reference } => {
            match reference.strip_prefix(prefix).and_then(get) {
                Some(ReferenceOr::Item(t)) => Some(t),
                _ => {
                    ctx.error(format!("{side}: unresolved $ref `{reference}`"));
                    None
                }
            }
        }
    }
}

fn request_body(ctx: &mut Ctx<'_>, loc: &str, o: &Operation, n: &Operation, op: &Here) {
    let (old_spec, new_spec) = (ctx.old, ctx.new);
    let body = |ctx: &mut Ctx<'_>,
                spec: &'static str,
                r: Option<&ReferenceOr<RequestBody>>,
                which: &OpenAPI|
     -> Option<RequestBody> {
        let r = r?;
        resolve_other(
            ctx,
            r,
            "#/components/requestBodies/",
            |name| which.components.as_ref()?.request_bodies.get(name),
            spec,
        )
        .cloned()
    };
    let ob = body(ctx, "OLD", o.request_body.as_ref(), old_spec);
    let nb = body(ctx, "NEW", n.request_body.as_ref(), new_spec);
    let site = |r: Option<&ReferenceOr<RequestBody>>, at: &Ptr| match r {
        Some(r) => ref_ptr(r, at.child("requestBody")),
        None => at.child("requestBody"),
    };
    let here = Here {
        old: site(o.request_body.as_ref(), &op.old),
        new: site(n.request_body.as_ref(), &op.new),
    };
    let at = format!("{loc} request body");
    match (ob, nb) {
        (None, None) => {}
        (Some(_), None) => ctx.add(
            Change::new(
                "request_body.removed",
                at,
                Impact::Breaking,
                Impact::Breaking,
            )
            .at_old(here.old.clone())
            .msg(
                "OLD clients send a body the server no longer expects; the body setter is removed",
            ),
        ),
        (None, Some(b)) => {
            let (wire, why) = if b.required {
                (
                    Impact::Breaking,
                    "a required body: OLD clients do not send it",
                )
            } else {
                (Impact::Compatible, "an optional body")
            };
            ctx.add(
                Change::new("request_body.added", at, wire, wire)
                    .at_new(here.new.clone())
                    .msg(why),
            );
        }
        (Some(a), Some(b)) => {
            if !a.required && b.required {
                ctx.add(
                    Change::new(
                        "request_body.required.added",
                        &at,
                        Impact::Breaking,
                        Impact::Breaking,
                    )
                    .at(&here.child("required"))
                    .msg("the body is now required: OLD clients may omit it"),
                );
            }
            content(ctx, &at, &a.content, &b.content, Direction::Request, &here);
        }
    }
}

fn status_name(s: &StatusCode) -> String {
    match s {
        StatusCode::Code(c) => c.to_string(),
        StatusCode::Range(r) => format!("{r}XX"),
    }
}

fn responses(ctx: &mut Ctx<'_>, loc: &str, o: &Operation, n: &Operation, op: &Here) {
    let collect = |ctx: &mut Ctx<'_>,
                   op: &Operation,
                   spec: &OpenAPI,
                   side,
                   at: &Ptr|
     -> BTreeMap<String, (Response, Ptr)> {
        let mut out = BTreeMap::new();
        let all = op
            .responses
            .responses
            .iter()
            .map(|(k, v)| (status_name(k), v))
            .chain(
                op.responses
                    .default
                    .as_ref()
                    .map(|d| ("default".to_owned(), d)),
            );
        for (status, r) in all {
            if let Some(resolved) = resolve_other(
                ctx,
                r,
                "#/components/responses/",
                |name| spec.components.as_ref()?.responses.get(name),
                side,
            ) {
                let ptr = ref_ptr(r, at.child("responses").child(&status));
                out.insert(status, (resolved.clone(), ptr));
            }
        }
        out
    };
    let (old_spec, new_spec) = (ctx.old, ctx.new);
    let old = collect(ctx, o, old_spec, "OLD", &op.old);
    let new = collect(ctx, n, new_spec, "NEW", &op.new);
    let status_ptr = |at: &Ptr, s: &str| at.child("responses").child(s);
    let success = |s: &str| s.starts_with('2');
    for status in old.keys().filter(|s| !new.contains_key(*s)) {
        let at = status_ptr(&op.old, status);
        let change = if success(status) {
            Change::new("response.status.removed", format!("{loc} response {status}"), Impact::Breaking, Impact::Breaking)
                .msg("a success status is gone: OLD clients expect it, and the method's return type may change (the generated code decides)")
        } else {
            Change::new(
                "response.status.removed",
                format!("{loc} response {status}"),
                Impact::Compatible,
                Impact::None,
            )
            .msg("an error status is no longer documented: OLD clients simply never see it")
        };
        ctx.add(change.at_old(at).old(status));
    }
    for status in new.keys().filter(|s| !old.contains_key(*s)) {
        let at = status_ptr(&op.new, status);
        let change = if success(status) {
            Change::new("response.status.added", format!("{loc} response {status}"), Impact::Breaking, Impact::Breaking)
                .msg("a new success status: OLD clients treat it as an unexpected response; the method's return type may change (the generated code decides)")
        } else {
            Change::new(
                "response.status.added",
                format!("{loc} response {status}"),
                Impact::Compatible,
                Impact::Compatible,
            )
            .msg("a new error status: OLD clients already report unexpected statuses as errors")
        };
        ctx.add(change.at_new(at).new_value(status));
    }
    for (status, (a, pa)) in &old {
        if let Some((b, pb)) = new.get(status) {
            content(
                ctx,
                &format!("{loc} response {status}"),
                &a.content,
                &b.content,
                Direction::Response,
                &Here {
                    old: pa.clone(),
                    new: pb.clone(),
                },
            );
        }
    }
}

fn content(ctx: &mut Ctx<'_>, at: &str, old: &Content, new: &Content, dir: Direction, here: &Here) {
    let several = old.len() > 1 || new.len() > 1;
    let here = here.child("content");
    for (mt, a) in old {
        let Some(b) = new.get(mt) else {
            ctx.add(
                Change::new("media_type.removed", at, Impact::Breaking, Impact::Breaking)
                    .at_old(here.old.child(mt))
                    .old(mt)
                    .msg(format!(
                        "`{mt}` is no longer {}; the generated code for it goes away",
                        if dir == Direction::Request {
                            "accepted"
                        } else {
                            "produced"
                        }
                    )),
            );
            continue;
        };
        let (Some(x), Some(y)) = (&a.schema, &b.schema) else {
            continue;
        };
        let mut place = if several {
            format!("{at} {mt}")
        } else {
            at.to_owned()
        };
        if let ReferenceOr::Reference { reference } = y
            && let Some(name) = reference.rsplit('/').next()
        {
            place = format!("{place} {name}");
        }
        schema::compare(ctx, x, y, dir, &place, &here.child(mt).child("schema"));
    }
    for mt in new.keys().filter(|m| !old.contains_key(*m)) {
        ctx.add(
            Change::new(
                "media_type.added",
                at,
                Impact::Compatible,
                Impact::Compatible,
            )
            .at_new(here.new.child(mt))
            .new_value(mt)
            .msg(format!(
                "`{mt}` is also {}",
                if dir == Direction::Request {
                    "accepted"
                } else {
                    "produced"
                }
            )),
        );
    }
}
