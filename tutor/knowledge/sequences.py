"""Time-major packing of many variable-length response sequences, for vectorised HMM passes.

A *sequence* is one (student, concept) pair's responses in time order. Packing sorts the sequences by length
(longest first) and lays the observations out step by step: step t holds the t-th response of every sequence
that is longer than t, and those sequences are always the first ``batch[t]`` ones. A forward or backward pass
is then one numpy operation per time step over a contiguous slice (the layout of PyTorch's PackedSequence).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PackedSequences:
    """Observations of ``n_seq`` sequences in time-major packed order.

    offsets: (T_max + 1,) int64; step t occupies ``[offsets[t], offsets[t + 1])``.
    batch: (T_max,) int64; number of sequences still running at step t (non-increasing).
    seq_group: (n_seq,) int64; the group (e.g. concept index) of each sequence, longest sequence first.
    elem_group: (N,) int64; group of each packed element.
    has_next: (N,) bool; the element's sequence continues at step t + 1.
    packed_of_row: (N,) int64; packed position of each input row (input order -> packed order).
    """

    offsets: np.ndarray
    batch: np.ndarray
    seq_group: np.ndarray
    elem_group: np.ndarray
    has_next: np.ndarray
    packed_of_row: np.ndarray

    @property
    def n_steps(self) -> int:
        return len(self.batch)

    def step(self, t: int) -> slice:
        """Slice of step t in packed arrays."""
        return slice(int(self.offsets[t]), int(self.offsets[t + 1]))

    def pack(self, values: np.ndarray) -> np.ndarray:
        """Reorder a per-row array (input order) into packed order."""
        out = np.empty_like(values)
        out[self.packed_of_row] = values
        return out

    def unpack(self, packed: np.ndarray) -> np.ndarray:
        """Reorder a packed array back to input row order."""
        return packed[self.packed_of_row]


def pack_sequences(seq_id: np.ndarray, group: np.ndarray) -> PackedSequences:
    """Pack rows into sequences.

    seq_id: (N,) integer key of each row's sequence (e.g. student * n_concepts + concept); rows of one
        sequence must appear in time order (other rows may interleave).
    group: (N,) int64 group index of each row (constant within a sequence), e.g. the concept index.
    Raises ValueError if the arrays differ in length.
    """
    seq_id = np.asarray(seq_id)
    group = np.asarray(group, dtype=np.int64)
    if seq_id.shape != group.shape:
        raise ValueError("seq_id and group must have the same length")
    n = len(seq_id)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return PackedSequences(np.zeros(1, np.int64), empty, empty, empty, np.zeros(0, bool), empty)
    # Stable sort keeps time order within a sequence.
    _, inv, lengths = np.unique(seq_id, return_inverse=True, return_counts=True)
    by_seq = np.argsort(inv, kind="stable")
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    pos_sorted = np.arange(n) - np.repeat(starts, lengths)  # position within its sequence
    position = np.empty(n, dtype=np.int64)
    position[by_seq] = pos_sorted
    # Rank sequences longest first (ties by sequence key, for determinism).
    seq_rank_order = np.lexsort((np.arange(len(lengths)), -lengths))
    rank = np.empty(len(lengths), dtype=np.int64)
    rank[seq_rank_order] = np.arange(len(lengths))
    t_max = int(lengths.max())
    batch = np.bincount(position, minlength=t_max).astype(np.int64)
    offsets = np.concatenate(([0], np.cumsum(batch))).astype(np.int64)
    packed_of_row = offsets[position] + rank[inv]
    seq_group = np.empty(len(lengths), dtype=np.int64)
    seq_group[inv] = group
    seq_group = seq_group[seq_rank_order]
    elem_group = np.empty(n, dtype=np.int64)
    elem_group[packed_of_row] = group
    next_batch = np.concatenate((batch[1:], [0]))
    has_next = np.empty(n, dtype=bool)
    for t in range(t_max):  # O(T_max) slices, each vectorised
        has_next[offsets[t] : offsets[t + 1]] = np.arange(batch[t]) < next_batch[t]
    return PackedSequences(offsets, batch, seq_group, elem_group, has_next, packed_of_row)
