"""First start: the synthetic sample goes only into a store that never held a snapshot (issue 9)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.demo.bootstrap import SAMPLE_LOADER, is_sample, load_sample_into_store, main, retire_sample
from geo.store import GeoPackageStore
from tests.geo.store.test_store import make_enterprises, make_parks, save

REPORTS = 6 * 14 + 1  # six counties, 2021Q1-2024Q2, and one report sent again after it was returned
COUNTIES = ("越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市")


@pytest.fixture
def seeded(small_sample_dir: Path, tmp_path: Path) -> GeoPackageStore:
    store = GeoPackageStore(tmp_path / "parkmap.gpkg")
    saved = load_sample_into_store(store, sample_dir=small_sample_dir)
    # every county's quarterly reports through the submission path (one withdrawn and sent again), then the firm list
    assert [info.kind for info in saved] == ["parks"] * REPORTS + ["enterprises"] and all(is_sample(info) for info in saved)
    assert saved[-1].loaded_by == SAMPLE_LOADER and {info.loaded_by for info in saved[:-1]} == {f"{c}经信局（合成示例）" for c in COUNTIES}
    return store


def test_a_new_store_gets_the_sample_once(seeded: GeoPackageStore, small_sample_dir: Path) -> None:
    assert is_sample(seeded.latest_info("parks")) and is_sample(seeded.latest_info("enterprises"))
    assert load_sample_into_store(seeded, sample_dir=small_sample_dir) == []
    assert len(seeded.list_snapshots()) == REPORTS + 1


def test_the_sample_does_not_come_back_after_a_planner_rolls_back_their_register(seeded: GeoPackageStore, small_sample_dir: Path) -> None:
    for info in seeded.list_snapshots().itertuples():
        seeded.rollback(int(info.snapshot_id), by="王工", reason="换成真实台账")
    own = save(seeded, make_parks(4), date(2024, 9, 30))
    seeded.rollback(own, by="王工", reason="填报日期错了")
    assert seeded.is_empty("parks") and seeded.is_empty("enterprises")
    assert load_sample_into_store(seeded, sample_dir=small_sample_dir) == []  # the next start, in the app or `make run`
    assert main(["--store", str(seeded.location), "--sample-dir", str(small_sample_dir)]) == 0
    assert seeded.is_empty("parks") and seeded.current("parks") is None and len(seeded.list_snapshots()) == REPORTS + 2


def test_saving_a_real_register_withdraws_the_sample_so_a_rollback_leaves_no_made_up_parks(seeded: GeoPackageStore) -> None:
    """The planner never rolled back the sample: withdrawing their own register must not make it current again."""
    own = save(seeded, make_parks(4), date(2024, 9, 30))
    retired = retire_sample(seeded, "parks", by="王工")
    assert [info.kind for info in retired] == ["parks"] * REPORTS and all(info.rolled_back for info in retired)
    assert is_sample(seeded.latest_info("enterprises"))  # the firm list is another kind: untouched
    seeded.rollback(own, by="王工", reason="填报日期错了")
    assert seeded.current("parks") is None  # no register, rather than the synthetic one
    assert retire_sample(seeded, "parks", by="王工") == []  # nothing left to withdraw


def test_a_store_that_held_only_real_data_gets_no_sample(tmp_path: Path, small_sample_dir: Path) -> None:
    store = GeoPackageStore(tmp_path / "parkmap.gpkg")
    firms = save(store, make_enterprises(5), date(2024, 6, 30), kind="enterprises")
    store.rollback(firms, by="王工", reason="错误")
    assert load_sample_into_store(store, sample_dir=small_sample_dir) == []
    assert store.is_empty("parks") and store.is_empty("enterprises")


def test_force_sample_loads_or_restores_it_on_request(
    seeded: GeoPackageStore, small_sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_parks = seeded.latest_info("parks")
    assert sample_parks is not None
    seeded.rollback(sample_parks.snapshot_id, by="王工", reason="x")
    assert main(["--store", str(seeded.location), "--sample-dir", str(small_sample_dir), "--force-sample"]) == 0
    assert "loaded sample parks" in capsys.readouterr().out
    restored = seeded.latest_info("parks")
    assert restored is not None and restored.snapshot_id == sample_parks.snapshot_id and len(seeded.list_snapshots()) == REPORTS + 1
    assert load_sample_into_store(seeded, sample_dir=small_sample_dir, force=True) == []  # already current: nothing to do


def test_force_sample_into_a_store_with_real_data(tmp_path: Path, small_sample_dir: Path) -> None:
    store = GeoPackageStore(tmp_path / "parkmap.gpkg")
    save(store, make_parks(4), date(2024, 9, 30))
    saved = load_sample_into_store(store, sample_dir=small_sample_dir, force=True)
    assert [info.kind for info in saved] == ["parks"] * REPORTS + ["enterprises"]
    assert not is_sample(store.latest_info("parks"))  # the planner's later register stays current


def test_a_zero_byte_store_is_not_seeded(tmp_path: Path, small_sample_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "parkmap.gpkg"
    path.write_bytes(b"")
    assert main(["--store", str(path), "--sample-dir", str(small_sample_dir)]) == 1
    err = capsys.readouterr().err
    assert "0 字节" in err and "Traceback" not in err
    assert path.stat().st_size == 0


def test_no_generated_sample_loads_nothing(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "parkmap.gpkg")
    assert load_sample_into_store(store, sample_dir=tmp_path / "missing") == []
    assert not store.location.exists()
