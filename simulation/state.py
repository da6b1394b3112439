"""The household column store: all per-household state, one NumPy array per variable.

Row ``i`` of every column is household ``i``; rows are never removed (a household that
leaves for an `abroad` node stays, with that status), so a row index is a stable identity
and Mesa agents can be thin views onto a row (``agents/households.py``).

Columns are attributes (``store.savings``) holding views of larger buffers, so the store
can grow (new arrivals, as in Flee's spawning) without copying on every append. Assigning
to a column writes into the buffer (``store.savings = x`` copies ``x`` in), so a view
taken earlier in a step stays valid.
"""

from dataclasses import dataclass

import numpy as np

from simulation.codes import Coping, Livelihood, Status


@dataclass(frozen=True)
class Column:
    dtype: type
    default: float | int | bool
    meaning: str


#: Every household variable, its dtype (compact: the engine holds millions of rows) and meaning.
COLUMNS: dict[str, Column] = {
    # identity and place
    "node": Column(np.int32, 0, "settlement node the household is at"),
    "group": Column(np.int8, 0, "codes.Group: displaced, migrant or host"),
    "status": Column(np.int8, int(Status.IN_PLACE), "codes.Status, one per household"),
    "size": Column(np.int16, 1, "persons in the household"),
    "origin": Column(np.int32, 0, "node the household comes from (own home for hosts)"),
    "t_displaced": Column(np.int32, -1, "step of the latest displacement (-1: never)"),
    "ever_displaced": Column(np.bool_, False, "displaced at least once (denominator of solutions)"),
    # capacities
    "skills": Column(np.float32, 0.3, "skills, 0..1"),
    "documented": Column(np.bool_, True, "holds civil and travel documents"),
    "hlp_secure": Column(np.bool_, False, "housing, land and property at origin secure or compensated"),
    "ties": Column(np.float32, 0.5, "social ties at the current node, 0..1"),
    "origin_ties": Column(np.float32, 0.5, "ties to the origin, 0..1"),
    # money (USD per month for flows, USD for stocks)
    "assets": Column(np.float32, 0.0, "productive assets (USD)"),
    "household_goods": Column(np.float32, 0.0, "non-productive assets that can be sold (USD)"),
    "house_value": Column(np.float32, 0.0, "saleable house or land (USD)"),
    "savings": Column(np.float32, 0.0, "savings (USD)"),
    "debt": Column(np.float32, 0.0, "debt (USD)"),
    "livelihood": Column(np.int8, int(Livelihood.CASUAL), "codes.Livelihood"),
    "income": Column(np.float32, 0.0, "earned income this step (USD)"),
    "aid": Column(np.float32, 0.0, "aid received this step (USD), rations and transfers"),
    "aid_received_total": Column(np.float64, 0.0, "all aid received so far (USD), for accounting"),
    "need": Column(np.float32, 0.0, "minimum expenditure basket this step (USD)"),
    "unmet_need": Column(np.float32, 0.0, "share of needs still unmet after coping, 0..1"),
    "consumption": Column(np.float32, 0.0, "consumption expenditure this step (USD): what the "
                          "household spends on its basket, paid from income, aid, savings "
                          "drawn, borrowing, sales and emergency earnings; not debt service, "
                          "repayments or saving; below the basket by the spending cut and the "
                          "need left unmet (phases/coping.py, consumption)"),
    "below_meb": Column(np.bool_, False, "consumption this step below the household's MEB "
                        "basket (the poverty line of VASyR and WFP's CARI), by more than "
                        "float rounding: phases/coping.py"),
    "below_survival": Column(np.bool_, False, "consumption this step below the survival "
                             "minimum, survival_share x the household's basket (the line "
                             "emergency strategies work toward: phases/coping.py, rule 2); a "
                             "household consuming exactly at the line is not below it"),
    # coping (WFP LCS)
    "lcs": Column(np.int8, int(Coping.NONE), "highest coping level used this step, 1..4"),
    "strategies_used": Column(np.uint16, 0, "bitmask of strategies used this step"),
    "strategies_exhausted": Column(np.uint16, 0, "bitmask of strategies used up for good (but "
                                  "children re-enrol: coping.reenrols)"),
    "protected": Column(np.bool_, False, "covered by a safety net: emergency strategies capped"),
    # indicators
    "rcsi": Column(np.int8, 0, "reduced Coping Strategies Index, 0..56"),
    "rsi": Column(np.float32, 1.0, "mean Refugee Self-Reliance Index domain score, 1..5"),
    "rsi_min": Column(np.int8, 1, "lowest RSI domain score, 1..5"),
    "self_reliant": Column(np.bool_, False, "self-reliant by the RSI rule (indicators.py)"),
    "living_standard": Column(np.float32, 0.0, "(income + aid) / need"),
    "t_aid_since": Column(np.int32, -1, "step since which aid has exceeded the dependency share"),
    "aid_dependent": Column(np.bool_, False, "aid-dependent (DESIGN.md section 5)"),
    "cari": Column(np.int8, 1, "WFP CARI food security class, 1..4"),
    "return_attachment": Column(np.float32, -1.0, "latent attachment draw, 0..1 (-1: not drawn "
                                "yet): the household hopes to return while it is below its "
                                "origin ties (indicators.return_intentions)"),
    "home_damage_draw": Column(np.float32, -1.0, "latent draw, 0..1 (-1: not drawn yet): its own "
                               "home at origin is damaged while the draw is below the origin's "
                               "damage (indicators.home_condition; the household weighs it "
                               "when choosing whether to return: mobility)"),
    "credit_draw": Column(np.float32, -1.0, "latent draw, 0..1 (-1: not drawn yet): a "
                          "displaced household or migrant has someone to borrow from while "
                          "the draw is below credit_access (coping.has_lender)"),
    "return_safety_draw": Column(np.float32, -1.0, "latent draw, 0..1 (-1: not drawn yet): "
                                 "the household judges its origin safe while the draw is at "
                                 "least threat / return_threat_max "
                                 "(indicators.return_intentions)"),
    "return_hope": Column(np.bool_, False, "displaced and hopes to return home one day"),
    "return_intent": Column(np.bool_, False, "displaced and intends to return within 12 months"),
    "home_unusable": Column(np.int8, 0, "a returnee that cannot move back into its own home: "
                            "0 can (or not a returnee), 1 home damaged, 2 home not secure "
                            "(HLP lost, occupied)"),
    # mobility
    "aspiration": Column(np.float32, 0.0, "aspiration to move, 0..1"),
    "immobile": Column(np.bool_, False, "aspires to move but cannot (involuntary immobility)"),
    "destination": Column(np.int32, -1, "node a household in transit is heading to"),
    "travel_km": Column(np.float32, 0.0, "km still to travel (in transit)"),
    "arrival_status": Column(np.int8, int(Status.IN_PLACE), "status on arrival (in transit)"),
    "hop_journey": Column(np.bool_, False, "travelling hop by hop: next stop chosen at each "
                                            "settlement (phases/journeys.py)"),
    "worker_node": Column(np.int32, -1, "abroad node where one member works on a labour "
                                         "mobility contract, sending remittances (-1: nobody "
                                         "away; interventions/labour_mobility.py)"),
    "worker_return_step": Column(np.int32, -1, "step at which that member comes home (-1: "
                                                "nobody away)"),
    # solutions
    "t_criteria_since": Column(np.int32, -1, "step since which the IASC criteria hold"),
    "durable_solution": Column(np.bool_, False, "IASC criteria held for the sustained period"),
    "t_solution": Column(np.int32, -1, "step a solution pathway began (return, integration...)"),
}


class HouseholdStore:
    """Column arrays for all households; see module docstring.

    ``layout`` (default: every column of ``COLUMNS`` with its dtype) names the columns this
    store holds and their dtypes: a run whose plan reads few columns (a Flee validation,
    ``validation/runner.py``) keeps only those, in compact dtypes. Values given to ``append``
    for columns not held are dropped; reading such a column is an AttributeError.
    ``reserve``: rows to allocate at once (the households a run will have, so the buffers
    never grow by doubling and copying).
    """

    #: the store's first row, as ``RowSlice.start`` is a slice's: a per-household rule given
    #: either one finds its rows of a whole-store array at ``start:start + len(hh)``
    start = 0

    def __init__(self, n: int = 0, layout: dict[str, np.dtype] | None = None, reserve: int = 0):
        layout = {name: col.dtype for name, col in COLUMNS.items()} if layout is None else layout
        unknown = set(layout) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown household columns: {sorted(unknown)}")
        object.__setattr__(self, "n", 0)
        object.__setattr__(self, "_buffers", {
            name: np.full(max(n, reserve, 16), COLUMNS[name].default, dtype=dtype)
            for name, dtype in layout.items()
        })
        object.__setattr__(self, "n", n)
        self._bind()

    def _bind(self) -> None:
        for name, buffer in self._buffers.items():
            object.__setattr__(self, name, buffer[: self.n])

    def __setattr__(self, name: str, value) -> None:
        if name in self._buffers:
            self._buffers[name][: self.n] = value
        elif name in COLUMNS:
            raise AttributeError(f"this HouseholdStore does not hold column {name!r} (it holds "
                                 f"{', '.join(self._buffers)})")
        else:
            raise AttributeError(f"HouseholdStore has no column {name!r}; columns: {', '.join(COLUMNS)}")

    def holds(self, name: str) -> bool:
        """Whether this store keeps column ``name`` (see ``layout``)."""
        return name in self._buffers

    def __len__(self) -> int:
        return self.n

    @property
    def capacity(self) -> int:
        return len(self._buffers["node"])

    def append(self, count: int, **values) -> np.ndarray:
        """Add ``count`` households with the given column values; return their row ids."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown household columns: {sorted(unknown)}")
        start, stop = self.n, self.n + count
        if stop > self.capacity:
            new_capacity = max(stop, 2 * self.capacity)
            for name, buffer in self._buffers.items():
                grown = np.full(new_capacity, COLUMNS[name].default, dtype=buffer.dtype)
                grown[: self.n] = buffer[: self.n]
                self._buffers[name] = grown
        for name, buffer in self._buffers.items():
            buffer[start:stop] = values.get(name, COLUMNS[name].default)
        object.__setattr__(self, "n", stop)
        self._bind()
        return np.arange(start, stop)

    def row(self, i: int) -> dict:
        """All variables of household ``i`` as Python values (for inspection and tests)."""
        return {name: getattr(self, name)[i].item() for name in self._buffers}

    def nbytes(self) -> int:
        """Bytes held by the column buffers."""
        return sum(buffer.nbytes for buffer in self._buffers.values())

    def rows(self, start: int, stop: int) -> "RowSlice":
        """Rows ``start:stop`` as a store of their own (``RowSlice``): every column a view of
        those rows, so a rule given it reads and writes only them."""
        return RowSlice(self, start, stop)


class RowSlice:
    """Rows ``start:stop`` of a ``HouseholdStore``, read and written like the store itself.

    Each column is a view of the store's rows; assigning to a column writes into them, as it
    does on the store. For rules that treat each household on its own (no sum over
    households), so that they can run on slices of rows at once (``simulation/chunks.py``).
    The store must not grow while a slice is in use.
    """

    def __init__(self, store: HouseholdStore, start: int, stop: int):
        object.__setattr__(self, "n", stop - start)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "_columns", {name: buffer[start:stop]
                                              for name, buffer in store._buffers.items()})
        for name, column in self._columns.items():
            object.__setattr__(self, name, column)

    def __setattr__(self, name: str, value) -> None:
        if name not in self._columns:
            raise AttributeError(f"RowSlice has no column {name!r}")
        self._columns[name][...] = value

    def holds(self, name: str) -> bool:
        return name in self._columns

    def __len__(self) -> int:
        return self.n
