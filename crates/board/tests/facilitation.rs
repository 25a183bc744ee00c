//! Facilitation state and outcomes: conflict rules, late joiners, the
//! concreteness check, the balance by role group, and what the server's
//! guard sees in a change.
use automerge::ReadDoc;
use samskab_board::facilitation::{
    ActionStatus, FacilOp, Group, OutcomeOp, RoundState, TimerState, Vote, VoteState,
    extension_genesis_hash, guarded_writes, mixed_groups, mixed_order, validate_extension,
};
use samskab_board::{Board, Color, Ctx, Op, RoleGroup, validate};

const T0: i64 = 1_700_000_000_000;

fn f(act: FacilOp) -> Op {
    Op::Facilitate { act }
}

fn o(act: OutcomeOp) -> Op {
    Op::Outcome { act }
}

fn merge(a: &mut Board, b: &mut Board) {
    a.doc_mut().merge(b.doc_mut()).unwrap();
    b.doc_mut().merge(a.doc_mut()).unwrap();
}

fn base() -> Board {
    Board::create(&[1; 16], "Møde", &Ctx::new("fac", T0)).unwrap()
}

fn fork(b: &mut Board, actor: u8) -> Board {
    Board::load(&b.save(), &[actor; 16]).unwrap()
}

#[test]
fn two_facilitators_starting_a_timer_at_once_get_one_whole_timer() {
    let mut a = base();
    let mut b = fork(&mut a, 2);
    a.apply(
        &f(FacilOp::TimerStart {
            duration_ms: 300_000,
            label: "Idéer".into(),
        }),
        &Ctx::new("anna", T0),
    )
    .unwrap();
    b.apply(
        &f(FacilOp::TimerStart {
            duration_ms: 60_000,
            label: "Runde".into(),
        }),
        &Ctx::new("bo", T0 + 5),
    )
    .unwrap();
    merge(&mut a, &mut b);
    let (ta, tb) = (a.facilitation().timer, b.facilitation().timer);
    assert_eq!(ta, tb);
    // One of the two, never a mix of the two.
    assert!(
        (ta.label == "Idéer" && ta.ends_at == T0 + 300_000)
            || (ta.label == "Runde" && ta.ends_at == T0 + 5 + 60_000),
        "{ta:?}"
    );
    // Both replicas made the extension genesis: it is one and the same change.
    assert_eq!(
        a.doc_mut().get_changes(&[]).len(),
        b.doc_mut().get_changes(&[]).len()
    );
    validate(&a, &Default::default()).unwrap();
}

#[test]
fn pause_and_extend_at_once_leave_a_consistent_timer() {
    let mut a = base();
    a.apply(
        &f(FacilOp::TimerStart {
            duration_ms: 600_000,
            label: String::new(),
        }),
        &Ctx::new("anna", T0),
    )
    .unwrap();
    let mut b = fork(&mut a, 2);
    a.apply(&f(FacilOp::TimerPause), &Ctx::new("anna", T0 + 100_000))
        .unwrap();
    b.apply(
        &f(FacilOp::TimerExtend { ms: 120_000 }),
        &Ctx::new("bo", T0 + 100_000),
    )
    .unwrap();
    merge(&mut a, &mut b);
    let t = a.facilitation().timer;
    assert_eq!(t, b.facilitation().timer);
    match t.state {
        TimerState::Paused => assert_eq!(t.remaining(T0 + 900_000), 500_000),
        TimerState::Running => assert_eq!(t.ends_at, T0 + 720_000),
        TimerState::Stopped => panic!("nobody stopped it"),
    }
}

#[test]
fn a_participant_who_joins_mid_way_sees_the_timer_and_the_round_right() {
    let mut fac = base();
    let c = |t| Ctx::new("fac", T0 + t);
    fac.apply(
        &f(FacilOp::TimerStart {
            duration_ms: 600_000,
            label: "Runde".into(),
        }),
        &c(0),
    )
    .unwrap();
    let order = mixed_order(&[
        ("c1".into(), RoleGroup::Citizen),
        ("c2".into(), RoleGroup::Citizen),
        ("p1".into(), RoleGroup::Politician),
        ("a1".into(), RoleGroup::Administrator),
    ]);
    assert_eq!(order, ["c1", "p1", "a1", "c2"]);
    fac.apply(
        &f(FacilOp::RoundStart {
            id: "r1".into(),
            question: "Hvornår skal borgerne inddrages?".into(),
            order,
            turn_ms: 90_000,
        }),
        &c(1_000),
    )
    .unwrap();
    fac.apply(&f(FacilOp::RoundNext { passed: false }), &c(80_000))
        .unwrap();
    fac.apply(&f(FacilOp::RoundNext { passed: true }), &c(90_000))
        .unwrap();
    fac.apply(&f(FacilOp::TimerPause), &c(100_000)).unwrap();
    fac.apply(&f(FacilOp::TimerResume), &c(130_000)).unwrap();

    // Someone opens the board two minutes later, from the saved document.
    let late = Board::load(&fac.save(), &[7; 16]).unwrap();
    let now = T0 + 150_000;
    let v = late.facilitation();
    // 600 s, of which 100 s ran, then a 30 s pause, then 20 s more ran.
    assert_eq!(v.timer.remaining(now), 480_000);
    assert_eq!(v.round.state, RoundState::Running);
    assert_eq!(v.round.speaker(), Some("a1"));
    assert_eq!(v.round.next(), Some("c2"));
    assert_eq!(v.round.turn_remaining(now), 30_000);
    assert_eq!(v.round.turns.len(), 2);
    assert!(!v.round.turns[0].passed && v.round.turns[1].passed);
    // A note c1 wrote during their turn is attributed to it; a1's note now to the current turn.
    assert_eq!(v.round.turn_of("c1", T0 + 40_000), Some(0));
    assert_eq!(v.round.turn_of("a1", T0 + 95_000), Some(2));
    assert_eq!(v.round.turn_of("c2", T0 + 95_000), None);
}

#[test]
fn refused_facilitation_ops_change_nothing() {
    let mut b = base();
    let before = b.save();
    for op in [
        f(FacilOp::TimerPause),
        f(FacilOp::RoundNext { passed: false }),
        f(FacilOp::VoteOpen {
            id: "v".into(),
            items: vec![],
            dots: 3,
            by_role: false,
        }),
        f(FacilOp::TimerStart {
            duration_ms: -5,
            label: String::new(),
        }),
        f(FacilOp::SetCurrentItem { id: "nope".into() }),
        o(OutcomeOp::CreateAction {
            id: "a1".into(),
            source: String::new(),
            text: "x".into(),
            owner: String::new(),
            deadline: "next week".into(),
            done_when: String::new(),
        }),
    ] {
        assert!(b.apply(&op, &Ctx::new("fac", T0)).is_err(), "{op:?}");
    }
    // The extension maps may now exist (made outside the refused change), nothing else.
    let v = b.facilitation();
    assert_eq!(v.timer.state, TimerState::Stopped);
    assert!(b.actions().is_empty());
    assert!(before.len() <= b.save().len());
    validate(&b, &Default::default()).unwrap();
}

#[test]
fn concreteness_lists_ideas_without_owner_or_deadline_and_dissent_keeps_every_voice() {
    let mut b = base();
    let c = |p: &str| Ctx::new(p, T0);
    for id in ["n1", "n2", "n3"] {
        b.apply(
            &Op::CreateNote {
                id: id.into(),
                x: 0.0,
                y: 0.0,
                color: Color::Yellow,
                text: "Borgerpanel".into(),
            },
            &c("anna"),
        )
        .unwrap();
    }
    b.apply(
        &o(OutcomeOp::CreateDecision {
            id: "d1".into(),
            text: "Vi inddrager borgerne tidligt".into(),
            items: vec!["n1".into(), "n2".into(), "n3".into()],
        }),
        &c("fac"),
    )
    .unwrap();
    b.apply(
        &o(OutcomeOp::CreateAction {
            id: "a1".into(),
            source: "n1".into(),
            text: "Lav et borgerpanel".into(),
            owner: "Forvaltningen".into(),
            deadline: "2026-03-01".into(),
            done_when: "Panelet har holdt første møde".into(),
        }),
        &c("anna"),
    )
    .unwrap();
    b.apply(
        &o(OutcomeOp::CreateAction {
            id: "a2".into(),
            source: "n2".into(),
            text: "Høring".into(),
            owner: "Borgmesteren".into(),
            deadline: String::new(),
            done_when: String::new(),
        }),
        &c("anna"),
    )
    .unwrap();
    let vague = b.concreteness("d1");
    assert_eq!(vague.len(), 2);
    assert_eq!(vague[0].item, "n2");
    assert!(!vague[0].no_owner && vague[0].no_deadline && !vague[0].no_action);
    assert_eq!(vague[1].item, "n3");
    assert!(vague[1].no_action);
    b.apply(
        &o(OutcomeOp::UpdateAction {
            id: "a2".into(),
            text: None,
            owner: None,
            deadline: Some("2026-04-01".into()),
            done_when: None,
            status: Some(ActionStatus::Doing),
        }),
        &c("bo"),
    )
    .unwrap();
    assert_eq!(b.concreteness("d1").len(), 1);

    // Two people write their dissent at the same time: both are kept, in their words.
    let mut other = fork(&mut b, 3);
    b.apply(
        &o(OutcomeOp::SetDissent {
            id: "d1".into(),
            text: "For sent i processen".into(),
        }),
        &c("citizen-1"),
    )
    .unwrap();
    other
        .apply(
            &o(OutcomeOp::SetDissent {
                id: "d1".into(),
                text: "Borgerne er ikke valgt".into(),
            }),
            &c("politician-1"),
        )
        .unwrap();
    merge(&mut b, &mut other);
    let d = &b.decisions()[0];
    assert_eq!(d.dissent["citizen-1"], "For sent i processen");
    assert_eq!(d.dissent["politician-1"], "Borgerne er ikke valgt");
    assert_eq!(b.decisions(), other.decisions());
    validate(&b, &Default::default()).unwrap();
}

#[test]
fn balance_counts_notes_words_turns_and_votes_by_role_group() {
    let mut b = base();
    for (p, role) in [
        ("c1", RoleGroup::Citizen),
        ("p1", RoleGroup::Politician),
        ("p2", RoleGroup::Politician),
    ] {
        b.apply(
            &Op::SetParticipant {
                name: p.into(),
                role,
                color: "#123".into(),
            },
            &Ctx::new(p, T0),
        )
        .unwrap();
    }
    for (i, (p, text)) in [
        ("p1", "Vi skal spare"),
        ("p1", "Og bygge"),
        ("c1", "Cykelsti"),
    ]
    .iter()
    .enumerate()
    {
        b.apply(
            &Op::CreateNote {
                id: format!("n{i}"),
                x: 0.0,
                y: 0.0,
                color: Color::Yellow,
                text: text.to_string(),
            },
            &Ctx::new(*p, T0),
        )
        .unwrap();
    }
    let fc = Ctx::new("fac", T0);
    b.apply(
        &f(FacilOp::RoundStart {
            id: "r".into(),
            question: "?".into(),
            order: vec!["c1".into(), "p1".into()],
            turn_ms: 1000,
        }),
        &fc,
    )
    .unwrap();
    b.apply(&f(FacilOp::RoundNext { passed: true }), &fc)
        .unwrap();
    b.apply(&f(FacilOp::RoundNext { passed: false }), &fc)
        .unwrap();
    let bal = b.balance();
    let cit = bal.by_role[&RoleGroup::Citizen];
    let pol = bal.by_role[&RoleGroup::Politician];
    assert_eq!(
        (cit.people, cit.notes, cit.words, cit.passes, cit.turns),
        (1, 1, 1, 1, 0)
    );
    assert_eq!((pol.people, pol.notes, pol.words, pol.turns), (2, 2, 5, 1));
    assert_eq!(b.facilitation().round.state, RoundState::Finished);
}

#[test]
fn mixed_groups_mix_role_groups() {
    let people: Vec<(String, RoleGroup)> = [
        ("c1", RoleGroup::Citizen),
        ("c2", RoleGroup::Citizen),
        ("c3", RoleGroup::Citizen),
        ("c4", RoleGroup::Citizen),
        ("p1", RoleGroup::Politician),
        ("p2", RoleGroup::Politician),
        ("a1", RoleGroup::Administrator),
        ("a2", RoleGroup::Administrator),
    ]
    .iter()
    .map(|(a, r)| (a.to_string(), *r))
    .collect();
    let groups = mixed_groups(&people, 2);
    assert_eq!(groups.len(), 4);
    for g in &groups {
        assert_eq!(g.len(), 2);
        assert_ne!(g[0][..1], g[1][..1], "{g:?} is not mixed");
    }
}

fn split(id: &str, groups: &[(&str, &[&str])]) -> Op {
    f(FacilOp::SetGroups {
        id: id.into(),
        groups: groups
            .iter()
            .map(|(g, members)| Group {
                id: g.to_string(),
                name: String::new(),
                members: members.iter().map(|m| m.to_string()).collect(),
                frame: String::new(),
            })
            .collect(),
    })
}

#[test]
fn each_group_gets_its_own_frame_in_the_same_change_and_keeps_it_when_together() {
    let mut b = base();
    let c = Ctx::new("fac", T0);
    b.apply(
        &Op::CreateNote {
            id: "n1".into(),
            x: 100.0,
            y: 50.0,
            color: Color::Yellow,
            text: "Før grupperne".into(),
        },
        &c,
    )
    .unwrap();
    let changes_before = b.doc_mut().get_changes(&[]).len();
    b.apply(
        &split("s1", &[("g1", &["c1", "p1"]), ("g2", &["c2", "a1"])]),
        &c,
    )
    .unwrap();
    assert_eq!(
        b.doc_mut().get_changes(&[]).len(),
        changes_before + 2,
        "the extension genesis and one change with the register and the frames"
    );
    validate(&b, &Default::default()).unwrap();
    let groups = b.facilitation().groups;
    assert_eq!(groups.id, "s1");
    assert!(!groups.together);
    let frames = b.frames();
    assert_eq!(frames.len(), 2);
    for (i, g) in groups.groups.iter().enumerate() {
        let frame = frames.iter().find(|f| f.id == g.frame).expect("its frame");
        assert_eq!(frame.name, format!("Gruppe {}", i + 1));
        // Below the note that was there, not on top of it.
        assert!(frame.y > 50.0 + samskab_board::NOTE_SIZE.1, "{frame:?}");
    }
    assert_ne!(groups.groups[0].frame, groups.groups[1].frame);

    // Notes written in a group's frame stay there when the groups come back together.
    let frame = groups.groups[0].frame.clone();
    b.apply(
        &Op::SetNoteFrame {
            id: "n1".into(),
            frame: Some(frame.clone()),
        },
        &c,
    )
    .unwrap();
    b.apply(&f(FacilOp::GroupsTogether), &c).unwrap();
    let together = b.facilitation().groups;
    assert!(together.together);
    assert_eq!(together.groups, groups.groups);
    assert_eq!(b.frames(), frames);
    assert_eq!(b.note("n1").unwrap().frame, Some(frame));

    // A new split with named groups makes new frames beside the old ones.
    b.apply(
        &f(FacilOp::SetGroups {
            id: "s2".into(),
            groups: vec![Group {
                id: "g1".into(),
                name: "Par 1".into(),
                members: vec!["c1".into(), "a1".into()],
                frame: String::new(),
            }],
        }),
        &c,
    )
    .unwrap();
    let names: Vec<String> = b.frames().into_iter().map(|f| f.name).collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"Par 1".to_string()), "{names:?}");
    // A bad split changes nothing: no frames without a register, nor the reverse.
    let err = b.apply(&split("s3", &[("g1", &["c1"]), ("bad id!", &["p1"])]), &c);
    assert!(err.is_err());
    assert_eq!(b.frames().len(), 3);
    assert_eq!(b.facilitation().groups.id, "s2");
}

#[test]
fn two_facilitators_splitting_at_once_converge_with_every_group_framed() {
    let mut a = base();
    let mut b = fork(&mut a, 2);
    a.apply(
        &split("sa", &[("g1", &["c1", "p1"]), ("g2", &["c2", "p2"])]),
        &Ctx::new("anna", T0),
    )
    .unwrap();
    b.apply(
        &split("sb", &[("g1", &["c1", "c2", "p1", "p2"])]),
        &Ctx::new("bo", T0 + 1),
    )
    .unwrap();
    merge(&mut a, &mut b);
    assert_eq!(a.facilitation().groups, b.facilitation().groups);
    assert_eq!(a.frames(), b.frames());
    validate(&a, &Default::default()).unwrap();
    // Both splits' frames are on the board; the winning register's groups
    // each point at a frame that exists.
    assert_eq!(a.frames().len(), 3);
    let frames: Vec<String> = a.frames().into_iter().map(|f| f.id).collect();
    let winner = a.facilitation().groups;
    assert!(winner.id == "sa" || winner.id == "sb");
    for g in &winner.groups {
        assert!(
            frames.contains(&g.frame),
            "{g:?} has no frame in {frames:?}"
        );
    }
}

#[test]
fn the_guard_sees_every_write_into_facilitation_state() {
    let mut fac = base();
    fac.apply(
        &f(FacilOp::TimerStart {
            duration_ms: 1000,
            label: String::new(),
        }),
        &Ctx::new("fac", T0),
    )
    .unwrap();
    let mut server = fork(&mut fac, 9);
    let before = server.heads();

    // An editor's replica writes the register directly, not through an op.
    let mut editor = fork(&mut fac, 3);
    let (_, facil) = editor
        .doc()
        .get(automerge::ROOT, "facilitation")
        .unwrap()
        .unwrap();
    use automerge::transaction::Transactable;
    editor
        .doc_mut()
        .put(
            &facil,
            "timer",
            r#"{"state":"stopped","duration_ms":0,"ends_at":0,"remaining_ms":0,"label":""}"#,
        )
        .unwrap();
    editor.doc_mut().commit();
    server.doc_mut().merge(editor.doc_mut()).unwrap();
    let w = guarded_writes(&mut server, &before);
    assert!(w.facilitation && !w.outcomes);

    // An outcome op only writes outcomes; a note writes neither.
    let mut server = fork(&mut fac, 9);
    let before = server.heads();
    let mut editor = fork(&mut fac, 4);
    editor
        .apply(
            &o(OutcomeOp::CreateDecision {
                id: "d".into(),
                text: "x".into(),
                items: vec![],
            }),
            &Ctx::new("e", T0),
        )
        .unwrap();
    editor
        .apply(
            &o(OutcomeOp::SetDissent {
                id: "d".into(),
                text: "nej".into(),
            }),
            &Ctx::new("e", T0),
        )
        .unwrap();
    server.doc_mut().merge(editor.doc_mut()).unwrap();
    let w = guarded_writes(&mut server, &before);
    assert!(!w.facilitation && w.outcomes);
    assert_eq!(w.dissent_of.into_iter().collect::<Vec<_>>(), ["e"]);

    // On a board that never had it, the extension genesis alone is not a write.
    let mut fresh = base();
    let mut server = fork(&mut fresh, 9);
    let before = server.heads();
    fresh
        .apply(
            &o(OutcomeOp::CreateAction {
                id: "a".into(),
                source: String::new(),
                text: "x".into(),
                owner: String::new(),
                deadline: String::new(),
                done_when: String::new(),
            }),
            &Ctx::new("e", T0),
        )
        .unwrap();
    assert!(
        fresh
            .doc_mut()
            .get_change_by_hash(&extension_genesis_hash())
            .is_some()
    );
    server.doc_mut().merge(fresh.doc_mut()).unwrap();
    let w = guarded_writes(&mut server, &before);
    assert!(!w.facilitation && w.outcomes);
}

#[test]
fn damaged_registers_and_outcomes_fail_validation() {
    let mut b = base();
    b.apply(
        &f(FacilOp::VoteOpen {
            id: "v".into(),
            items: vec!["n1".into()],
            dots: 3,
            by_role: true,
        }),
        &Ctx::new("fac", T0),
    )
    .unwrap();
    assert!(validate_extension(&b).is_empty());
    let v: Vote = b.vote();
    assert_eq!(v.state, VoteState::Open);
    use automerge::transaction::Transactable;
    let (_, facil) = b
        .doc()
        .get(automerge::ROOT, "facilitation")
        .unwrap()
        .unwrap();
    b.doc_mut().put(&facil, "vote", "{not json").unwrap();
    b.doc_mut().put(&facil, "rogue", "x").unwrap();
    b.doc_mut().commit();
    let v = validate_extension(&b);
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(validate(&b, &Default::default()).is_err());
}

#[test]
fn ops_round_trip_through_json() {
    let op = f(FacilOp::VoteOpen {
        id: "v".into(),
        items: vec!["n1".into()],
        dots: 3,
        by_role: true,
    });
    let json = serde_json::to_string(&op).unwrap();
    assert!(json.contains(r#""op":"facilitate""#) && json.contains(r#""kind":"vote_open""#));
    assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
}

#[test]
fn consent_to_be_named_is_each_participants_own_and_reads_false_when_absent() {
    let mut b = base();
    for p in ["anna", "bo"] {
        b.apply(
            &Op::SetParticipant {
                name: p.to_uppercase(),
                role: RoleGroup::Citizen,
                color: "#123".into(),
            },
            &Ctx::new(p, T0),
        )
        .unwrap();
    }
    // Absent key: no consent, and the board is valid (schema 1 boards load).
    assert!(b.participants().iter().all(|p| !p.named_consent));
    validate(&b, &Default::default()).unwrap();
    // Someone who has not joined cannot consent.
    assert!(
        b.apply(&Op::SetNameConsent { consent: true }, &Ctx::new("eve", T0))
            .is_err()
    );

    let mut server = fork(&mut b, 9);
    let before = server.heads();
    let mut anna = fork(&mut b, 3);
    anna.apply(&Op::SetNameConsent { consent: true }, &Ctx::new("anna", T0))
        .unwrap();
    // Renaming oneself keeps the consent.
    anna.apply(
        &Op::SetParticipant {
            name: "Anna A.".into(),
            role: RoleGroup::Citizen,
            color: "#123".into(),
        },
        &Ctx::new("anna", T0),
    )
    .unwrap();
    server.doc_mut().merge(anna.doc_mut()).unwrap();
    let w = guarded_writes(&mut server, &before);
    assert_eq!(w.consent_of.iter().collect::<Vec<_>>(), ["anna"]);
    assert!(!w.facilitation && !w.outcomes);
    validate(&server, &Default::default()).unwrap();
    let ps = server.participants();
    assert!(ps.iter().find(|p| p.id == "anna").unwrap().named_consent);
    assert!(!ps.iter().find(|p| p.id == "bo").unwrap().named_consent);

    // A replica writing Bo's consent directly is seen as writing Bo's.
    let before = server.heads();
    let mut mallory = fork(&mut server, 4);
    let (_, ps_obj) = mallory
        .doc()
        .get(automerge::ROOT, "participants")
        .unwrap()
        .unwrap();
    let (_, bo) = mallory.doc().get(&ps_obj, "bo").unwrap().unwrap();
    use automerge::transaction::Transactable;
    mallory.doc_mut().put(&bo, "named_consent", true).unwrap();
    mallory.doc_mut().commit();
    server.doc_mut().merge(mallory.doc_mut()).unwrap();
    let w = guarded_writes(&mut server, &before);
    assert_eq!(w.consent_of.iter().collect::<Vec<_>>(), ["bo"]);

    // Not a boolean: invalid.
    let mut bad = fork(&mut server, 5);
    bad.doc_mut().put(&bo, "named_consent", "yes").unwrap();
    bad.doc_mut().commit();
    let err = validate(&bad, &Default::default()).unwrap_err();
    assert!(err.to_string().contains("named_consent"), "{err}");
}
