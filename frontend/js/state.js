// The client's copy of the roundtable: a snapshot plus events applied in seq order.
// Mirrors tests/support/state.py, which checks that events applied to a snapshot equal a new snapshot.
// Every event carries absolute values (a whole proposal, a whole tally), so applying one twice is harmless.

export function fromSnapshot(frame) {
  const proposals = new Map();
  for (const proposal of frame.proposals) proposals.set(proposal.id, { ...proposal });
  return {
    seq: frame.seq,
    roundtable: frame.roundtable,
    questions: new Map(frame.questions.map((q) => [q.id, { ...q }])),
    proposals,
    participants: frame.participants,
    me: frame.me,
  };
}

const handlers = {
  "participant.joined"(state, data) {
    state.participants = data.participants;
  },
  "proposal.submitted"(state, data) {
    const previous = state.proposals.get(data.proposal.id);
    state.proposals.set(data.proposal.id, {
      ...data.proposal,
      mine: Boolean(data.mine) || Boolean(previous?.mine),
      my_vote: previous?.my_vote ?? null,
    });
  },
  "vote.cast"(state, data) {
    const proposal = state.proposals.get(data.proposal);
    if (!proposal) return;
    proposal.tally = data.tally;
    if (data.my_vote) proposal.my_vote = data.my_vote;
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
