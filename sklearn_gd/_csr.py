"""CSR row blocks read in place through scipy's own sparse kernels.

A mini-batch of a CSR matrix is a slice of its row pointers: ``_CSRRows``
hands out ``_CSRBlock`` views whose products call the kernels behind
``X @ w`` (``scipy.sparse._sparsetools``) on the parent's arrays, so no array
is sliced or copied per batch.
"""

import copy

import numpy as np
from scipy.sparse import _sparsetools

__all__ = ["_CSRRows", "_CSRBlock"]


class _CSRRows:
    """Row blocks of a CSR chunk without building scipy objects per batch.

    ``rows[b0:b1]`` returns a light ``_CSRBlock`` whose products call
    scipy's own CSR kernels (``scipy.sparse._sparsetools``, what ``X @ w``
    runs underneath) on the chunk's arrays directly: a batch's rows are the
    slice ``indptr[b0:b1 + 1]`` of the row pointers, so no array is sliced,
    shifted or copied per batch.
    """

    def __init__(self, X):
        if X.format != "csr":
            X = X.tocsr()
        self.X = X
        self.shape = X.shape
        self.offset = 0  # of row 0 in X (see ``window``)
        # the kernels take one index dtype (scipy's own, usually int32 for both)
        self.indptr, self.indices = X.indptr, X.indices
        if X.indptr.dtype != X.indices.dtype:
            self.indptr = X.indptr.astype(np.intp)
            self.indices = X.indices.astype(np.intp)
        self.data = X.data

    def window(self, r0, r1):
        """Rows ``r0:r1`` as a ``_CSRRows`` sharing this one's arrays."""
        rows = copy.copy(self)
        rows.offset = self.offset + r0
        rows.shape = (r1 - r0, self.shape[1])
        return rows

    def __getitem__(self, sl):
        return _CSRBlock(self, self.offset + sl.start, self.offset + sl.stop)


class _CSRBlock:
    __slots__ = ("m", "d", "parent", "b0", "b1")

    def __init__(self, parent, b0, b1):
        self.m = b1 - b0
        self.d = parent.shape[1]
        self.parent, self.b0, self.b1 = parent, b0, b1

    @property
    def shape(self):
        return (self.m, self.d)

    def _kernel(self, vec, mat, n_rows, n_cols, x, out):
        """``out[...] = op @ x`` with scipy's kernel ``vec`` (one column) or
        ``mat`` (several), for ``x`` of the data's dtype; the kernels add
        into a C-ordered output of that dtype."""
        p = self.parent
        x = np.ascontiguousarray(x)
        acc = out if out.flags.c_contiguous else np.empty(out.shape, out.dtype)
        acc[...] = 0
        indptr = p.indptr[self.b0 : self.b1 + 1]
        k = x.shape[1]
        if k == 1:  # csr_matvecs is slower than matvec on one column
            vec(n_rows, n_cols, indptr, p.indices, p.data, x[:, 0], acc[:, 0])
        else:
            mat(n_rows, n_cols, k, indptr, p.indices, p.data, x.ravel(), acc.ravel())
        if acc is not out:
            out[...] = acc
        return out

    def _rows(self):
        return self.parent.X[self.b0 : self.b1]

    def matmul(self, W):
        """``Xb @ W`` for ``W`` of shape (d, k)."""
        if W.dtype != self.parent.data.dtype:  # rare (theta follows X's dtype)
            return np.asarray(self._rows() @ W)  # scipy promotes
        out = np.empty((self.m, W.shape[1]), dtype=W.dtype)
        vec, mat = _sparsetools.csr_matvec, _sparsetools.csr_matvecs
        return self._kernel(vec, mat, self.m, self.d, W, out)

    def rmatmul_into(self, G, out):
        """``out[...] = Xb.T @ G`` for ``G`` of shape (m, k).  The CSR arrays
        of ``Xb`` are the CSC arrays of ``Xb.T``."""
        dtype = self.parent.data.dtype
        if G.dtype != dtype or out.dtype != dtype:
            out[...] = self._rows().T @ G
            return
        vec, mat = _sparsetools.csc_matvec, _sparsetools.csc_matvecs
        self._kernel(vec, mat, self.d, self.m, G, out)
