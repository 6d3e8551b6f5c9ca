// Every typed header of the crate, named once for the code that goes
// through all of them: the corpus test (`tests/protos.rs`) and the fuzz
// target (`fuzz/fuzz_targets/parse_message.rs`), which is a workspace of its
// own and so includes this file rather than sharing a module.
//
// `with_every_typed_header!(m)` expands to `m!(Via, From, ...)`; the caller
// has the types in scope.
macro_rules! with_every_typed_header {
    ($apply:ident) => {
        $apply!(
            Via,
            From,
            To,
            CallId,
            CSeq,
            Contact,
            Route,
            RecordRoute,
            MaxForwards,
            ContentType,
            ContentLength,
            Expires,
            MinExpires,
            WwwAuthenticate,
            ProxyAuthenticate,
            Authorization,
            ProxyAuthorization,
            Allow,
            Supported,
            Require,
            ProxyRequire,
            Unsupported,
            Accept,
            RSeq,
            RAck,
            SessionExpires,
            MinSe,
            ReferTo,
            ReferredBy,
            Replaces,
            Event,
            AllowEvents,
            SubscriptionState,
            Reason,
            PAssertedIdentity,
            CallInfo,
            UserAgent,
            Server,
            Date,
            Warning,
            RetryAfter,
            Path,
            ServiceRoute,
        )
    };
}

// `with_every_header_view!(m)` expands to `m!((ViaRef, Via), ...)`: each
// view (a typed header read in place, borrowing the message's text) with
// the owned type it must agree with.
macro_rules! with_every_header_view {
    ($apply:ident) => {
        $apply!(
            (ViaRef, Via),
            (FromRef, From),
            (ToRef, To),
            (CallIdRef, CallId),
            (ContactRef, Contact),
            (RouteRef, Route),
            (RecordRouteRef, RecordRoute),
            (PathRef, Path),
            (ServiceRouteRef, ServiceRoute),
            (PAssertedIdentityRef, PAssertedIdentity),
            (ReferToRef, ReferTo),
            (ReferredByRef, ReferredBy),
            (ContentTypeRef, ContentType),
            (EventRef, Event),
            (SessionExpiresRef, SessionExpires),
            (WwwAuthenticateRef, WwwAuthenticate),
            (ProxyAuthenticateRef, ProxyAuthenticate),
        )
    };
}
