// The client's copy of the roundtable: a snapshot plus events applied in seq order.
// Mirrors tests/support/state.py, which checks that events applied to a snapshot equal a new snapshot.
// Every event carries absolute values (a whole proposal, a whole tally), so applying one twice is harmless.

export function fromSnapshot(frame) {
  const proposals = new Map();
  for (const proposal of frame.proposals) proposals.set(proposal.id, { ...proposal });
  return {
    seq: frame.seq,
    roundtable: { ...frame.roundtable },
    questions: new Map(frame.questions.map((q) => [q.id, { ...q }])),
    proposals,
    participants: frame.participants,
    me: frame.me,
    themes: new Map(frame.themes.map((entry) => [entry.question, entry.themes])),
    opinions: new Map(frame.opinions.map((entry) => [entry.question, entry.opinions])),
    // Moderators' hints only: absent from other people's snapshots.
    duplicates: frame.duplicates ? new Map(frame.duplicates.map((entry) => [entry.question, entry.pairs])) : null,
    balance: frame.balance,
    statements: new Map(frame.statements.map((item) => [item.id, item])),
    publications: [...frame.publications],
    // The run of show (null without a plan); every change to it comes whole in run_of_show.updated.
    runOfShow: frame.run_of_show ?? null,
    // Moderators' drafting only: absent from other people's snapshots.
    drafts: frame.drafts ? new Map(frame.drafts.map((item) => [item.question, item])) : null,
    commitments: frame.commitments ? new Map(frame.commitments.map((item) => [item.question, item.items])) : null,
  };
}

// Themes list what the public sees: a proposal that stops being visible leaves its theme at once
// (it comes back, if restored, at the next analysis run).
function leaveThemes(state, id) {
  for (const [question, themes] of state.themes) {
    if (!themes.some((theme) => theme.proposals.includes(id))) continue;
    state.themes.set(
      question,
      themes
        .map((theme) => ({ ...theme, proposals: theme.proposals.filter((member) => member !== id) }))
        .filter((theme) => theme.proposals.length > 0),
    );
  }
}

// A proposal as the event shows it to this viewer; null means it is not theirs to see (any more).
function setProposal(state, id, view, personal) {
  if (view === null || view === undefined) {
    state.proposals.delete(id);
    leaveThemes(state, id);
    return;
  }
  if (view.status !== "visible") leaveThemes(state, id);
  const previous = state.proposals.get(id) ?? {};
  state.proposals.set(id, {
    ...view,
    mine: Boolean(personal.mine ?? previous.mine ?? false),
    my_vote: "my_vote" in personal ? personal.my_vote : (previous.my_vote ?? null),
    my_flag: Boolean(personal.my_flag ?? previous.my_flag ?? false),
  });
}

// A room check's text and counts; the viewer's own answer comes only in their own copy.
function setStatement(state, statement) {
  const previous = state.statements.get(statement.id) ?? {};
  state.statements.set(statement.id, {
    ...statement,
    my_response: "my_response" in statement ? statement.my_response : (previous.my_response ?? null),
  });
}

const handlers = {
  "participant.joined"(state, data) {
    state.participants = data.participants;
  },
  "proposal.submitted"(state, data) {
    setProposal(state, data.id, data.proposal, data);
  },
  "proposal.updated"(state, data) {
    setProposal(state, data.id, data.proposal, data);
  },
  "proposal.merged"(state, data) {
    // Votes always leave a merged proposal; some follow to the survivor.
    setProposal(state, data.id, data.proposal, { ...data, my_vote: null });
    const survivor = "survivor_my_vote" in data ? { my_vote: data.survivor_my_vote } : {};
    setProposal(state, data.into, data.survivor, survivor);
  },
  "vote.cast"(state, data) {
    const proposal = state.proposals.get(data.proposal);
    if (!proposal) return;
    proposal.tally = data.tally;
    if (data.my_vote) proposal.my_vote = data.my_vote;
  },
  "question.updated"(state, data) {
    state.questions.set(data.question.id, { ...data.question });
    state.roundtable.current_question = data.current_question;
    for (const [id, view] of Object.entries(data.proposals ?? {})) setProposal(state, Number(id), view, {});
    // Tallies shown or hidden: the opinion map with or without its per-proposal figures.
    if ("opinions" in data) state.opinions.set(data.question.id, data.opinions);
  },
  "participant.anonymised"(state, data) {
    for (const [id, view] of Object.entries(data.proposals)) setProposal(state, Number(id), view, {});
  },
  "participant.erased"(state, data) {
    for (const [id, view] of Object.entries(data.proposals)) setProposal(state, Number(id), view, {});
    state.participants = data.participants;
    for (const statement of data.statements ?? []) setStatement(state, statement);
  },
  "themes.updated"(state, data) {
    state.themes.set(data.question, data.themes);
    if (state.duplicates && "duplicates" in data) state.duplicates.set(data.question, data.duplicates);
  },
  "opinions.updated"(state, data) {
    state.opinions.set(data.question, data.opinions);
    state.balance = data.balance;
  },
  "balance.updated"(state, data) {
    state.balance = data.balance;
  },
  "roundtable.updated"(state, data) {
    state.roundtable.current_question = data.current_question;
  },
  "draft.updated"(state, data) {
    if (state.drafts && data.draft) state.drafts.set(data.question, data.draft);
  },
  "commitments.updated"(state, data) {
    if (state.commitments && data.commitments) state.commitments.set(data.question, data.commitments);
  },
  "statement.updated"(state, data) {
    setStatement(state, data.statement);
  },
  "publication.created"(state, data) {
    state.publications.push(data.publication);
  },
  "run_of_show.updated"(state, data) {
    // The whole run of show; staff copies also carry what the audit log lists, which is not part of it.
    if (!data) {
      state.runOfShow = null;
      return;
    }
    const { audit: _audit, ...show } = data;
    state.runOfShow = show;
  },
};

// Applies one event of an `events` frame ({seq, kind, data}). Returns the kind applied, or null for a
// kind this client doesn't know (a newer server): it is skipped, but its seq still counts.
export function applyEvent(state, event) {
  state.seq = event.seq;
  const handler = handlers[event.kind];
  if (!handler) return null;
  handler(state, event.data);
  return event.kind;
}
