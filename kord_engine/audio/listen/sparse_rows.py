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
        # every row has an entry (filterbanks do): the segmented sums are the product itself
        self._full = self._filled.size == n_rows
        for a in (self.rows, self.cols, self.vals, self._filled, self._starts):
            a.flags.writeable = False

    @property
    def used_cols(self) -> int:
        """1 + the highest column with an entry: `apply` needs only that many input columns."""
        return int(self.cols.max()) + 1 if self.cols.size else 0

    def apply(self, x: np.ndarray) -> np.ndarray:
        """(…, cols) float32 → (…, rows) float32: x @ matrix.T (x may stop at used_cols).

        The gather is `take` (a third of `x[..., cols]`'s time), weighted in place; the
        sums are the same float32 operations in the same order either way."""
        x = np.asarray(x, np.float32)
        if not self.vals.size:
            return np.zeros(x.shape[:-1] + (self.shape[0],), np.float32)
        terms = x.take(self.cols, axis=-1)
        terms *= self.vals
        sums = np.add.reduceat(terms, self._starts, axis=-1)
        if self._full:
            return sums
        out = np.zeros(x.shape[:-1] + (self.shape[0],), np.float32)
        out[..., self._filled] = sums
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


class GridInterpolation:
    """np.interp(x, arange(n), y, right=right) for fixed points `x` and any `y` of n values,
    vectorised: each point's bin and offset found once, not by a binary search per point on
    every call. The same float64 operations as numpy's interp — y[j] + (y[j+1] − y[j])·(x − j),
    the grid points and the ends taken as they are — so the same values bit for bit (y with
    an inf or NaN goes to np.interp itself)."""

    def __init__(self, x: np.ndarray, n: int, right: float | None = None):
        x = np.asarray(x, np.float64).reshape(-1)
        if n < 2 or not np.isfinite(x).all():
            raise ValueError("need n ≥ 2 grid points and finite positions")
        self.n = int(n)
        self.x = x
        self.right = right
        self._j = np.clip(np.floor(x), 0, n - 2).astype(np.intp)
        self._offset = x - self._j
        inside = (x >= 0) & (x < n - 1)
        self._on_grid = np.flatnonzero(inside & (self._offset == 0))
        self._last = np.flatnonzero(x == n - 1)
        self._below = np.flatnonzero(x < 0)
        self._above = np.flatnonzero(x > n - 1)
        for a in (self.x, self._j, self._offset, self._on_grid, self._last):
            a.flags.writeable = False

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """The (len(x),) float64 values at the points."""
        y = np.asarray(y, np.float64).reshape(-1)
        if y.size != self.n:
            raise ValueError(f"expected {self.n} values, got {y.size}")
        if not np.isfinite(y).all():
            return np.interp(self.x, np.arange(self.n, dtype=np.float64), y, right=self.right)
        slope = y[1:] - y[:-1]  # ÷ (x[j+1] − x[j]) = 1
        out = slope.take(self._j)
        out *= self._offset
        out += y.take(self._j)
        for at, value in (
            (self._on_grid, None),
            (self._last, y[-1]),
            (self._below, y[0]),
            (self._above, y[-1] if self.right is None else self.right),
        ):
            if at.size:
                out[at] = y.take(self._j[at]) if value is None else value
        return out
