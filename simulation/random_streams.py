"""Named random streams for common random numbers (DESIGN.md section 6; Starsim's approach).

Every decision (flight, destination, job search, ...) has its own stream, seeded from the run
seed, a stable hash of the stream's name and the step. A stream always draws one number per
household per step, whether or not the household is eligible, so household *i*'s draw for a
decision does not depend on who else is eligible, on other decisions, or on interventions that
draw their own streams. Two scenarios with the same seed then differ only where they really
differ (a no-op intervention gives a difference of exactly zero).

The generator of stream ``name`` at ``step`` is ``PCG64(SeedSequence(seed, spawn_key=(hash,
step)))``. Building a ``SeedSequence`` costs ~20 µs of Python-level work, and a run asks for
about seven generators a step: at the size of the bundled default that was a tenth of a run.
So the streams compute the same seed words themselves (NumPy's SeedSequence algorithm on
Python ints for the pool after the seed, once per run, and after the stream's name, once per
name; then vectorised over a block of 64 steps for the step's word and the output) and hand them to ``PCG64`` as a seed
sequence: the same generator, bit for bit, in a third of the time (checked against NumPy's
own in ``tests/core/test_random_streams.py``).

Large populations draw millions of numbers per stream and step (~4 ms per million). When the
model asks (``prefetch``, above ``PREFETCH_MIN`` households), the next step's draws of the
streams used this step are made ahead in a background thread (NumPy releases the GIL while it
fills an array), so on a second core they cost the step nothing. A prefetched draw is the
same array ``uniform`` would make (the same generator; a longer draw starts with the shorter
one), so results do not depend on it.
"""

import zlib
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from numpy.random.bit_generator import ISeedSequence

# NumPy's SeedSequence constants (numpy/random/bit_generator.pyx)
INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
XSHIFT = 16
POOL_SIZE = 4
MASK32 = 0xFFFFFFFF
#: steps whose seed words are computed together (one vectorised pass per stream and block)
BLOCK = 64
#: draws this long or longer are worth making ahead in a background thread
PREFETCH_MIN = 50_000


def stable_hash(name: str) -> int:
    """A hash of a name that is the same in every process (unlike ``hash``)."""
    return zlib.crc32(name.encode("utf-8"))


def _uint32_words(value: int) -> list[int]:
    """A non-negative integer as 32-bit words, lowest first (NumPy's ``_int_to_uint32_array``)."""
    words = [value & MASK32]
    value >>= 32
    while value:
        words.append(value & MASK32)
        value >>= 32
    return words


def _hashmix(value: int, const: int) -> tuple[int, int]:
    """SeedSequence's ``hashmix`` on Python ints: (mixed value, next multiplier)."""
    value ^= const
    const = (const * MULT_A) & MASK32
    value = (value * const) & MASK32
    return value ^ (value >> XSHIFT), const


def _mix(x: int, y: int) -> int:
    result = (MIX_MULT_L * x - MIX_MULT_R * y) & MASK32
    return result ^ (result >> XSHIFT)


def _mix_in(pool: list[int], word: int, const: int) -> int:
    """Mix one more entropy word into every pool word (in place); the next multiplier."""
    for dst in range(POOL_SIZE):
        hashed, const = _hashmix(word, const)
        pool[dst] = _mix(pool[dst], hashed)
    return const


def seed_pool(seed: int) -> tuple[list[int], int]:
    """SeedSequence's pool after the run entropy ``seed`` (padded to the pool size, as NumPy
    pads it when there is a spawn key), and the hash multiplier reached."""
    words = _uint32_words(seed)
    words += [0] * max(0, POOL_SIZE - len(words))
    const = INIT_A
    pool = []
    for i in range(POOL_SIZE):  # the first words, one per pool word
        value, const = _hashmix(words[i], const)
        pool.append(value)
    for src in range(POOL_SIZE):  # every pool word into every other
        for dst in range(POOL_SIZE):
            if src != dst:
                hashed, const = _hashmix(pool[src], const)
                pool[dst] = _mix(pool[dst], hashed)
    for word in words[POOL_SIZE:]:  # run entropy beyond the pool (seeds above 2**128)
        const = _mix_in(pool, word, const)
    return pool, const


def seed_words(pool: list[int], const: int, steps: np.ndarray) -> np.ndarray:
    """``generate_state(4, np.uint64)`` for each step of ``steps`` (below 2**32) of the
    SeedSequence whose pool, before the step's spawn-key word, is ``pool`` (multiplier
    ``const``): a (len(steps), 4) uint64 array, all steps in one vectorised pass."""
    step = np.asarray(steps, dtype=np.uint32)
    shift = np.uint32(XSHIFT)
    mixed = []
    for dst in range(POOL_SIZE):  # the step's word into every pool word (hashmix, then mix)
        after = (const * MULT_A) & MASK32
        hashed = (step ^ np.uint32(const)) * np.uint32(after)
        hashed ^= hashed >> shift
        value = np.uint32((MIX_MULT_L * pool[dst]) & MASK32) - np.uint32(MIX_MULT_R) * hashed
        value ^= value >> shift
        mixed.append(value)
        const = after
    out = np.empty((len(step), 2 * POOL_SIZE), dtype=np.uint32)
    const = INIT_B
    for i in range(2 * POOL_SIZE):  # generate_state: eight 32-bit words from the pool in turn
        after = (const * MULT_B) & MASK32
        value = (mixed[i % POOL_SIZE] ^ np.uint32(const)) * np.uint32(after)
        out[:, i] = value ^ (value >> shift)
        const = after
    # paired low word first, as NumPy views them ('<u4' as '<u8')
    return out.astype("<u4").view("<u8").astype(np.uint64)


def step_words(pool: list[int], const: int, step: int) -> np.ndarray:
    """``seed_words`` for one ``step`` (below 2**32), on Python ints: the same four uint64
    words, without the vectorised pass's fixed cost (for streams drawn at one step only, as
    each population entry's and the latent draws are at step 0)."""
    mixed = list(pool)
    _mix_in(mixed, step, const)  # the step's word into every pool word
    words = []
    const = INIT_B
    for i in range(2 * POOL_SIZE):  # generate_state: eight 32-bit words from the pool in turn
        after = (const * MULT_B) & MASK32
        value = ((mixed[i % POOL_SIZE] ^ const) * after) & MASK32
        words.append(value ^ (value >> XSHIFT))
        const = after
    # paired low word first, as seed_words views them
    return np.array([words[2 * k] | words[2 * k + 1] << 32 for k in range(POOL_SIZE)],
                    dtype=np.uint64)


class _SeedWords(ISeedSequence):
    """A seed sequence whose state is already known (``PCG64`` asks it for four uint64s)."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = words

    def generate_state(self, n_words, dtype=np.uint32):
        if n_words != POOL_SIZE or np.dtype(dtype) != np.dtype(np.uint64):
            raise ValueError("precomputed seed words serve PCG64 only (4 uint64 words)")
        return self.words.copy()


class RandomStreams:
    """Factory of per-step, per-decision generators derived from one run seed."""

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        self.seed = int(seed)
        self._pool = seed_pool(self.seed)
        #: per stream name: the pool and multiplier with the name's hash mixed in
        self._named: dict[str, tuple[list[int], int]] = {}
        #: per stream name and block of steps: the seed words of each step
        self._words: dict[tuple[str, int], np.ndarray] = {}
        self._used: dict[str, int] = {}  # stream -> longest draw since the last prefetch
        self._ahead: dict[tuple[str, int], Future] = {}  # draws being made ahead
        self._thread: ThreadPoolExecutor | None = None

    def generator(self, name: str, step: int) -> np.random.Generator:
        """The generator of stream ``name`` at ``step``, independent of all other draws."""
        step = int(step)
        block, row = divmod(step, BLOCK)
        words = self._words.get((name, block))
        if words is None:
            if not 0 <= step <= MASK32:  # (no run has such steps; kept exact nonetheless)
                sequence = np.random.SeedSequence(self.seed, spawn_key=(stable_hash(name), step))
                return np.random.Generator(np.random.PCG64(sequence))
            named = self._named.get(name)
            if named is None:
                pool, const = list(self._pool[0]), self._pool[1]
                for word in _uint32_words(stable_hash(name)):
                    const = _mix_in(pool, word, const)
                named = self._named[name] = (pool, const)
            if step == 0:  # the starting draws: most such streams are drawn at step 0 only
                return np.random.Generator(np.random.PCG64(_SeedWords(step_words(*named, 0))))
            first = block * BLOCK
            words = seed_words(*named, np.arange(first, min(first + BLOCK, MASK32 + 1)))
            self._words[(name, block)] = words
        return np.random.Generator(np.random.PCG64(_SeedWords(words[row])))

    def uniform(self, name: str, step: int, n: int) -> np.ndarray:
        """``n`` uniforms in [0, 1): one per household row, for decision ``name`` at ``step``."""
        self._used[name] = max(n, self._used.get(name, 0))
        ahead = self._ahead.pop((name, int(step)), None)
        if ahead is not None:
            draws = ahead.result()
            if len(draws) >= n:
                return draws[:n]
        return self.generator(name, step).random(n, dtype=np.float64)

    def prefetch(self, step: int, n: int) -> None:
        """Start drawing, in the background, ``step``'s uniforms of every stream drawn since the
        last call with at least ``PREFETCH_MIN`` numbers (``n`` each: the households now)."""
        used, self._used = self._used, {}
        names = [name for name, size in used.items() if size >= PREFETCH_MIN]
        if not names:
            return
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prds-streams")
        for name in names:
            if (name, step) not in self._ahead:
                self._ahead[(name, step)] = self._thread.submit(
                    lambda name=name: self.generator(name, step).random(n, dtype=np.float64))

    def close(self) -> None:
        """Drop draws made ahead and stop the background thread (at the end of a run)."""
        for future in self._ahead.values():
            future.cancel()
        self._ahead.clear()
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None


def latent_draws(hh, column: str, streams, name: str) -> np.ndarray:
    """Fill the not-yet-drawn entries (-1) of a latent uniform column in place; return it.

    Row i gets the i-th draw of stream ``name`` at step 0, so a row's draw never depends on
    when it is first needed or on other rows (arrivals get theirs when they appear).
    """
    values = getattr(hh, column)
    if len(values) == 0 or values[-1] >= 0:  # rows are only ever added at the end
        return values
    missing = np.flatnonzero(values < 0)
    values[missing] = streams.uniform(name, 0, len(hh))[missing]
    return values
