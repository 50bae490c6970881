"""What the NumPy companion notebooks import: the course's LSTM as the core notebook 2_lstm_from_scratch_numpy.ipynb
defines it, and the fast trainer as 5_numpy_lstm_fast_trainer.ipynb defines it.

Every function or class that one of those two notebooks also defines is a copy of its cell, comments included
(tests/test_numpy_lstm.py compares them). The template reads a few names as globals; they are module globals here,
with the template's values: `learning_rate` and `weight_sd`, and `parameters`, which `forward`, `backward`,
`forward_backward`, `clear_gradients`, `clip_gradients` and `update_paramters` use only when called without their
`p` argument. Beyond the notebooks: `train_fast` (the template's loop run by `FastLSTM`, for the companions on checks
and on the inside of the model) and `load_text`.
"""
import copy
import os

import numpy as np
from threadpoolctl import threadpool_limits

learning_rate = 1e-1   # the template's hyperparameters
weight_sd = 0.1
parameters = None      # the template's global model: set it, or pass p explicitly

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "data", "rnn_history.txt")


def load_text(path=None):
    """The text the notebooks train on: CORPUS if set, else data/rnn_history.txt. Returns data, chars, char_to_idx, idx_to_char."""
    path = path or os.environ.get("CORPUS") or DEFAULT_CORPUS
    with open(path, encoding="utf-8") as f:
        data = f.read()
    chars = sorted(set(data))
    return data, chars, {ch: i for i, ch in enumerate(chars)}, {i: ch for i, ch in enumerate(chars)}


# ---- the course's functions: identical to the core notebook's cells -----------------------------------------

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def dsigmoid(y):   # y is the sigmoid's output: dsigmoid(sigmoid(x)) is the slope at x
    return y * (1 - y)

def tanh(x):
    return np.tanh(x)

def dtanh(y):      # y is tanh's output
    return 1 - y * y

class Param:
    def __init__(self, name, value):
        self.name = name
        self.v = value # parameter value
        self.d = np.zeros_like(value) # derivative
        self.m = np.zeros_like(value)


class Parameters:
    def __init__(self, size_a, size_b, size_c, weight_sd):   # fix: arguments, not globals read at creation
        self.W_f = Param('W_f', np.random.randn(size_a, size_b) * weight_sd + 0.5)
        self.b_f = Param('b_f', np.zeros((size_a, 1)))

        self.W_i = Param('W_i', np.random.randn(size_a, size_b) * weight_sd + 0.5)
        self.b_i = Param('b_i', np.zeros((size_a, 1)))

        self.W_C = Param('W_C', np.random.randn(size_a, size_b) * weight_sd)
        self.b_C = Param('b_C', np.zeros((size_a, 1)))

        self.W_o = Param('W_o', np.random.randn(size_a, size_b) * weight_sd + 0.5)
        self.b_o = Param('b_o', np.zeros((size_a, 1)))

        # For final layer to predict the next character (the template writes X_size, which is size_c)
        self.W_v = Param('W_v', np.random.randn(size_c, size_a) * weight_sd)
        self.b_v = Param('b_v', np.zeros((size_c, 1)))

    def all(self):
        return [self.W_f, self.W_i, self.W_C, self.W_o, self.W_v,
                self.b_f, self.b_i, self.b_C, self.b_o, self.b_v]


def forward(x, h_prev, C_prev, p=None):
    p = parameters if p is None else p   # fix: the template's `p = parameters` is bound once, at definition
    X_size, Hidden_Layer_size = p.W_v.v.shape   # fix: the sizes of these weights, not globals
    assert x.shape == (X_size, 1)
    assert h_prev.shape == (Hidden_Layer_size, 1)
    assert C_prev.shape == (Hidden_Layer_size, 1)

    z = np.vstack((h_prev, x))   # fix: the template's np.row_stack, deprecated since NumPy 2.0
    f = sigmoid(np.dot(p.W_f.v, z) + p.b_f.v)
    i = sigmoid(np.dot(p.W_i.v, z) + p.b_i.v)
    C_bar = tanh(np.dot(p.W_C.v, z) + p.b_C.v)

    C = f * C_prev + i * C_bar
    o = sigmoid(np.dot(p.W_o.v, z) + p.b_o.v)   # b_o, as in the template's code (its formula adds b_i)
    h = o * tanh(C)

    v = np.dot(p.W_v.v, h) + p.b_v.v
    y = np.exp(v) / np.sum(np.exp(v))

    return z, f, i, C_bar, C, o, h, v, y


def backward(target, dh_next, dC_next, C_prev,
             z, f, i, C_bar, C, o, h, v, y,
             p=None):
    p = parameters if p is None else p
    X_size, Hidden_Layer_size = p.W_v.v.shape

    assert z.shape == (X_size + Hidden_Layer_size, 1)
    assert v.shape == (X_size, 1)
    assert y.shape == (X_size, 1)

    for param in [dh_next, dC_next, C_prev, f, i, C_bar, C, o, h]:
        assert param.shape == (Hidden_Layer_size, 1)

    dv = np.copy(y)
    dv[target] -= 1

    p.W_v.d += np.dot(dv, h.T)
    p.b_v.d += dv

    dh = np.dot(p.W_v.v.T, dv)
    dh += dh_next
    do = dh * tanh(C)
    do = dsigmoid(o) * do
    p.W_o.d += np.dot(do, z.T)
    p.b_o.d += do

    dC = np.copy(dC_next)
    dC += dh * o * dtanh(tanh(C))
    dC_bar = dC * i
    dC_bar = dtanh(C_bar) * dC_bar
    p.W_C.d += np.dot(dC_bar, z.T)
    p.b_C.d += dC_bar

    di = dC * C_bar
    di = dsigmoid(i) * di
    p.W_i.d += np.dot(di, z.T)
    p.b_i.d += di

    df = dC * C_prev
    df = dsigmoid(f) * df
    p.W_f.d += np.dot(df, z.T)
    p.b_f.d += df

    dz = (np.dot(p.W_f.v.T, df)
         + np.dot(p.W_i.v.T, di)
         + np.dot(p.W_C.v.T, dC_bar)
         + np.dot(p.W_o.v.T, do))
    dh_prev = dz[:Hidden_Layer_size, :]
    dC_prev = f * dC   # the gradient reaches C_prev through the forget gate only

    return dh_prev, dC_prev


def clear_gradients(p=None):
    for param in (parameters if p is None else p).all():
        param.d.fill(0)

def clip_gradients(p=None):
    for param in (parameters if p is None else p).all():
        np.clip(param.d, -1, 1, out=param.d)

def forward_backward(inputs, targets, h_prev, C_prev, p=None, clip=True):
    # fix: the template's stray `global paramters` (misspelt, unused) is gone
    p = parameters if p is None else p
    X_size = p.W_v.v.shape[0]
    # To store the values for each time step
    x_s, z_s, f_s, i_s = {}, {}, {}, {}
    C_bar_s, C_s, o_s, h_s = {}, {}, {}, {}
    v_s, y_s = {}, {}

    # Values at t - 1
    h_s[-1] = np.copy(h_prev)
    C_s[-1] = np.copy(C_prev)

    loss = 0
    # Loop through time steps
    for t in range(len(inputs)):
        x_s[t] = np.zeros((X_size, 1))
        x_s[t][inputs[t]] = 1 # Input character

        (z_s[t], f_s[t], i_s[t],
        C_bar_s[t], C_s[t], o_s[t], h_s[t],
        v_s[t], y_s[t]) = \
            forward(x_s[t], h_s[t - 1], C_s[t - 1], p) # Forward pass

        loss += -np.log(y_s[t][targets[t], 0]) # Loss at t

    clear_gradients(p)

    dh_next = np.zeros_like(h_s[0]) # dh from the next character
    dC_next = np.zeros_like(C_s[0]) # dC from the next character

    for t in reversed(range(len(inputs))):
        # Backward pass
        dh_next, dC_next = \
            backward(target = targets[t], dh_next = dh_next,
                     dC_next = dC_next, C_prev = C_s[t-1],
                     z = z_s[t], f = f_s[t], i = i_s[t], C_bar = C_bar_s[t],
                     C = C_s[t], o = o_s[t], h = h_s[t], v = v_s[t],
                     y = y_s[t], p = p)

    if clip:   # clip=False only for the gradient check of 4_numpy_lstm_checks
        clip_gradients(p)

    return loss, h_s[len(inputs) - 1], C_s[len(inputs) - 1]


def update_paramters(p=None):
    # learning_rate: the template's global
    for param in (parameters if p is None else p).all():
        param.m += param.d * param.d # Calculate sum of gradients (of squared gradients)
        param.v += -(learning_rate * param.d / np.sqrt(param.m + 1e-8))


def windows(data, char_to_idx, Time_steps, n_windows):
    """The template loop's windows: (inputs, targets, reset) for its first n_windows iterations; reset where the
    loop goes back to the start of the text with a zero state."""
    pointer = 0
    for iteration in range(n_windows):
        reset = pointer + Time_steps >= len(data) or iteration == 0
        if reset:
            pointer = 0
        inputs = [char_to_idx[ch] for ch in data[pointer: pointer + Time_steps]]
        targets = [char_to_idx[ch] for ch in data[pointer + 1: pointer + Time_steps + 1]]
        yield inputs, targets, reset
        pointer += Time_steps


# ---- the fast trainer: one model, far fewer NumPy calls per step (5_numpy_lstm_fast_trainer.ipynb) ---------

class FastLSTM:
    """The course's model, loss, clipping and Adagrad, computed with far fewer (and larger) NumPy calls.

    The four gates are fused, in the order C_bar, f, i, o, and stored transposed: W_hT is (H, 4H) (the hidden part
    of z = [h; x]), W_xT is (X, 4H) (the input part), b is (4H,). The output layer is W_vT (H, X), b_v (X,).
    Every weight lives in one flat array, every gradient in a second and every Adagrad memory in a third.
    """
    GATES = ('C', 'f', 'i', 'o')                       # column blocks of W_hT, W_xT and b

    def __init__(self, p, T, learning_rate=learning_rate):
        X, H = p.W_v.v.shape
        self.H, self.X, self.T = H, X, T
        shapes = {'W_hT': (H, 4 * H), 'W_xT': (X, 4 * H), 'b': (4 * H,), 'W_vT': (H, X), 'b_v': (X,)}
        n = sum(int(np.prod(s)) for s in shapes.values())  # 77,975 numbers with the quiz's sizes
        # Trick 1: one flat array each for the weights (v), the gradients (d) and the Adagrad memory (m); each
        # matrix is a view into them, so clipping and every Adagrad operation are one pass over all the weights.
        self.flat = {k: np.zeros(n) for k in 'vdm'}
        self.views = {k: {} for k in 'vdm'}
        start = 0
        for name, shape in shapes.items():
            size = int(np.prod(shape))
            for k in 'vdm':
                self.views[k][name] = self.flat[k][start:start + size].reshape(shape)
            start += size
        self.P, self.D = self.views['v'], self.views['d']
        self.scratch, self.scratch2 = np.zeros(n), np.zeros(n)   # preallocated: the update allocates nothing
        self.lr, self.eps = np.array(learning_rate), 1e-8
        # Trick 2: the weights of the three sigmoid gates (so also their gradients) are stored negated: the
        # pre-activations come out as -x, and the course's sigmoid 1 / (1 + exp(-x)) is three calls for all three
        # gates. Exact: negation is exact, clipping is symmetric, and Adagrad's d * d and lr * d / sqrt(m + 1e-8)
        # just change sign with d.
        self.sign = np.repeat([1.0, -1.0, -1.0, -1.0], H)  # per column block: C_bar, f, i, o
        self.load_course_state(p)

        # Forward buffers, time-major (row t is step t). Trick 4: R[t] = [C_{t-1}, C_bar_t, f_t, i_t, o_t], so
        # [f, i] * [C_prev, C_bar] is one product of two contiguous (2H,) slices, and step t writes C_t straight
        # into R[t + 1], where step t + 1 reads it.
        self.A = np.zeros((T, 4 * H))                      # input column + bias of every step
        self.R = np.zeros((T + 1, 5 * H))
        self.tanh_C = np.zeros((T, H))
        self.h = np.zeros((T + 1, H))                      # h[0] = h_prev, h[t + 1] = h_t
        self.one = np.ones(3 * H)                          # an array, not the number 1: cheaper per call
        self.Qf = np.zeros(2 * H)
        R, h = self.R, self.h
        # Trick 7: every view the loops use is made once, here (slicing costs as much as a small ufunc call)
        self.forward_steps = [(h[t], R[t, H:], self.A[t], R[t, H:2 * H], R[t, 2 * H:], R[t, 2 * H:4 * H],
                               R[t, :2 * H], R[t + 1, :H], self.tanh_C[t], R[t, 4 * H:], h[t + 1]) for t in range(T)]

        # Backward buffers. Trick 5: V[t + 1] = [dC_t, dC_t, dC_t, dh_t], so the four gates' gradients are one
        # product V[t + 1] * K[t]; and [dh_t, dC_{t+1}] (the end of row t + 1, the start of row t + 2) is one
        # contiguous slice, multiplied by [o (1 - tanh(C)^2), f_{t+1}] to give both terms of dC_t.
        # Row T + 1 stays 0 (no dC from beyond the window); row 0 receives the course's unused dh_prev of step 0.
        self.V = np.zeros((T + 2, 4 * H))
        self.K = np.zeros((T, 4 * H))                      # dA_t = V[t + 1] * K[t]
        self.Kp = np.zeros((T, 2 * H))                     # [o (1 - tanh(C)^2) at t, f at t + 1]
        self.dA = np.zeros((T, 4 * H))                     # gradients of the gates' (stored) pre-activations
        self.dh_out = np.zeros((T + 1, H))                 # row t + 1: dh_t from the output layer; row 0 stays 0
        self.Qb = np.zeros(2 * H)
        V, Vf = self.V, self.V.reshape(-1)
        self.backward_steps = [(Vf[(t + 1) * 4 * H + 3 * H:(t + 1) * 4 * H + 5 * H], self.Kp[t],
                                V[t + 1, :H], V[t + 1, H:2 * H], V[t + 1, 2 * H:3 * H], V[t + 1], self.K[t],
                                self.dA[t], V[t, 3 * H:], self.dh_out[t]) for t in reversed(range(T))]
        self.steps = np.arange(T)
        self.y = np.zeros((T, X))
        self.eye = np.eye(X)

    # ---- the course's state in and out ---------------------------------------------------------------------
    def load_course_state(self, p):
        """Copy the course's weights (.v) and Adagrad memories (.m) from a `Parameters` object into the flat arrays."""
        H = self.H
        for k in 'vm':
            views = self.views[k]
            sign = self.sign if k == 'v' else 1.0          # (trick 2) the memory of -v is the memory of v
            W = np.vstack([getattr(getattr(p, f'W_{g}'), k) for g in self.GATES])   # (4H, H + X)
            views['W_hT'][:] = W[:, :H].T * sign
            views['W_xT'][:] = W[:, H:].T * sign
            views['b'][:] = np.vstack([getattr(getattr(p, f'b_{g}'), k) for g in self.GATES]).ravel() * sign
            views['W_vT'][:] = getattr(p.W_v, k).T
            views['b_v'][:] = getattr(p.b_v, k).ravel()
        self.flat['m'] += self.eps                        # kept as m + 1e-8 (see update)

    def to_course_layout(self, which='v'):
        """Weights ('v'), gradients ('d') or Adagrad memories ('m') as the course's W_f, ..., b_v (copies)."""
        H, P = self.H, self.views[which]
        sign = self.sign[:, None] if which in 'vd' else 1.0
        W = np.hstack([P['W_hT'].T, P['W_xT'].T]) * sign   # (4H, H + X)
        b = P['b'][:, None] * sign                        # (4H, 1)
        out = {}
        for k, g in enumerate(self.GATES):
            out[f'W_{g}'] = W[k * H:(k + 1) * H]
            out[f'b_{g}'] = b[k * H:(k + 1) * H]
        out.update(W_v=P['W_vT'].T.copy(), b_v=P['b_v'][:, None].copy())
        if which == 'm':
            for a in out.values():
                a -= self.eps
        return out

    def as_parameters(self, like):
        """A copy of `like` (the course's `Parameters`) that holds this model's weights and Adagrad memories."""
        p = copy.deepcopy(like)
        weights, memory = self.to_course_layout('v'), self.to_course_layout('m')
        for q in p.all():
            q.v, q.m = weights[q.name].copy(), memory[q.name].copy()
        return p

    # ---- one training step ---------------------------------------------------------------------------------
    def forward_backward(self, inputs, targets, h_prev, C_prev):
        """The course's forward_backward, clipping included: returns loss, h, C and leaves the gradients in self.D."""
        self.prepare(inputs, h_prev, C_prev)
        self.forward_loop()
        loss = self.output_layer(targets)
        self.backward_prepare()
        self.backward_loop()
        self.weight_gradients()
        self.clip()
        return loss, self.h[self.T, :, None].copy(), self.R[self.T, :self.H, None].copy()

    def prepare(self, inputs, h_prev, C_prev):         # per window
        P, H = self.P, self.H
        self.inputs = x = np.asarray(inputs)
        # Trick 3: W @ [h; x] with a one-hot x is W_h @ h plus one column of W_x: one row lookup for all steps
        np.take(P['W_xT'], x, axis=0, out=self.A)
        self.A += P['b']
        self.h[0] = h_prev.ravel()
        self.R[0, :H] = C_prev.ravel()

    def forward_loop(self):                             # 10 NumPy calls per step, all on contiguous vectors
        dot, add, mul, div, tanh, exp = np.dot, np.add, np.multiply, np.divide, np.tanh, np.exp
        W, one, Q = self.P['W_hT'], self.one, self.Qf
        Q0, Q1 = Q[:self.H], Q[self.H:]
        for h_prev, g, A_t, C_bar, sig, fi, cc, C_t, tanh_C, o, h_t in self.forward_steps:
            dot(h_prev, W, g)          # (4H,) hidden part of the pre-activations [x_C, -x_f, -x_i, -x_o]
            add(g, A_t, g)             # + input column and bias
            tanh(C_bar, C_bar)         # C_bar = tanh(x_C)
            exp(sig, sig)              # f, i, o = 1 / (1 + exp(-x)), all three at once
            add(sig, one, sig)
            div(one, sig, sig)
            mul(fi, cc, Q)             # [f * C_prev, i * C_bar]
            add(Q0, Q1, C_t)           # C = f * C_prev + i * C_bar, written where the next step reads C_prev
            tanh(C_t, tanh_C)
            mul(o, tanh_C, h_t)        # h = o * tanh(C)

    def output_layer(self, targets):                    # per window: all steps at once
        P, D, y, steps = self.P, self.D, self.y, self.steps
        np.dot(self.h[1:], P['W_vT'], out=y)            # (T, X): v of every step
        y += P['b_v']
        y -= y.max(axis=1, keepdims=True)               # the course's softmax, one row per step
        np.exp(y, out=y)
        y /= y.sum(axis=1, keepdims=True)
        loss = -np.sum(np.log(y[steps, targets]))
        y[steps, targets] -= 1                          # dv, in place
        np.dot(self.h[1:].T, y, out=D['W_vT'])          # the sum over steps of dv h^T: one product
        np.add.reduce(y[::-1], axis=0, out=D['b_v'])    # summed from the last step, in the course's order
        np.dot(y, P['W_vT'].T, out=self.dh_out[1:])     # (T, H): dh from the output layer
        return loss

    def backward_prepare(self):                         # per window: all that does not depend on the recurrence
        H, T, R, K, Kp, tanh_C = self.H, self.T, self.R, self.K, self.Kp, self.tanh_C
        sig = R[:T, 2 * H:]                              # f, i, o of every step
        np.subtract(sig, 1, out=K[:, H:])
        K[:, H:] *= sig                                  # -dsigmoid = s (s - 1): negated, like these gates' weights
        K[:, H:3 * H] *= R[:T, :2 * H]                   # df = dC * C_prev * f(1-f);  di = dC * C_bar * i(1-i)
        K[:, 3 * H:] *= tanh_C                           # do = dh * tanh(C) * o(1-o)
        C_bar = R[:T, H:2 * H]
        np.multiply(C_bar, C_bar, out=K[:, :H])
        np.subtract(1, K[:, :H], out=K[:, :H])
        K[:, :H] *= R[:T, 3 * H:4 * H]                   # dC_bar = dC * i * (1 - C_bar^2)
        np.multiply(tanh_C, tanh_C, out=Kp[:, :H])
        np.subtract(1, Kp[:, :H], out=Kp[:, :H])
        Kp[:, :H] *= R[:T, 4 * H:]                       # dC += dh * o * (1 - tanh(C)^2)
        Kp[:, H:] = R[1:, 2 * H:3 * H]                   # dC_prev = f * dC (f of the next step; 0 after the last)
        self.V[T, 3 * H:] = self.dh_out[T]               # dh of the last step: its output-layer part only

    def backward_loop(self):                            # 7 NumPy calls per step
        dot, add, mul = np.dot, np.add, np.multiply
        W_hT, Q = self.P['W_hT'], self.Qb
        Q0, Q1 = Q[:self.H], Q[self.H:]
        for pair, Kp, dC_1, dC_2, dC_3, V_t, K_t, dA_t, dh_prev, dh_out_prev in self.backward_steps:
            mul(pair, Kp, Q)           # [dh * o (1 - tanh(C)^2), dC_next * f_next]
            add(Q0, Q1, dC_1)          # dC, three times: three small calls cost less than one broadcast
            add(Q0, Q1, dC_2)
            add(Q0, Q1, dC_3)
            mul(V_t, K_t, dA_t)        # (4H,) the four gates' pre-activation gradients
            dot(W_hT, dA_t, dh_prev)   # W_h^T dA: the recurrent part of dh_{t-1}
            add(dh_prev, dh_out_prev, dh_prev)

    def weight_gradients(self):                         # per window: one product per weight matrix
        D, T, dA, x = self.D, self.T, self.dA, self.inputs
        np.dot(self.h[:T].T, dA, out=D['W_hT'])          # the sum over steps of dA h_prev^T: one product
        np.add.reduce(dA[::-1], axis=0, out=D['b'])
        # Trick 6: the input part, the sum over steps of dA x^T with one-hot x, only has rows for the characters
        # of this window: their (n_chars, T) one-hot matrix times dA, one small product instead of np.add.at
        used = np.flatnonzero(np.bincount(x, minlength=self.X))   # the window's characters
        D['W_xT'].fill(0)
        D['W_xT'][used] = np.dot(self.eye[used][:, x], dA)

    def clip(self):                                     # the course's clipping: one pass over all gradients
        np.clip(self.flat['d'], -1, 1, out=self.flat['d'])

    def update(self):
        """The course's Adagrad, m += d * d; v += -(lr * d / sqrt(m + 1e-8)): one pass per operation.

        The flat memory holds m + 1e-8 rather than m (the same sum, added in another order), which saves the pass
        that adds 1e-8 before the square root; load_course_state and to_course_layout convert."""
        d, m_eps, v, s, s2 = self.flat['d'], self.flat['m'], self.flat['v'], self.scratch, self.scratch2
        np.multiply(d, d, out=s)
        m_eps += s                                        # (m + 1e-8) + d * d
        np.sqrt(m_eps, out=s)
        np.multiply(self.lr, d, out=s2)
        np.divide(s2, s, out=s2)                          # lr * d / sqrt(m + 1e-8), in the course's order
        v -= s2


def train_fast(p, data, char_to_idx, Time_steps, n_iterations, snapshot_at=()):
    """The template's training loop for n_iterations, run by FastLSTM on one BLAS thread from p's weights (p itself
    is left unchanged). Returns {k: the model after iteration k, as the course's Parameters} for each k in snapshot_at."""
    fast, snapshots = FastLSTM(p, Time_steps), {}
    with threadpool_limits(limits=1):
        for k, (inputs, targets, reset) in enumerate(windows(data, char_to_idx, Time_steps, n_iterations)):
            if reset:
                h_prev, C_prev = np.zeros((fast.H, 1)), np.zeros((fast.H, 1))
            _, h_prev, C_prev = fast.forward_backward(inputs, targets, h_prev, C_prev)
            fast.update()
            if k + 1 in snapshot_at:
                snapshots[k + 1] = fast.as_parameters(p)
    return snapshots
