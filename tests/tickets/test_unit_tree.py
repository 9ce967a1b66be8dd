"""The unit tree's rule, without a database: the nearest unit up with an approver approves."""

from __future__ import annotations

import pytest

from tickets.services.permissions import UnitTree

# 1 市发改委 (approver) ─┬─ 2 办公室 ── 4 文秘科
#                       └─ 3 规划处 (approver)
# 5 市财政局 (no approver at all) ── 6 预算处
# 7 ⇄ 8: a cycle entered by mistake
TREE = UnitTree(parent={1: None, 2: 1, 3: 1, 4: 2, 5: None, 6: 5, 7: 8, 8: 7}, with_approver=frozenset({1, 3}))


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
