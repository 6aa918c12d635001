"""One search for an alternating path in a round's matching (Edmonds' blossom algorithm).

Neighbours are every allowed member, so the graph searched is the full constraint graph; the
search gives up when its work budget (neighbour checks) runs out. Standard library only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

NO_ONE: frozenset[int] = frozenset()


class BlossomSearch:
    """Finds and applies an alternating path from ``root``, changing ``mate`` in place.

    The path ends at an unmatched member of ``exposed`` (the matching grows by one) or, with
    ``is_target``, at a matched member for whom it holds, who is unmatched afterwards.
    """

    def __init__(
        self,
        mate: list[int],
        forbidden: dict[int, set[int]],
        root: int,
        exposed: list[int],
        is_target: Callable[[int], bool] | None,
        budget: int,
    ) -> None:
        n = len(mate)
        self.mate, self.forbidden, self.root = mate, forbidden, root
        self.exposed, self.exposed_set, self.is_target = exposed, set(exposed), is_target
        self.budget = budget
        self.parent = [-1] * n
        self.base = list(range(n))
        self.used = [False] * n
        self.used[root] = True
        self.tree = [root]
        self.queue = deque([root])

    def run(self) -> bool:
        """Return whether a path was found and applied (False also when the budget ran out)."""
        if self.reached(self.root):
            return True
        n = len(self.mate)
        while self.queue:
            v = self.queue.popleft()
            self.budget -= n
            if self.budget <= 0:
                return False
            found = self._scan(v)
            if found is not None:
                return found
        return False

    def _scan(self, v: int) -> bool | None:
        """Look at every allowed neighbour of v: True or False ends the search, None goes on."""
        mate, base, parent, root = self.mate, self.base, self.parent, self.root
        mine = self.forbidden.get(v, NO_ONE)
        for to in range(len(mate)):
            if to == v or to in mine or base[v] == base[to] or mate[v] == to:
                continue
            if to == root or (mate[to] >= 0 and parent[mate[to]] >= 0):
                found = self._contract(v, to)
            elif parent[to] < 0:
                found = self._grow(v, to)
            else:
                continue
            if found is not None:
                return found
        return None

    def _contract(self, v: int, to: int) -> bool | None:
        """Shrink the blossom closed by the edge v-to into its base; True if a path ends."""
        current = self._lca(v, to)
        blossom: set[int] = set()
        self._mark_path(v, current, to, blossom)
        self._mark_path(to, current, v, blossom)
        self.budget -= len(self.tree)
        if self.budget <= 0:
            return False
        base, used = self.base, self.used
        for i in self.tree:
            if base[i] in blossom:
                base[i] = current
                if not used[i]:
                    used[i] = True
                    self.queue.append(i)
                    if self.reached(i):
                        return True
        return None

    def _grow(self, v: int, to: int) -> bool | None:
        """Add to (and its partner) to the tree; True if that ends a path."""
        mate = self.mate
        self.parent[to] = v
        self.tree.append(to)
        if mate[to] < 0:
            if to in self.exposed_set:
                self._flip(to)
                return True
            return None
        w = mate[to]
        self.used[w] = True
        self.tree.append(w)
        self.queue.append(w)
        return True if self.reached(w) else None

    def reached(self, w: int) -> bool:
        """Finish the search if the new outer vertex w ends an alternating path."""
        mate, parent, root = self.mate, self.parent, self.root
        if self.is_target is not None and w != root and self.is_target(w):
            end = mate[w]
            mate[w] = -1
            self._flip(end)
            return True
        mine = self.forbidden.get(w, NO_ONE)
        for z in self.exposed:
            if z != root and parent[z] < 0 and z not in mine:
                parent[z] = w
                self._flip(z)
                return True
        return False

    def _flip(self, end: int) -> None:
        mate, parent = self.mate, self.parent
        while end >= 0:
            pv = parent[end]
            ppv = mate[pv]
            mate[end] = pv
            mate[pv] = end
            end = ppv

    def _lca(self, a: int, b: int) -> int:
        base, mate, parent = self.base, self.mate, self.parent
        path: set[int] = set()
        while True:
            a = base[a]
            path.add(a)
            if mate[a] < 0:
                break
            a = parent[mate[a]]
        while True:
            b = base[b]
            if b in path:
                return b
            b = parent[mate[b]]

    def _mark_path(self, v: int, b: int, child: int, blossom: set[int]) -> None:
        base, mate, parent = self.base, self.mate, self.parent
        while base[v] != b:
            blossom.add(base[v])
            blossom.add(base[mate[v]])
            parent[v] = child
            child = mate[v]
            v = parent[mate[v]]
