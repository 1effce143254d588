"""The websocket users of the many-users benchmark: Streamlit's protocol in isolation, then two users on the real app.

No timing assertions. The end-to-end tests start the app on loopback on a GeoPackage copy of the small
sample with local accounts (no PostGIS needed).
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider

from bench.appserver import app_server
from bench.server import APP_ENV, PASSWORD
from bench.server_clients import User
from bench.server_ws import Session, WsUserResult, run_users
from bench.streamlit_wire import find_widget, rerun_message, shows_city_map, widget_state

COUNTIES = ["330602", "330603", "330604", "330624", "330681", "330683"]


def _run(coro: Any) -> Any:
    """Run ``coro`` with ``asyncio.run`` on a thread of its own.

    Once a browser test has used the session's sync Playwright browser (tests/conftest.py), an event loop keeps
    running on the main thread, and ``asyncio.run`` refuses to start beside it.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _element(kind: str, **fields: Any) -> Element:
    element = Element()
    getattr(element, kind).SetInParent()
    for name, value in fields.items():
        target = getattr(getattr(element, kind), name)
        if isinstance(value, list):
            target.extend(value)
        else:
            setattr(getattr(element, kind), name, value)
    return element


def _map_args(counties: list[str], *, key: str = "citymap", parks: int = 1) -> str:
    features = [{"properties": {"adcode": c}} for c in counties] + [{"properties": {"park_id": f"p{i}"}} for i in range(parks)]
    script = f"geo_json_add({json.dumps({'features': features})});"
    return json.dumps({"feature_group": script, "key": key, "js_links": []})


def _map_message(path: list[int], json_args: str, *, cacheable: bool = False, digest: str = "") -> ForwardMsg:
    msg = ForwardMsg(hash=digest)
    msg.metadata.delta_path[:] = path
    msg.metadata.cacheable = cacheable
    msg.delta.new_element.component_instance.component_name = "streamlit_folium.st_folium"
    msg.delta.new_element.component_instance.json_args = json_args
    return msg


def _run_start(run_id: str, fragments: tuple[str, ...] = ()) -> ForwardMsg:
    msg = ForwardMsg()
    msg.new_session.SetInParent()
    msg.metadata.run.script_run_id = run_id
    msg.metadata.run.fragment_ids[:] = fragments
    return msg


def _finished(status: int = ForwardMsg.FINISHED_SUCCESSFULLY) -> ForwardMsg:
    return ForwardMsg(script_finished=status)


def test_widget_states_are_encoded_as_streamlits_serde_reads_them() -> None:
    county = _element("selectbox", id="county", label="区县", options=["全市", "越城区"], default=0)
    assert widget_state(county).string_value == "全市"  # type: ignore[union-attr]
    county.selectbox.set_value, county.selectbox.raw_value = True, "越城区"  # the app set the box from a map click
    assert widget_state(county).string_value == "越城区"  # type: ignore[union-attr]
    statuses = _element("multiselect", id="s", label="状态", options=["建成", "认定", "在建"], default=[0, 1])
    assert list(widget_state(statuses).string_array_value.data) == ["建成", "认定"]  # type: ignore[union-attr]
    as_of = _element("slider", id="d", label="统计日期", options=["2024-03-31", "2024-06-30"], default=[1.0], type=Slider.SELECT_SLIDER)
    assert list(widget_state(as_of).string_array_value.data) == ["2024-06-30"]  # type: ignore[union-attr]
    assert widget_state(_element("checkbox", id="c", label="园区", default=True)).bool_value is True  # type: ignore[union-attr]
    assert widget_state(_element("text_input", id="t", label="账户名", default="")).string_value == ""  # type: ignore[union-attr]
    assert widget_state(_element("radio", id="r", label="语言", options=["中文", "English"], default=1)).string_value == "English"  # type: ignore[union-attr]
    assert widget_state(_element("button", id="b", label="登录")) is None  # a trigger goes with one rerun, it is not kept
    assert widget_state(_element("markdown", body="x")) is None


def test_a_widget_is_found_by_label_and_the_message_names_what_is_there() -> None:
    elements = {
        (1, 5): _element("selectbox", id="county", label="区县", options=["全市"], default=0),
        (1, 8): _element("selectbox", id="measure", label="分级设色指标", options=["a"], default=0),
        (0, 2, 2): _element("button", id="submit", label="登录"),
    }
    assert find_widget(elements, "分级设色指标", "selectbox").id == "measure"
    assert find_widget(elements, "登录", "button").id == "submit"
    with pytest.raises(LookupError, match=r"no selectbox labelled '底图'.*'区县', '分级设色指标'"):
        find_widget(elements, "底图", "selectbox")


def test_a_rerun_carries_every_state_the_pressed_button_the_page_and_the_cache() -> None:
    states = {wid: widget_state(_element("checkbox", id=wid, label=wid, default=True)) for wid in ("a", "b")}
    back = rerun_message(states, page_script_hash="page", query_string="county=330602", triggers=("submit",), cached=("h1",))  # type: ignore[arg-type]
    rerun = back.rerun_script
    assert [(w.id, w.WhichOneof("value")) for w in rerun.widget_states.widgets] == [("a", "bool_value"), ("b", "bool_value"),
                                                                                    ("submit", "trigger_value")]  # fmt: skip
    assert rerun.page_script_hash == "page" and rerun.query_string == "county=330602" and list(rerun.cached_message_hashes) == ["h1"]
    assert rerun.fragment_id == "" and not rerun.is_auto_rerun and rerun.context_info.locale == "zh-CN"
    tick = rerun_message({}, page_script_hash="page", fragment_id="f1", auto=True).rerun_script
    assert tick.fragment_id == "f1" and tick.is_auto_rerun and not tick.widget_states.widgets


def test_the_city_map_needs_all_six_counties_and_parks() -> None:
    assert shows_city_map(_map_args(COUNTIES))
    assert not shows_city_map(_map_args(COUNTIES[:5]))
    assert not shows_city_map(_map_args(COUNTIES, parks=0))


class _Wire:
    """Stands in for the websocket: keeps what the session sent."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, data: bytes) -> None:
        self.sent.append(data)


def test_a_session_keeps_the_page_resolves_references_and_counts_only_the_dashboards_map() -> None:
    session = Session(_Wire(), "http://127.0.0.1:1/", WsUserResult("u", 0))  # type: ignore[arg-type]
    first = _map_args(COUNTIES)
    session.handle(_run_start("run1"))
    session.handle(_map_message([0, 6], first, cacheable=True, digest="m1"))
    session.handle(_map_message([0, 23, 4], _map_args(COUNTIES, key="compare")))  # the compare map below is not the map
    box = ForwardMsg()
    box.metadata.delta_path[:] = [1, 5]
    box.delta.new_element.CopyFrom(_element("selectbox", id="county", label="区县", options=["全市"], default=0))
    session.handle(box)
    session.handle(_finished())
    assert session.map_version == 1 and session.map_args == first and "m1" in session.cache
    assert set(session.active_states()) == {"county"}
    session.handle(_run_start("run2"))  # the next run sends the same map by reference, and no select box
    ref = ForwardMsg(ref_hash="m1")
    ref.metadata.delta_path[:] = [0, 6]
    session.handle(ref)
    alert = ForwardMsg()
    alert.metadata.delta_path[:] = [0, 7]
    alert.delta.new_element.alert.body, alert.delta.new_element.alert.format = "出错了", Alert.ERROR
    session.handle(alert)
    session.handle(_finished())
    assert session.map_version == 1 and session.elements[(0, 6)].component_instance.json_args == first
    assert (1, 5) not in session.elements and session.active_states() == {}  # gone from the page: its state is not sent
    session.take_errors("county")
    assert session.result.errors == ["error box after county: error alert: 出错了"]
    session.handle(ForwardMsg(ref_hash="unknown"))
    assert "does not hold" in session.result.errors[-1]


def test_a_fragment_timer_reruns_the_fragment_until_a_full_run_clears_it() -> None:
    async def scenario() -> tuple[list[bytes], int, bool]:
        wire = _Wire()
        session = Session(wire, "http://127.0.0.1:1/", WsUserResult("u", 0))  # type: ignore[arg-type]
        tick = ForwardMsg()
        tick.auto_rerun.interval, tick.auto_rerun.fragment_id = 0.05, "frag"
        session.handle(_run_start("run1"))
        session.handle(tick)
        await asyncio.sleep(0.2)
        session.handle(_run_start("run2", ("frag",)))  # the fragment's own run keeps the timer
        kept = bool(session.timers)
        session.handle(_run_start("run3"))  # a full run clears it, as the frontend does
        ticked = len(wire.sent)
        await asyncio.sleep(0.2)
        return wire.sent, ticked, kept and not session.timers

    sent, ticked, cleared = _run(scenario())
    assert ticked >= 1 and len(sent) == ticked and cleared
    from streamlit.proto.BackMsg_pb2 import BackMsg

    back = BackMsg.FromString(sent[0])
    assert back.rerun_script.fragment_id == "frag" and back.rerun_script.is_auto_rerun


@pytest.fixture(scope="module")
def app_url(small_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The real app on loopback with local sign-in, on a copy of the small sample; yields its URL and three viewers."""
    from geo.accounts import SYSTEM, Account
    from geo.accounts.book import open_book
    from geo.accounts.passwords import hash_password

    folder = tmp_path_factory.mktemp("ws-app")
    store = folder / "parkmap.gpkg"
    shutil.copyfile(small_store_template, store)
    book, hashed, names = open_book(store), hash_password(PASSWORD), [f"ws_viewer_{i}" for i in range(3)]
    for name in names:
        book.add(Account(name, "viewer"), hashed, by=SYSTEM)
    with app_server(store, log_path=folder / "app.log", extra_env={"PARKMAP_SIGNIN": "local", **APP_ENV}) as url:
        yield url, names


@pytest.mark.slow
def test_two_websocket_users_sign_in_get_the_map_and_change_four_filters(app_url: tuple[str, list[str]]) -> None:
    url, names = app_url
    users = [User(name, PASSWORD, url, 0, seed) for seed, name in enumerate(names[:2])]
    halves: list[int] = []
    results = _run(run_users(users, ramp_s=0.5, think_s=(0, 0.2), timeout_ms=120_000, on_half_mapped=lambda: halves.append(1)))
    for r in results:
        assert r.errors == [] and r.done, r
        assert (
            r.open_s is not None
            and r.first_map_s is not None
            and [s for s, _ in r.redraws] == ["county", "measure", "city", "measure_back"]
        )
        assert isinstance(r, WsUserResult) and r.messages > 100 and r.bytes_received > 100_000
    assert halves == [1]


@pytest.mark.slow
def test_a_wrong_password_is_an_error_not_a_hang(app_url: tuple[str, list[str]]) -> None:
    url, names = app_url
    (result,) = _run(run_users([User(names[2], "not-the-password-1", url, 0, 1)], ramp_s=0, think_s=(0, 0), timeout_ms=8_000))
    assert not result.done and result.first_map_s is None
    assert any("first map" in e for e in result.errors) and any("error alert" in e for e in result.errors), result.errors


@pytest.mark.browser
def test_the_browser_users_still_run_against_the_same_app(app_url: tuple[str, list[str]]) -> None:
    from bench.server_clients import run_users as run_browser_users

    url, names = app_url
    (result,) = _run(run_browser_users([User(names[2], PASSWORD, url, 0, 3)], ramp_s=0, think_s=(0, 0), timeout_ms=120_000))
    assert result.errors == [] and result.done and len(result.redraws) == 4, result
