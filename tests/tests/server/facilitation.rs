//! Facilitation over the real server: facilitator-only state is refused
//! for editors and viewers, the chair can be handed over, hidden notes and
//! votes never reach anyone else before the reveal, and a late joiner sees
//! the timer and the round as they are.
use std::time::Duration;

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use samskab_board::facilitation::{
    FacilOp, IdeationState, OutcomeOp, RoundState, TimerState, Vote, VoteState,
};
use samskab_board::{Color, Op, RoleGroup};
use samskab_protocol::{Command, ErrorReason, Message};
use samskab_tests::{TestServer, WsClient, converge};

const WAIT: Duration = Duration::from_secs(10);

fn f(act: FacilOp) -> Op {
    Op::Facilitate { act }
}

fn key(name: &str) -> String {
    format!("device-secret-of-{name}-0123456789")
}

async fn person(s: &TestServer, board: &str, link: &str, id: &str, role: RoleGroup) -> WsClient {
    let mut c = WsClient::offline_as(board, link, id, id, role.as_str(), Some(&key(id)));
    c.connect(&s.ws_url()).await.unwrap();
    c.apply(Op::SetParticipant {
        name: id.into(),
        role,
        color: "#345".into(),
    })
    .await
    .unwrap();
    c
}

async fn refused(c: &mut WsClient) -> ErrorReason {
    c.pump_until(WAIT, |c| !c.refusals.is_empty() || c.closed.is_some())
        .await
        .unwrap();
    c.pump_until(WAIT, |c| !c.is_connected()).await.unwrap();
    c.refusals.last().expect("an error message").reason
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facilitator_controls_are_refused_for_editors_and_viewers_and_follow_the_chair() {
    let s = TestServer::start().await;
    let b = s.create_board("Udvalget").await;
    let mut fac = person(&s, &b.id, &b.facilitator, "fac", RoleGroup::Administrator).await;
    fac.apply(f(FacilOp::TimerStart {
        duration_ms: 600_000,
        label: "Idéer".into(),
    }))
    .await
    .unwrap();
    fac.until_saved().await.unwrap();

    // An editor's timer op: refused by the server, not just hidden in the UI.
    let mut ed = person(&s, &b.id, &b.editor, "cit", RoleGroup::Citizen).await;
    converge(&mut [&mut fac, &mut ed], WAIT).await.unwrap();
    assert_eq!(ed.board().facilitation().timer.state, TimerState::Running);
    ed.apply(f(FacilOp::TimerStop)).await.unwrap();
    assert_eq!(refused(&mut ed).await, ErrorReason::Forbidden);

    // An editor who writes the register directly, bypassing the ops: refused too.
    let mut sneaky = person(&s, &b.id, &b.editor, "sneaky", RoleGroup::Politician).await;
    converge(&mut [&mut fac, &mut sneaky], WAIT).await.unwrap();
    let mut copy = sneaky.board().clone();
    let (_, facil) = copy
        .doc()
        .get(automerge::ROOT, "facilitation")
        .unwrap()
        .unwrap();
    copy.doc_mut()
        .put(
            &facil,
            "timer",
            r#"{"state":"stopped","duration_ms":0,"ends_at":0,"remaining_ms":0,"label":""}"#,
        )
        .unwrap();
    copy.doc_mut().commit();
    sneaky.session.merge(&mut copy).unwrap();
    sneaky.flush().await.unwrap();
    assert_eq!(refused(&mut sneaky).await, ErrorReason::Forbidden);

    // A viewer's change of any kind: refused.
    let mut viewer = WsClient::join(&s.ws_url(), &b.id, &b.viewer, "public")
        .await
        .unwrap();
    viewer
        .pump_until(WAIT, |c| {
            c.board().facilitation().timer.state == TimerState::Running
        })
        .await
        .unwrap();
    viewer.apply(f(FacilOp::TimerStop)).await.unwrap();
    assert_eq!(refused(&mut viewer).await, ErrorReason::Forbidden);

    // Editors may still turn an idea into an action.
    let mut ed = person(&s, &b.id, &b.editor, "cit", RoleGroup::Citizen).await;
    ed.apply(Op::Outcome {
        act: OutcomeOp::CreateAction {
            id: "a1".into(),
            source: String::new(),
            text: "Borgerpanel".into(),
            owner: "cit".into(),
            deadline: "2026-06-01".into(),
            done_when: "Første møde holdt".into(),
        },
    })
    .await
    .unwrap();
    ed.until_saved().await.unwrap();

    // The chair is handed to the citizen, who then holds the controls.
    fac.apply(f(FacilOp::SetChair {
        participant: "cit".into(),
        meeting: "Møde 3".into(),
    }))
    .await
    .unwrap();
    converge(&mut [&mut fac, &mut ed], WAIT).await.unwrap();
    ed.apply(f(FacilOp::TimerPause)).await.unwrap();
    ed.until_saved().await.unwrap();
    assert!(ed.refusals.is_empty(), "{:?}", ed.refusals);
    converge(&mut [&mut fac, &mut ed], WAIT).await.unwrap();
    assert_eq!(fac.board().facilitation().timer.state, TimerState::Paused);
    let chair = fac.board().facilitation().chair;
    assert_eq!(chair.history.len(), 1);
    assert_eq!(
        (
            chair.history[0].participant.as_str(),
            chair.history[0].meeting.as_str()
        ),
        ("cit", "Møde 3")
    );

    // Another device claiming to be "cit" is turned away (trust on first use).
    let mut impostor = WsClient::offline_as(
        &b.id,
        &b.editor,
        "cit",
        "cit",
        "citizen",
        Some("another-device-secret-000"),
    );
    let err = impostor.connect(&s.ws_url()).await;
    assert!(err.is_err());
    assert_eq!(
        impostor.refusals.last().map(|r| r.reason),
        Some(ErrorReason::Forbidden)
    );

    // The facilitator takes the chair back: the citizen is an editor again.
    fac.apply(f(FacilOp::SetChair {
        participant: String::new(),
        meeting: String::new(),
    }))
    .await
    .unwrap();
    converge(&mut [&mut fac, &mut ed], WAIT).await.unwrap();
    ed.apply(f(FacilOp::TimerResume)).await.unwrap();
    assert_eq!(refused(&mut ed).await, ErrorReason::Forbidden);
    fac.pump_once(Duration::from_millis(200)).await.unwrap();
    assert_eq!(fac.board().facilitation().timer.state, TimerState::Paused);
}

/// Every string the client received in any form: in the raw frames, and in
/// every operation of every change of every sync message, decoded.
fn everything_received(c: &WsClient) -> (Vec<u8>, Vec<String>) {
    let mut raw = Vec::new();
    let mut scan = automerge::AutoCommit::new();
    let mut strings = Vec::new();
    for frame in &c.received {
        raw.extend_from_slice(frame);
        match Message::decode(frame).unwrap() {
            Message::Sync(payload) => {
                let m = automerge::sync::Message::decode(&payload).unwrap();
                for chunk in m.changes.iter() {
                    scan.load_incremental(chunk).unwrap();
                }
            }
            other => strings.push(format!("{other:?}")),
        }
    }
    for change in scan.get_changes(&[]) {
        for op in change.decode().operations {
            if let automerge::legacy::OpType::Put(v) = &op.action {
                strings.push(v.to_string());
            }
            if let automerge::legacy::Key::Map(k) = &op.key {
                strings.push(k.to_string());
            }
        }
    }
    // Text is made of one-character ops: read the texts whole, too.
    let doc_text = serde_json::to_string(&automerge::AutoSerde::from(&scan)).unwrap();
    strings.push(doc_text);
    (raw, strings)
}

fn assert_never_received(c: &WsClient, secret: &str) {
    let (raw, strings) = everything_received(c);
    assert!(
        !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "{} received {secret:?} in raw bytes",
        c.name
    );
    for s in &strings {
        assert!(!s.contains(secret), "{} received {secret:?}: {s}", c.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_notes_and_votes_reach_no_other_browser_before_the_reveal() {
    let s = TestServer::start().await;
    let b = s.create_board("Hvornår skal borgerne inddrages?").await;
    let mut fac = person(&s, &b.id, &b.facilitator, "fac", RoleGroup::Administrator).await;
    let mut cit = person(&s, &b.id, &b.editor, "cit", RoleGroup::Citizen).await;
    let mut pol = person(&s, &b.id, &b.editor, "pol", RoleGroup::Politician).await;
    // A second device of the citizen's? No: a viewer (the public) listens too.
    let mut public = WsClient::join(&s.ws_url(), &b.id, &b.viewer, "public")
        .await
        .unwrap();

    for id in ["idea-a", "idea-b"] {
        fac.apply(Op::CreateNote {
            id: id.into(),
            x: 0.0,
            y: 0.0,
            color: Color::Yellow,
            text: format!("Forslag {id}"),
        })
        .await
        .unwrap();
    }
    fac.apply(f(FacilOp::IdeationStart {
        id: "i1".into(),
        frame: String::new(),
    }))
    .await
    .unwrap();
    converge(&mut [&mut fac, &mut cit, &mut pol], WAIT)
        .await
        .unwrap();

    const CIT_SECRET: &str = "Borgerbudget-hemmelig-7f3a";
    const POL_SECRET: &str = "Skattestop-hemmelig-9b1c";
    cit.command(Command::PrivateNote {
        id: "zz-cit".into(),
        text: CIT_SECRET.into(),
        color: Color::Pink,
    })
    .await
    .unwrap();
    pol.command(Command::PrivateNote {
        id: "aa-pol".into(),
        text: POL_SECRET.into(),
        color: Color::Blue,
    })
    .await
    .unwrap();
    cit.pump_until(WAIT, |c| c.session.private().notes.len() == 1)
        .await
        .unwrap();
    pol.pump_until(WAIT, |c| c.session.private().notes.len() == 1)
        .await
        .unwrap();
    assert_eq!(cit.session.private().notes[0].text, CIT_SECRET);

    // The vote: three dots each, tallies by role group.
    fac.apply(f(FacilOp::VoteOpen {
        id: "v1".into(),
        items: vec!["idea-a".into(), "idea-b".into()],
        dots: 3,
        by_role: true,
    }))
    .await
    .unwrap();
    converge(&mut [&mut fac, &mut cit, &mut pol], WAIT)
        .await
        .unwrap();
    cit.command(Command::Vote {
        item: "idea-b".into(),
        dots: 3,
        vote: "v1".into(),
    })
    .await
    .unwrap();
    pol.command(Command::Vote {
        item: "idea-a".into(),
        dots: 1,
        // As an older client sends it: whichever vote is open.
        vote: String::new(),
    })
    .await
    .unwrap();
    // A fourth dot is refused and loses nothing.
    pol.command(Command::Vote {
        item: "idea-b".into(),
        dots: 3,
        vote: "v1".into(),
    })
    .await
    .unwrap();
    cit.pump_until(WAIT, |c| c.session.private().dots_used() == 3)
        .await
        .unwrap();
    pol.pump_until(WAIT, |c| !c.refusals.is_empty())
        .await
        .unwrap();
    assert_eq!(pol.refusals[0].reason, ErrorReason::InvalidChange);
    pol.pump_until(WAIT, |c| c.session.private().dots_used() == 1)
        .await
        .unwrap();
    for c in [&mut fac, &mut cit, &mut pol, &mut public] {
        for _ in 0..10 {
            c.pump_once(Duration::from_millis(30)).await.unwrap();
        }
    }

    // Before the reveal: nobody received anybody else's note or dots.
    assert_never_received(&pol, CIT_SECRET);
    assert_never_received(&cit, POL_SECRET);
    for c in [&fac, &public] {
        assert_never_received(c, CIT_SECRET);
        assert_never_received(c, POL_SECRET);
    }
    for c in [&fac, &cit, &pol, &public] {
        let (_, strings) = everything_received(c);
        for s in &strings {
            if let Ok(v) = serde_json::from_str::<Vote>(s) {
                assert!(v.results.is_empty(), "{} saw results early: {s}", c.name);
            }
        }
        // Private messages: only one's own notes and dots.
        for frame in &c.received {
            if let Ok(Message::Private(p)) = Message::decode(frame) {
                let own = match c.name.as_str() {
                    "cit" => 3,
                    "pol" => 1,
                    // The facilitator's own (empty) private state.
                    "fac" => 0,
                    other => panic!("{other} got private content"),
                };
                assert!(p.dots_used() == 0 || p.dots_used() == own);
                assert!(
                    p.notes
                        .iter()
                        .all(|n| n.text == CIT_SECRET && own == 3
                            || n.text == POL_SECRET && own == 1)
                );
            }
        }
    }

    // The reveal: all notes appear at once, with their authors; the tallies per role group.
    fac.command(Command::RevealIdeas).await.unwrap();
    fac.command(Command::RevealVotes).await.unwrap();
    let revealed = |c: &mut WsClient| {
        let texts: Vec<String> = c.board().notes().into_iter().map(|n| n.text).collect();
        texts.contains(&CIT_SECRET.to_string())
            && texts.contains(&POL_SECRET.to_string())
            && c.board().facilitation().vote.state == VoteState::Revealed
    };
    for c in [&mut fac, &mut cit, &mut pol, &mut public] {
        c.pump_until(WAIT, revealed).await.unwrap();
    }
    let board = public.board();
    let note = board
        .notes()
        .into_iter()
        .find(|n| n.text == CIT_SECRET)
        .unwrap();
    assert_eq!(note.author, "cit");
    assert_eq!(board.facilitation().ideation.state, IdeationState::Revealed);
    let vote = board.facilitation().vote;
    assert_eq!(vote.voters, 2);
    assert_eq!(vote.results[0].item, "idea-b");
    assert_eq!(vote.results[0].total, 3);
    assert_eq!(vote.results[0].by_role[&RoleGroup::Citizen], 3);
    assert_eq!(vote.results[1].by_role[&RoleGroup::Politician], 1);
    let json = serde_json::to_string(&vote).unwrap();
    assert!(
        !json.contains("\"cit\"") && !json.contains("\"pol\""),
        "per person: {json}"
    );
    cit.pump_until(WAIT, |c| c.session.private().notes.is_empty())
        .await
        .unwrap();
    assert!(public.refusals.is_empty() && cit.refusals.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_joiner_sees_the_timer_and_the_round_as_they_are() {
    let s = TestServer::start().await;
    let b = s.create_board("Runde").await;
    let mut fac = person(&s, &b.id, &b.facilitator, "fac", RoleGroup::Administrator).await;
    fac.apply(f(FacilOp::TimerStart {
        duration_ms: 600_000,
        label: "Runde".into(),
    }))
    .await
    .unwrap();
    fac.apply(f(FacilOp::RoundStart {
        id: "r1".into(),
        question: "Hvem skal være med?".into(),
        order: vec!["c1".into(), "p1".into(), "a1".into()],
        turn_ms: 60_000,
    }))
    .await
    .unwrap();
    fac.apply(f(FacilOp::RoundNext { passed: true }))
        .await
        .unwrap();
    fac.until_saved().await.unwrap();
    let ends_at = fac.board().facilitation().timer.ends_at;

    let mut late = person(&s, &b.id, &b.editor, "late", RoleGroup::Citizen).await;
    late.pump_until(WAIT, |c| {
        c.board().facilitation().round.state == RoundState::Running
    })
    .await
    .unwrap();
    let v = late.board().facilitation();
    assert_eq!(v.timer.state, TimerState::Running);
    assert_eq!(v.timer.ends_at, ends_at);
    let left = v.timer.remaining(late.session.server_time(chrono_now()));
    assert!((590_000..=600_000).contains(&left), "{left}");
    assert_eq!(v.round.speaker(), Some("p1"));
    assert_eq!(v.round.next(), Some("a1"));
    assert!(v.round.turns[0].passed);
    assert!(
        v.round
            .turn_remaining(late.session.server_time(chrono_now()))
            > 50_000
    );
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The speaker may end or pass their own turn (no facilitator's controls
/// needed); anyone else's attempt to move the round on is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_speaker_passes_their_own_turn_and_nobody_else_can() {
    let s = TestServer::start().await;
    let b = s.create_board("Runde").await;
    let mut fac = person(&s, &b.id, &b.facilitator, "fac", RoleGroup::Administrator).await;
    let mut c1 = person(&s, &b.id, &b.editor, "c1", RoleGroup::Citizen).await;
    let mut p1 = person(&s, &b.id, &b.editor, "p1", RoleGroup::Politician).await;
    fac.apply(f(FacilOp::RoundStart {
        id: "r1".into(),
        question: "Hvad er vigtigst?".into(),
        order: vec!["c1".into(), "p1".into()],
        turn_ms: 60_000,
    }))
    .await
    .unwrap();
    fac.until_saved().await.unwrap();
    converge(&mut [&mut fac, &mut c1, &mut p1], WAIT)
        .await
        .unwrap();

    // c1 holds the floor and passes: taken, and everyone sees p1's turn.
    c1.apply(f(FacilOp::RoundNext { passed: true }))
        .await
        .unwrap();
    c1.until_saved().await.unwrap();
    converge(&mut [&mut fac, &mut c1, &mut p1], WAIT)
        .await
        .unwrap();
    let round = fac.board().facilitation().round;
    assert_eq!(round.speaker(), Some("p1"));
    assert_eq!(round.turns.len(), 1);
    assert!(round.turns[0].passed);
    assert_eq!(round.turns[0].participant, "c1");

    // c1 again, now out of turn: refused.
    c1.apply(f(FacilOp::RoundNext { passed: false }))
        .await
        .unwrap();
    assert_eq!(refused(&mut c1).await, ErrorReason::Forbidden);
    // p1 ends their own turn: the round is over.
    p1.apply(f(FacilOp::RoundNext { passed: false }))
        .await
        .unwrap();
    p1.until_saved().await.unwrap();
    converge(&mut [&mut fac, &mut p1], WAIT).await.unwrap();
    let round = fac.board().facilitation().round;
    assert_eq!(round.state, RoundState::Finished);
    assert_eq!(round.turns.len(), 2);
    assert!(!round.turns[1].passed);
}

/// Dots given offline are sent on reconnect with the id of their vote:
/// counted while that vote is open, refused as too late (and counted in no
/// other vote) once it was closed meanwhile; the connection stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dots_given_offline_count_while_their_vote_is_open_and_are_too_late_after() {
    let s = TestServer::start().await;
    let b = s.create_board("Prikker").await;
    let mut fac = person(&s, &b.id, &b.facilitator, "fac", RoleGroup::Administrator).await;
    let mut cit = person(&s, &b.id, &b.editor, "cit", RoleGroup::Citizen).await;
    for id in ["idea-a", "idea-b"] {
        fac.apply(Op::CreateNote {
            id: id.into(),
            x: 0.0,
            y: 0.0,
            color: Color::Yellow,
            text: format!("Forslag {id}"),
        })
        .await
        .unwrap();
    }
    let open = |id: &str| {
        f(FacilOp::VoteOpen {
            id: id.into(),
            items: vec!["idea-a".into(), "idea-b".into()],
            dots: 3,
            by_role: false,
        })
    };
    fac.apply(open("v1")).await.unwrap();
    fac.until_saved().await.unwrap();
    converge(&mut [&mut fac, &mut cit], WAIT).await.unwrap();

    // Offline, then back while v1 is still open: the dots count.
    cit.drop_connection();
    cit.connect(&s.ws_url()).await.unwrap();
    cit.command(Command::Vote {
        item: "idea-a".into(),
        dots: 2,
        vote: "v1".into(),
    })
    .await
    .unwrap();
    cit.pump_until(WAIT, |c| c.session.private().dots_used() == 2)
        .await
        .unwrap();
    fac.command(Command::RevealVotes).await.unwrap();
    fac.pump_until(WAIT, |c| {
        c.board().facilitation().vote.state == VoteState::Revealed
    })
    .await
    .unwrap();
    let v1 = fac.board().facilitation().vote;
    assert_eq!(
        (v1.results[0].item.as_str(), v1.results[0].total),
        ("idea-a", 2)
    );

    // v2 opens; the citizen goes offline and gives dots for it; v2 is
    // revealed and v3 opened on the same notes before she is back.
    fac.apply(open("v2")).await.unwrap();
    fac.until_saved().await.unwrap();
    converge(&mut [&mut fac, &mut cit], WAIT).await.unwrap();
    cit.drop_connection();
    fac.command(Command::RevealVotes).await.unwrap();
    fac.pump_until(WAIT, |c| {
        c.board().facilitation().vote.state == VoteState::Revealed
    })
    .await
    .unwrap();
    fac.apply(open("v3")).await.unwrap();
    fac.until_saved().await.unwrap();
    cit.connect(&s.ws_url()).await.unwrap();
    cit.command(Command::Vote {
        item: "idea-b".into(),
        dots: 3,
        vote: "v2".into(),
    })
    .await
    .unwrap();
    cit.pump_until(WAIT, |c| !c.refusals.is_empty())
        .await
        .unwrap();
    assert_eq!(cit.refusals[0].reason, ErrorReason::TooLate);
    assert!(
        cit.refusals[0].message.contains("closed"),
        "{}",
        cit.refusals[0].message
    );
    // Not counted in v3, and the connection is still there to vote in it.
    for _ in 0..10 {
        cit.pump_once(Duration::from_millis(30)).await.unwrap();
    }
    assert!(cit.is_connected(), "a late dot closes nothing");
    assert_eq!(cit.session.private().dots_used(), 0);
    cit.command(Command::Vote {
        item: "idea-b".into(),
        dots: 1,
        vote: "v3".into(),
    })
    .await
    .unwrap();
    cit.pump_until(WAIT, |c| c.session.private().dots_used() == 1)
        .await
        .unwrap();
    assert_eq!(cit.refusals.len(), 1);
    fac.command(Command::RevealVotes).await.unwrap();
    fac.pump_until(WAIT, |c| {
        let v = c.board().facilitation().vote;
        v.id == "v3" && v.state == VoteState::Revealed
    })
    .await
    .unwrap();
    let v3 = fac.board().facilitation().vote;
    let b_total = v3
        .results
        .iter()
        .find(|t| t.item == "idea-b")
        .unwrap()
        .total;
    assert_eq!(b_total, 1, "only the dot given for v3: {v3:?}");
}
