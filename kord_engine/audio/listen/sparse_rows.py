"""A sparse matrix product on numpy alone: each output is a weighted sum of a few input
columns (filterbanks: mel bands, note bins, semitone bands). The gather and a segmented sum
cost microseconds, where a dense (512 × 8192) product would cost a millisecond and wake BLAS's
thread pool, whose spinning threads cost more CPU than a whole hop."""

from __future__ import annotations

import numpy as np


class SparseRows:
    """A (rows, cols) matrix held as its non-zeros; `apply(x)` is x @ matrix.T."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple):
        rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
        vals = np.asarray(vals, np.float64)
        n_rows, n_cols = int(shape[0]), int(shape[1])
        if not (rows.shape == cols.shape == vals.shape and rows.ndim == 1):
            raise ValueError("rows, cols and vals must be 1-D and of one length")
        if rows.size and (rows.min() < 0 or rows.max() >= n_rows):
            raise ValueError(f"row index out of range for {n_rows} rows")
        if cols.size and (cols.min() < 0 or cols.max() >= n_cols):
            raise ValueError(f"column index out of range for {n_cols} columns")
        # duplicates summed, entries in row order then column order (as a CSR matrix holds them)
        key = rows * n_cols + cols
        uniq, inverse = np.unique(key, return_inverse=True)
        summed = np.zeros(uniq.size, np.float64)
        np.add.at(summed, inverse, vals)
        self.shape = (n_rows, n_cols)
        self.rows = uniq // n_cols
        self.cols = uniq % n_cols
        self.vals = summed.astype(np.float32)
        counts = np.bincount(self.rows, minlength=n_rows)
        self._filled = np.flatnonzero(counts)  # rows with at least one entry
        self._starts = (np.cumsum(counts) - counts)[self._filled]
        for a in (self.rows, self.cols, self.vals, self._filled, self._starts):
            a.flags.writeable = False

    @property
    def used_cols(self) -> int:
        """1 + the highest column with an entry: `apply` needs only that many input columns."""
        return int(self.cols.max()) + 1 if self.cols.size else 0

    def apply(self, x: np.ndarray) -> np.ndarray:
        """(…, cols) float32 → (…, rows) float32: x @ matrix.T (x may stop at used_cols)."""
        x = np.asarray(x, np.float32)
        out = np.zeros(x.shape[:-1] + (self.shape[0],), np.float32)
        if self.vals.size:
            terms = x[..., self.cols] * self.vals
            out[..., self._filled] = np.add.reduceat(terms, self._starts, axis=-1)
        return out

    def toarray(self) -> np.ndarray:
        """The dense (rows, cols) float32 matrix (for inspection and tests)."""
        dense = np.zeros(self.shape, np.float32)
        dense[self.rows, self.cols] = self.vals
        return dense

    @classmethod
    def from_dense(cls, matrix: np.ndarray) -> SparseRows:
        """The non-zeros of a dense (rows, cols) matrix."""
        m = np.asarray(matrix)
        rows, cols = np.nonzero(m)
        return cls(rows, cols, m[rows, cols], m.shape)
