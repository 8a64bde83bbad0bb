"""Group the comments on each article by what they ask for.

    groups = group(comments, constraints=Constraints(together=[{"c1", "c9"}], apart=[({"c3"}, {"c4"})]))

Steps, per article:
1. Near-duplicates collapse first, cheaply: equal folded content (case, diacritics, punctuation,
   courtesy and numbering ignored), then MinHash/LSH over word shingles (a mass campaign with a
   few words changed or a signature added). Each such collapse is one *unit*.
2. Units are compared by the cosine of their feature vectors (features.py) and clustered by
   average linkage, cut at a distance threshold; big articles are clustered in blocks first and
   the blocks' clusters clustered again, so memory stays bounded.
3. Staff decisions are constraints: `together` sets become one unit before anything else;
   `apart` pairs are never merged (a dendrogram node holding both sides is split into its
   children instead); `closed` groups are kept exactly as they are, nobody joins them.
Outliers stay as groups of their own: nothing is dropped. Each group names a representative: the
member closest to the group's centroid.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import squareform
from sklearn.preprocessing import normalize

from vanphong.consultation.engine.features import Analysed, analyse, near_duplicate_key, prepare, vectorise
from vanphong.consultation.engine.text import AccentRestorer

CommentId = Hashable

#: Average-linkage cosine distance under which two clusters ask for the same thing.
DISTANCE_THRESHOLD = 0.78
#: Jaccard similarity of word 3-shingles above which two texts are copies of one text.
NEAR_DUPLICATE_JACCARD = 0.75
#: Most units clustered at once (a dense distance matrix of this size is ~100 MB).
BLOCK = 3000


@dataclass(frozen=True)
class Comment:
    id: CommentId
    article: str
    text: str


@dataclass
class Group:
    article: str
    members: list[CommentId]
    representative: CommentId
    representative_text: str
    closed: bool = False

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class Constraints:
    """Staff decisions that a re-run must keep.

    together: each set of comment ids ends in one group (a merge; a move is the moved comment
        together with its new group).
    apart: for each pair of sets, no group holds members of both (a split; a move also puts the
        moved comment apart from its old group).
    closed: groups staff have settled: exactly these members, no other comment joins them.
    """

    together: Sequence[Collection[CommentId]] = ()
    apart: Sequence[tuple[Collection[CommentId], Collection[CommentId]]] = ()
    closed: Sequence[Collection[CommentId]] = ()


class ConstraintConflict(ValueError):
    """The constraints contradict each other (two comments must be both together and apart)."""


Progress = Callable[[int, int], None]


def group(comments: Sequence[Comment], constraints: Constraints | None = None, *,
          threshold: float = DISTANCE_THRESHOLD, progress: Progress | None = None) -> list[Group]:
    """Groups of all `comments` (each comment in exactly one), articles in order of first
    appearance, within an article the biggest group first. `progress(done, total)` is called
    after each article."""
    constraints = constraints or Constraints()
    ids = [c.id for c in comments]
    if len(set(ids)) != len(ids):
        raise ValueError("comment ids must be unique")
    index = {cid: i for i, cid in enumerate(ids)}
    unknown = [cid for s in _all_sets(constraints) for cid in s if cid not in index]
    if unknown:
        raise ValueError(f"constraints name comments that are not given: {sorted(map(str, unknown))[:5]}")

    analysed = _analyse_all(comments)
    links = _Links(ids)
    for members in constraints.closed:
        links.close([index[c] for c in members])
    for left, right in constraints.apart:
        for a in left:
            for b in right:
                links.forbid(index[a], index[b])
    for members in constraints.together:
        positions = [index[c] for c in members]
        for p in positions[1:]:
            if not links.union(positions[0], p):
                raise ConstraintConflict(f"comments {ids[positions[0]]} and {ids[p]} are asked to be both together and apart"
                                         " (or one of them is in a closed group)")

    by_article: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(comments):
        by_article[c.article].append(i)

    for positions in by_article.values():
        _collapse_near_duplicates([i for i in positions if not links.is_closed(i)], analysed, links)
    # One vector space for the whole consultation: term weights learnt from every comment.
    roots = sorted({links.find(i) for i in range(len(comments)) if not links.is_closed(i)})
    row_of = {r: k for k, r in enumerate(roots)}
    vectors = vectorise([comments[r].text for r in roots], [analysed[r] for r in roots]) if roots else None

    groups: list[Group] = []
    for done, (article, positions) in enumerate(by_article.items(), 1):
        free = [i for i in positions if not links.is_closed(i)]
        labels = _cluster_units(free, vectors, row_of, links, threshold)
        members_of: dict[int, list[int]] = defaultdict(list)
        for i in positions:
            if links.is_closed(i):
                members_of[-1 - links.find(i)].append(i)  # closed groups keep their own keys
            else:
                members_of[labels[links.find(i)]].append(i)
        article_groups = [
            _make_group(article, members, comments, links, vectors, row_of, closed=key < 0) for key, members in members_of.items()]
        article_groups.sort(key=lambda g: (-g.size, index[g.members[0]]))
        groups.extend(article_groups)
        if progress:
            progress(done, len(by_article))
    return groups


def _analyse_all(comments: Sequence[Comment]) -> list[Analysed]:
    """Each distinct text analysed once (campaigns repeat texts verbatim); texts typed without
    diacritics get them back from what the accented comments of this consultation say."""
    prepared = {}
    for c in comments:
        if c.text not in prepared:
            prepared[c.text] = prepare(c.text)
    restorer = None
    if any(not p.diacritics for p in prepared.values()):
        accented = [p.syllables for p in prepared.values() if p.diacritics][:_RESTORER_SAMPLE]
        restorer = AccentRestorer().learn(accented) if accented else None
    analysed = {text: analyse(p, restorer) for text, p in prepared.items()}
    return [analysed[c.text] for c in comments]


#: Accented texts the restorer learns from: enough for the words of one consultation, bounded in time.
_RESTORER_SAMPLE = 10_000


def labels_of(groups: Iterable[Group]) -> dict[CommentId, int]:
    """Comment id → number of its group (0, 1, …, in the order given)."""
    return {cid: n for n, g in enumerate(groups) for cid in g.members}


def _all_sets(constraints: Constraints) -> Iterable[Collection[CommentId]]:
    yield from constraints.together
    yield from constraints.closed
    for left, right in constraints.apart:
        yield left
        yield right


# ---- union-find that refuses forbidden unions ------------------------------------------------------------------


class _Links:
    def __init__(self, ids: list[CommentId]):
        self.ids = ids  # for messages
        self.parent = list(range(len(ids)))
        self.forbidden: dict[int, set[int]] = {}  # root → roots it may never join
        self.closed_roots: set[int] = set()

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def forbid(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            raise ConstraintConflict(f"comments {self.ids[a]} and {self.ids[b]} are asked to be both together and apart")
        self.forbidden.setdefault(ra, set()).add(rb)
        self.forbidden.setdefault(rb, set()).add(ra)

    def may_join(self, ra: int, rb: int) -> bool:
        return rb not in self.forbidden.get(ra, ()) and ra not in self.closed_roots and rb not in self.closed_roots

    def union(self, a: int, b: int, *, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and not self.may_join(ra, rb):
            return False
        if rb in self.forbidden.get(ra, ()):
            return False
        self.parent[rb] = ra
        moved = self.forbidden.pop(rb, set())
        if moved:
            mine = self.forbidden.setdefault(ra, set())
            for other in moved:
                mine.add(other)
                peers = self.forbidden[other]
                peers.discard(rb)
                peers.add(ra)
        return True

    def close(self, positions: list[int]) -> None:
        for p in positions[1:]:
            if not self.union(positions[0], p, force=True):
                raise ConstraintConflict("a closed group holds comments that are asked to be apart")
        self.closed_roots.add(self.find(positions[0]))

    def is_closed(self, i: int) -> bool:
        return self.find(i) in self.closed_roots


# ---- near duplicates -------------------------------------------------------------------------------------------


def _collapse_near_duplicates(positions: list[int], analysed, links: _Links) -> None:
    first_of: dict[str, int] = {}
    for i in positions:
        key = near_duplicate_key(analysed[i])
        if key in first_of:
            links.union(first_of[key], i)
        else:
            first_of[key] = i
    distinct = list(first_of.values())
    if len(distinct) < 2:
        return
    candidates, shingle_sets = [], []
    for i in distinct:
        tokens = analysed[i].folded
        shingles = {" ".join(tokens[k:k + 3]) for k in range(max(1, len(tokens) - 2))}
        if len(shingles) >= 4:  # short texts: one changed word is a different request
            candidates.append(i)
            shingle_sets.append(shingles)
    if len(candidates) < 2:
        return
    signatures = minhash_signatures(shingle_sets)
    # 16 bands of 4 rows: pairs at Jaccard 0.75 share a band with probability 0.998; each pair found
    # is then checked on the whole signature.
    for band in range(0, _PERMUTATIONS, 4):
        keys = np.ascontiguousarray(signatures[:, band:band + 4]).view(np.dtype((np.void, 32))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, len(keys)])
        for start, size in zip(starts[sizes > 1], sizes[sizes > 1]):
            bucket = order[start:start + size]
            agreement = np.count_nonzero(signatures[bucket[1:]] == signatures[bucket[0]], axis=1) / _PERMUTATIONS
            for other in bucket[1:][agreement >= NEAR_DUPLICATE_JACCARD]:
                links.union(candidates[bucket[0]], candidates[other])


_PERMUTATIONS = 64
_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20240611)
_A = _rng.integers(1, (1 << 31) - 1, size=_PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, (1 << 31) - 1, size=_PERMUTATIONS, dtype=np.uint64)


def minhash_signatures(shingle_sets: list[set[str]]) -> np.ndarray:
    """MinHash signatures (one row per set, `_PERMUTATIONS` columns): CRC-32 of each shingle through
    the random affine maps (a·x + b) mod 2⁶¹−1, minimum per set; all sets at once in numpy."""
    lengths = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    hashes = np.fromiter((zlib.crc32(x.encode()) for s in shingle_sets for x in s), dtype=np.uint64,
                         count=int(lengths.sum()))
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    signatures = np.empty((len(shingle_sets), _PERMUTATIONS), dtype=np.uint64)
    for column in range(_PERMUTATIONS):
        permuted = (hashes * _A[column] + _B[column]) % _MERSENNE  # x < 2³², a < 2³¹: no overflow
        signatures[:, column] = np.minimum.reduceat(permuted, starts)
    return signatures


# ---- clustering ------------------------------------------------------------------------------------------------


def _cluster_units(positions: list[int], all_vectors, row_of: dict[int, int], links: _Links,
                   threshold: float) -> dict[int, int]:
    """Root of each unit → cluster label."""
    roots = sorted({links.find(i) for i in positions})
    if not roots:
        return {}
    sizes: dict[int, int] = defaultdict(int)
    for i in positions:
        sizes[links.find(i)] += 1
    vectors = all_vectors[[row_of[r] for r in roots]]
    weights = np.array([sizes[r] for r in roots], dtype=np.float64)
    slot = {r: k for k, r in enumerate(roots)}
    conflicts = set()
    for r in roots:
        for other in links.forbidden.get(r, ()):
            if other in slot and slot[r] < slot[other]:
                conflicts.add((slot[r], slot[other]))
    labels = _cluster(vectors, weights, conflicts, threshold)
    return {r: int(labels[k]) for k, r in enumerate(roots)}


def _cluster(vectors, weights: np.ndarray, conflicts: set[tuple[int, int]], threshold: float) -> np.ndarray:
    """Cluster label of each row. Above BLOCK rows: cluster blocks, then their clusters' centroids."""
    n = vectors.shape[0]
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    if n <= BLOCK:
        return _cluster_block(vectors, conflicts, threshold)
    labels = np.empty(n, dtype=np.int64)
    offset = 0
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        inner = {(a - start, b - start) for a, b in conflicts if start <= a < stop and start <= b < stop}
        block_labels = _cluster_block(vectors[start:stop], inner, threshold)
        labels[start:stop] = block_labels + offset
        offset += int(block_labels.max()) + 1
    if offset == n:  # nothing merged: blocks cannot shrink further
        return labels
    centroids, centroid_weights = _centroids(vectors, weights, labels, offset)
    lifted = {(min(labels[a], labels[b]), max(labels[a], labels[b])) for a, b in conflicts if labels[a] != labels[b]}
    top = _cluster(centroids, centroid_weights, lifted, threshold)
    return top[labels]


def _centroids(vectors, weights, labels, count):
    assign = sparse.csr_matrix((weights, (labels, np.arange(len(labels)))), shape=(count, len(labels)))
    centroids = normalize(assign @ vectors)
    return centroids, np.asarray(assign.sum(axis=1)).ravel()


def _cluster_block(vectors, conflicts: set[tuple[int, int]], threshold: float) -> np.ndarray:
    n = vectors.shape[0]
    similarity = (vectors @ vectors.T).toarray() if hasattr(vectors, "toarray") else vectors @ vectors.T
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    return _constrained_cut(tree, n, conflicts, threshold, distance)


def _constrained_cut(tree: np.ndarray, n: int, conflicts: set[tuple[int, int]], threshold: float,
                     distance: np.ndarray) -> np.ndarray:
    """Flat clusters: the highest nodes under the threshold; a node that holds a forbidden pair is
    shared out again (see `_share_out`)."""
    parent = np.full(2 * n - 1, -1, dtype=np.int64)
    for k, (a, b, _, _) in enumerate(tree):
        parent[int(a)] = parent[int(b)] = n + k
    tainted = np.zeros(2 * n - 1, dtype=bool)  # nodes holding a forbidden pair
    for a, b in conflicts:
        ancestors = set()
        node = a
        while node != -1:
            ancestors.add(node)
            node = parent[node]
        node = b
        while node not in ancestors:
            node = parent[node]
        while node != -1 and not tainted[node]:  # the lowest common ancestor and all above it
            tainted[node] = True
            node = parent[node]
    labels = np.empty(n, dtype=np.int64)
    next_label = 0
    stack = [2 * n - 2]
    while stack:
        node = stack.pop()
        if node < n:
            labels[node] = next_label
            next_label += 1
            continue
        row = tree[node - n]
        if row[2] <= threshold:
            leaves = _leaves(tree, node, n)
            parts = _share_out(leaves, conflicts, distance, threshold) if tainted[node] else [leaves]
            for part in parts:
                labels[part] = next_label
                next_label += 1
        else:
            stack.extend((int(row[0]), int(row[1])))
    return labels


def _share_out(leaves: list[int], conflicts: set[tuple[int, int]], distance: np.ndarray, threshold: float) -> list[list[int]]:
    """A cluster that staff said must not hold some pair: the comments of each forbidden pair seed
    clusters of their own, and every other comment joins the nearest one it may join (on average
    distance, under the threshold), else starts one. Cutting the tree lower would instead crumble
    the whole cluster into pieces."""
    inside = set(leaves)
    forbidden: dict[int, set[int]] = defaultdict(set)
    for a, b in conflicts:
        if a in inside and b in inside:
            forbidden[a].add(b)
            forbidden[b].add(a)
    ordered = [leaf for leaf in leaves if leaf in forbidden] + [leaf for leaf in leaves if leaf not in forbidden]
    parts: list[list[int]] = []
    for leaf in ordered:
        best, best_distance = None, threshold
        for part in parts:
            if forbidden[leaf] & set(part):
                continue
            mean = float(distance[leaf, part].mean())
            if mean <= best_distance:
                best, best_distance = part, mean
        if best is None:
            parts.append([leaf])
        else:
            best.append(leaf)
    return parts


def _leaves(tree: np.ndarray, node: int, n: int) -> list[int]:
    out, stack = [], [node]
    while stack:
        k = stack.pop()
        if k < n:
            out.append(k)
        else:
            stack.extend((int(tree[k - n][0]), int(tree[k - n][1])))
    return out


# ---- groups ----------------------------------------------------------------------------------------------------


def _make_group(article: str, members: list[int], comments, links: _Links, vectors, row_of, *, closed: bool) -> Group:
    members.sort()
    representative = _medoid(members, links, vectors, row_of)
    return Group(article=article, members=[comments[i].id for i in members], representative=comments[representative].id,
                 representative_text=comments[representative].text, closed=closed)


def _medoid(members: list[int], links: _Links, vectors, row_of) -> int:
    """The wording closest to the group's centroid, each distinct wording weighted by its copies."""
    counts: dict[int, int] = defaultdict(int)
    for i in members:
        counts[links.find(i)] += 1
    units = [r for r in counts if r in row_of]
    if len(units) <= 2:  # two wordings are equally central: the more copied one speaks for the group
        return max(units, key=lambda r: (counts[r], -r)) if units else members[0]
    rows = vectors[[row_of[r] for r in units]]
    weights = sparse.csr_matrix(np.array([[counts[r] for r in units]], dtype=np.float32))
    centre = weights @ rows  # stays sparse: the character n-grams are hashed into 2²⁰ columns
    scores = (rows @ centre.T).toarray().ravel()
    return units[int(np.argmax(scores))]
