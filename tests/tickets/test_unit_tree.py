"""The unit tree's rule, without a database: the nearest unit up with an approver approves."""

from __future__ import annotations

import pytest

from tickets.services.permissions import UnitTree

# 1 市发改委 (approver) ─┬─ 2 办公室 ── 4 文秘科
#                       └─ 3 规划处 (approver)
# 5 市财政局 (no approver at all) ── 6 预算处
# 7 ⇄ 8: a cycle entered by mistake
TREE = UnitTree(
    parent={1: None, 2: 1, 3: 1, 4: 2, 5: None, 6: 5, 7: 8, 8: 7},
    approvers={1: frozenset({10, 11}), 3: frozenset({30})},
)


@pytest.mark.parametrize(
    ("unit", "approving"),
    [(1, 1), (2, 1), (4, 1), (3, 3), (5, None), (6, None), (7, None), (None, None), (99, None)],
)
def test_nearest_unit_with_an_approver_approves(unit, approving):
    assert TREE.approving_unit(unit) == approving


def test_subtree_and_chain():
    assert TREE.subtree(1) == {1, 2, 3, 4}
    assert TREE.subtree(2) == {2, 4}
    assert TREE.chain(4) == [4, 2, 1]
    assert TREE.chain(7) == [7, 8]  # the walk stops at the cycle


def test_an_approver_never_approves_their_own_application():
    assert TREE.approvers_for(4, requester_id=99) == {10, 11}
    assert TREE.approvers_for(2, requester_id=10) == {11}  # a colleague approves
    assert TREE.approvers_for(3, requester_id=30) is None  # alone in the unit: the bureau stands in
    assert TREE.approvers_for(6, requester_id=99) is None  # nobody up the tree: the bureau stands in
