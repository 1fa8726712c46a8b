"""Checkpoints: the decision Painpath proposes from a patient's signals (care-model.md §7)."""

from painpath.domain.checkpoints.propose import CheckpointProposal, ProposalReason, propose

__all__ = ["CheckpointProposal", "ProposalReason", "propose"]
