use super::*;

#[test]
fn the_state_machine() {
    use ScreenShare::*;
    assert_eq!(None.request().unwrap(), Requested);
    assert_eq!(Requested.request(), Err(InvalidInput(ALREADY_WAITING)));
    assert_eq!(Accepted.request(), Err(InvalidInput(ALREADY_SHARING)));
    assert_eq!(Sharing.request(), Err(InvalidInput(ALREADY_SHARING)));
    assert_eq!(Declined.request().unwrap(), Requested);
    assert_eq!(Ended.request().unwrap(), Requested);
    assert_eq!(Requested.answer(true).unwrap(), Accepted);
    assert_eq!(Requested.answer(false).unwrap(), Declined);
    for s in [None, Accepted, Sharing, Declined, Ended] {
        assert!(s.answer(true).is_err(), "{s:?}");
    }
    assert_eq!(Accepted.offer().unwrap(), Sharing);
    assert_eq!(Sharing.offer().unwrap(), Sharing, "a reconnection");
    for s in [None, Requested, Declined, Ended] {
        assert_eq!(s.offer(), Err(InvalidInput(NOT_SHARING)), "{s:?}");
    }
    for s in [Requested, Accepted, Sharing] {
        assert_eq!(s.end().unwrap(), Ended);
    }
    for s in [None, Declined, Ended] {
        assert!(s.end().is_err());
    }
    assert!(Sharing.is_live() && !Accepted.is_live() && !Ended.is_live());
    for s in [None, Requested, Accepted, Sharing, Declined, Ended] {
        assert_eq!(ScreenShare::parse(s.as_str()), s);
    }
}

#[test]
fn lines_and_durations() {
    assert_eq!(duration(45), "45 s");
    assert_eq!(duration(125), "2 min 5 s");
    assert_eq!(duration(3780), "1 h 3 min");
    assert_eq!(duration(-3), "0 s");
    assert_eq!(
        ended_line("agent", "Ann", Some(61)),
        "Screen sharing ended by Ann after 1 min 1 s"
    );
    assert_eq!(
        ended_line("block", "", Some(5)),
        "Screen sharing ended by the block after 5 s"
    );
    assert_eq!(
        ended_line("visitor", "", Option::None),
        "Screen sharing ended by the visitor before it started"
    );
}

fn input(kind: &str, peer: &str) -> SignalInput {
    SignalInput {
        kind: kind.into(),
        peer: peer.into(),
        sdp: Some("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into()),
        candidate: Some("candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host".into()),
        sdp_mid: Some("0".into()),
        sdp_mline_index: Some(0),
    }
}

#[test]
fn each_side_sends_only_its_own_signals() {
    assert!(
        Signal::parse(&input("offer", "p1"), Side::Visitor)
            .unwrap()
            .offer
    );
    assert!(Signal::parse(&input("offer", "p1"), Side::Agent).is_err());
    assert!(Signal::parse(&input("answer", "p1"), Side::Visitor).is_err());
    let answer = Signal::parse(&input("answer", "p1"), Side::Agent).unwrap();
    assert!(!answer.offer);
    for side in [Side::Visitor, Side::Agent] {
        let c = Signal::parse(&input("candidate", "p-1_x"), side).unwrap();
        let v: Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(v["candidate"], input("x", "y").candidate.unwrap().as_str());
        assert_eq!(v["sdpMLineIndex"], 0);
        assert_eq!(v["peer"], "p-1_x");
        assert!(Signal::parse(&input("bye", "p"), side).is_err());
    }
}

#[test]
fn bad_signals_are_refused() {
    let mut i = input("offer", "p");
    i.sdp = Some("<script>".into());
    assert!(Signal::parse(&i, Side::Visitor).is_err());
    i.sdp = Some(format!("v=0\r\n{}", "a".repeat(MAX_SDP)));
    assert!(Signal::parse(&i, Side::Visitor).is_err(), "too long");
    i.sdp = None;
    assert!(Signal::parse(&i, Side::Visitor).is_err());
    for peer in ["", "has space", &"p".repeat(33), "é"] {
        assert!(Signal::parse(&input("offer", peer), Side::Visitor).is_err());
    }
    let mut c = input("candidate", "p");
    c.candidate = Some("candidate:1\r\na=evil".into());
    assert!(Signal::parse(&c, Side::Agent).is_err());
    c.candidate = Some(format!("candidate:{}", "1".repeat(MAX_CANDIDATE)));
    assert!(Signal::parse(&c, Side::Agent).is_err());
    c.candidate = None;
    assert!(Signal::parse(&c, Side::Agent).is_err());
}

#[test]
fn turn_credentials_follow_the_turn_rest_scheme() {
    // Computed independently: python3 -c "import hmac,hashlib,base64;
    // print(base64.b64encode(hmac.new(b'north-secret',
    // b'1700003600:c42-agent', hashlib.sha1).digest()).decode())"
    let (user, pass) = turn_credentials("north-secret", "c42-agent", 1_700_003_600);
    assert_eq!(user, "1700003600:c42-agent");
    assert_eq!(pass, "4uFrgpcYjzQ+RfyMYAMGADh2gyA=");
}

#[test]
fn ice_settings() {
    let none = IceSettings::parse(None, None, None, 3600, false).unwrap();
    assert_eq!(
        none.config("u", 0),
        json!({ "iceServers": [], "iceTransportPolicy": "all" }),
        "LAN: host candidates only"
    );
    let s = IceSettings::parse(
        Some("stun:stun.example.com:3478, stuns:b.example.com"),
        Some("turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349"),
        Some(" north-secret "),
        3600,
        true,
    )
    .unwrap();
    let c = s.config("c42-agent", 1_700_000_000);
    assert_eq!(c["iceTransportPolicy"], "relay");
    let v = &c["iceServers"];
    assert_eq!(v[0]["urls"][1], "stuns:b.example.com");
    assert_eq!(v[1]["urls"][0], "turn:turn.example.com:3478?transport=udp");
    assert_eq!(v[1]["username"], "1700003600:c42-agent");
    assert_eq!(v[1]["credential"], "4uFrgpcYjzQ+RfyMYAMGADh2gyA=");
    assert!(!format!("{s:?}").contains("north-secret"), "redacted");
    assert!(IceSettings::parse(Some("http://x"), None, None, 1, false).is_err());
    assert!(IceSettings::parse(None, Some("stun:x"), Some("k"), 1, false).is_err());
    assert!(IceSettings::parse(None, Some("turn:x"), None, 1, false).is_err());
    assert!(IceSettings::parse(None, None, Some("k"), 1, false).is_err());
    assert!(
        IceSettings::parse(Some("stun:x"), None, None, 1, true).is_err(),
        "relay only needs TURN"
    );
}
