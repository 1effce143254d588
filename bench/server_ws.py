"""The simulated users of the many-users benchmark as websocket clients that speak Streamlit's own protocol (asyncio).

A browser page costs the machine a Chromium renderer; thirty of them on two cores measure
Chromium, not the app. Each user here is one websocket session on the real app, doing what the
browser's Streamlit frontend does on the wire, and nothing it does in the page (no JavaScript runs,
so the map's component never sends a value back):

* fetches ``/``, ``/_stcore/health`` (which sets the XSRF cookie) and ``/_stcore/host-config`` over
  HTTP, then opens ``/_stcore/stream`` with the subprotocols ``streamlit, <XSRF token>`` and the
  cookie, as the frontend does (XSRF protection is on by default);
* sends ``BackMsg`` protobufs (``rerun_script`` with every active widget's state, the page's script
  hash, the query string the app last set and the hashes of the messages it keeps) and reads
  ``ForwardMsg`` protobufs: elements by delta path (so widgets are found by label), widget values
  the app sets, big messages kept by hash and ``ref_hash`` messages resolved from them (1.67 sends a
  reference only for a hash the client said it has; there is no HTTP endpoint for them), and the
  timers of ``run_every`` fragments (``auto_rerun``: a rerun of the fragment every interval, cleared
  by the next full run), which the dashboard uses to draw the page below the map after the map.

A user (:func:`run_user`) does what :func:`bench.server_clients.run_user` does, with the same
seed giving the same choices:

1. connects until the sign-in form's elements arrived (``open_s``);
2. sends 账户名, 密码 and 登录 and waits for the ``st_folium`` element carrying the dashboard's map
   with the six counties and parks (``first_map_s``), then for the page to finish (no run going and
   no fragment timer left: the page below the map is drawn);
3. four filter changes with a pause between: the county (a county, then the whole city) and the
   choropleth measure (another, then back), each timed from sending the rerun until an ``st_folium``
   element with other arguments than the map before arrived (a redraw), then waits for that run to
   finish.

Errors counted per user: exception elements and error alerts the app sent (once per text and step),
the websocket closing while the user was not done, a step not finished within the timeout, and an
HTTP status of 500 or more (or no answer) on what it fetches.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.server_clients import SIGN_IN, User, UserResult, filter_steps, staggered
from bench.streamlit_wire import Path, find_widget, rerun_message, shows_city_map, widget_state

NAME_LABEL, PASSWORD_LABEL = "账户名", "密码"
MAP_COMPONENT = "streamlit_folium"  # a component_instance whose name holds this is the dashboard's map
XSRF_COOKIE = "_streamlit_xsrf"
FINISHED, FRAGMENT_FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


@dataclass
class WsUserResult(UserResult):
    """What one websocket user measured, with what it received (ForwardMsgs and their bytes)."""

    messages: int = 0
    bytes_received: int = 0


class Session:
    """One Streamlit session over a websocket: what the frontend keeps (elements, widget states, cache, timers) and sends."""

    def __init__(self, ws: ClientConnection, url: str, result: WsUserResult) -> None:
        self.ws, self.url, self.result = ws, url, result
        self.elements: dict[Path, Element] = {}
        self.element_run: dict[Path, str] = {}
        self.states: dict[str, WidgetState] = {}
        self.cache: dict[str, list[Any]] = {}  # hash -> [message, run count when last used]
        self.runs_finished, self.max_cache_age = 0, 2
        self.page_script_hash = self.query_string = self.run_id = ""
        self.running, self.closed, self.closing = False, False, False
        self.map_key, self.map_args, self.map_version, self.map_at, self.map_is_city = "", "", 0, 0.0, False
        self.errors_seen: set[str] = set()
        self.timers: dict[str, tuple[float, asyncio.Task[None]]] = {}
        self.changed = asyncio.Condition()

    async def receive(self) -> None:
        """Read ForwardMsgs until the websocket closes; a close while the user is not done is an error."""
        try:
            async for data in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self.result.messages += 1
                self.result.bytes_received += len(data)
                self.handle(msg)
                async with self.changed:
                    self.changed.notify_all()
        except ConnectionClosed as exc:
            if not self.closing:
                self.result.errors.append(f"websocket closed: {exc}")
        finally:
            self.closed = True
            for _, task in self.timers.values():
                task.cancel()
            async with self.changed:
                self.changed.notify_all()

    def handle(self, msg: ForwardMsg) -> None:
        """Update what the session holds from one ForwardMsg (a ``ref_hash`` is resolved from the cache first)."""
        if msg.WhichOneof("type") == "ref_hash":
            kept = self.cache.get(msg.ref_hash)
            if kept is None:
                self.result.errors.append(f"ref_hash {msg.ref_hash} for a message the client does not hold")
                return
            kept[1], metadata = self.runs_finished, msg.metadata
            msg = ForwardMsg()
            msg.CopyFrom(kept[0])
            msg.metadata.CopyFrom(metadata)
        elif msg.metadata.cacheable:
            self.cache[msg.hash] = [msg, self.runs_finished]
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self._new_session(msg)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(tuple(msg.metadata.delta_path), msg.delta.new_element)
        elif kind == "navigation":
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "session_status_changed":
            self.running = msg.session_status_changed.script_is_running
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment)
        elif kind == "script_finished":
            self._finished(msg.script_finished)

    def _new_session(self, msg: ForwardMsg) -> None:
        self.run_id, self.running = msg.metadata.run.script_run_id, True
        self.max_cache_age = msg.new_session.config.max_cached_message_age or self.max_cache_age
        if msg.new_session.page_script_hash:
            self.page_script_hash = msg.new_session.page_script_hash
        if not msg.metadata.run.fragment_ids:  # a full run: the frontend clears every fragment timer
            for fragment in list(self.timers):
                self._stop_timer(fragment)

    def _element(self, path: Path, element: Element) -> None:
        self.elements[path], self.element_run[path] = element, self.run_id
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors_seen.add(f"exception: {element.exception.type}: {element.exception.message[:300]}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            self.errors_seen.add(f"error alert: {element.alert.body[:300]}")
        elif kind == "component_instance" and MAP_COMPONENT in element.component_instance.component_name:
            self._map(element.component_instance.json_args)
        wid = getattr(getattr(element, kind), "id", "") if kind else ""
        state = widget_state(element)
        if state is not None and (wid not in self.states or getattr(element, kind).set_value):
            self.states[wid] = state

    def _map(self, json_args: str) -> None:
        """Keep the dashboard's map: the first ``st_folium`` element received, and later ones with its key (not the compare map)."""
        key = json.loads(json_args).get("key")
        self.map_key = self.map_key or key
        if key == self.map_key and json_args != self.map_args:
            self.map_args, self.map_at = json_args, time.perf_counter()
            self.map_version, self.map_is_city = self.map_version + 1, shows_city_map(json_args)

    def _finished(self, status: int) -> None:
        if status == FINISHED:  # elements a full run did not send are gone from the page
            for path in [p for p, run in self.element_run.items() if run != self.run_id]:
                del self.elements[path], self.element_run[path]
        if status in (FINISHED, FRAGMENT_FINISHED):
            self.runs_finished += 1
            for key in [k for k, (_, used) in self.cache.items() if self.runs_finished - used > self.max_cache_age]:
                del self.cache[key]

    def _start_timer(self, fragment: str, interval_s: float) -> None:
        if fragment in self.timers and self.timers[fragment][0] == interval_s:
            return
        self._stop_timer(fragment)

        async def tick() -> None:
            while True:
                await asyncio.sleep(interval_s)
                await self.rerun(fragment_id=fragment, auto=True)

        self.timers[fragment] = (interval_s, asyncio.create_task(tick()))

    def _stop_timer(self, fragment: str) -> None:
        if fragment in self.timers:
            self.timers.pop(fragment)[1].cancel()

    def active_states(self) -> dict[str, WidgetState]:
        """The states of the widgets now on the page (a browser sends only these)."""
        on_page = {getattr(getattr(e, e.WhichOneof("type") or ""), "id", None) for e in self.elements.values() if e.WhichOneof("type")}
        return {wid: state for wid, state in self.states.items() if wid in on_page}

    async def rerun(self, *, triggers: tuple[str, ...] = (), fragment_id: str = "", auto: bool = False) -> None:
        """Send a rerun with every active widget's state (and ``triggers`` pressed), as the frontend does."""
        back = rerun_message(self.active_states(), page_script_hash=self.page_script_hash, query_string=self.query_string,
                             triggers=triggers, fragment_id=fragment_id, auto=auto, cached=tuple(self.cache), url=self.url)  # fmt: skip
        if not fragment_id:  # a full rerun always runs: until the app says so, a wait for the page must not see the state before it
            self.running = True
        with contextlib.suppress(ConnectionClosed):  # the receiver records the close
            await self.ws.send(back.SerializeToString())

    async def wait_for(self, done: Callable[[], bool], timeout_s: float, what: str) -> None:
        """Wait until ``done()`` holds; raise TimeoutError (naming ``what``) after ``timeout_s``, ConnectionError once closed."""
        async with self.changed:
            try:
                await asyncio.wait_for(self.changed.wait_for(lambda: done() or self.closed), timeout_s)
            except TimeoutError:
                msg = f"no {what} within {timeout_s:.0f} s"
                raise TimeoutError(msg) from None
        if not done():
            msg = f"the websocket closed before {what}"
            raise ConnectionError(msg)

    async def wait_idle(self, timeout_s: float) -> None:
        """Wait until the page is finished: no run going and no fragment timer left to start one."""
        await self.wait_for(lambda: not self.running and not self.timers, timeout_s, "finished page")

    def take_errors(self, step: str) -> None:
        """Move the error boxes seen since the last step into the result, once per text."""
        self.result.errors += [f"error box after {step}: {text}" for text in sorted(self.errors_seen)]
        self.errors_seen.clear()


def _get(url: str, cookie: str = "") -> tuple[int, str]:
    """GET ``url``: its status (0: no answer) and the XSRF cookie it set (or ``cookie``)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        status, headers = exc.code, exc.headers
    except OSError:
        return 0, cookie
    for header in headers.get_all("set-cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        if name.strip() == XSRF_COOKIE:
            cookie = f"{XSRF_COOKIE}={value.strip()}"
    return status, cookie


async def fetch(result: UserResult, url: str, cookie: str = "") -> str:
    """GET ``url`` as the browser does (off the event loop); an HTTP status >= 500 or no answer is an error; return the cookie."""
    status, cookie = await asyncio.to_thread(_get, url, cookie)
    if status == 0 or status >= 500:
        result.errors.append(f"HTTP {status or 'no answer'}: {url[:200]}")
    return cookie


async def _open(session: Session, user: User, result: UserResult, timeout_s: float) -> None:
    await session.rerun()  # the frontend's first rerun: no widgets yet
    await session.wait_for(lambda: any(e.WhichOneof("type") == "text_input" for e in session.elements.values()), timeout_s,
                           "sign-in form")  # fmt: skip
    await session.wait_idle(timeout_s)
    session.take_errors("open")


async def _sign_in(session: Session, user: User, result: UserResult, timeout_s: float) -> None:
    for label, text in ((NAME_LABEL, user.name), (PASSWORD_LABEL, user.password)):
        box = find_widget(session.elements, label, "text_input")
        session.states[box.id] = WidgetState(id=box.id, string_value=text)
    start = time.perf_counter()
    await session.rerun(triggers=(find_widget(session.elements, SIGN_IN, "button").id,))
    await session.wait_for(lambda: session.map_is_city, timeout_s, "first map")
    result.first_map_s = session.map_at - start
    await session.wait_idle(timeout_s)
    session.take_errors("sign-in")


async def _choose(session: Session, label: str, pick: Callable[[list[str]], int], result: UserResult, step: str,
                  timeout_s: float) -> None:  # fmt: skip
    """Pick an option of the sidebar select box ``label`` and time the redraw (sending the rerun until a new map arrived)."""
    box = find_widget(session.elements, label, "selectbox")
    names = list(box.options)
    if not session.map_args:
        result.errors.append(f"no map before {step}")
    session.states[box.id] = WidgetState(id=box.id, string_value=names[pick(names)])
    before, start = session.map_version, time.perf_counter()
    await session.rerun()
    await session.wait_for(lambda: session.map_version > before, timeout_s, f"new map after {step}")
    result.redraws.append((step, session.map_at - start))
    await session.wait_idle(timeout_s)
    session.take_errors(step)


async def run_user(user: User, result: WsUserResult, *, think_s: tuple[float, float], timeout_ms: float) -> WsUserResult:
    """Drive one user through sign-in, first map and four filter changes over one websocket session.

    Parameters
    ----------
    user
        Who, where and with which seed (the same seed picks what :func:`bench.server_clients.run_user` picks).
    result
        Filled in as the user goes (so others can watch its progress).
    think_s
        The pause between steps is drawn uniformly from this range (seconds).
    timeout_ms
        How long one step may take.

    Returns
    -------
    WsUserResult
        ``result``: timings and errors (a timeout or a closed websocket is one error; what was measured before it is kept).
    """
    rng, timeout_s, step = random.Random(user.seed), timeout_ms / 1000, "open"
    start = time.perf_counter()
    cookie = await fetch(result, f"{user.url}/")
    cookie = await fetch(result, f"{user.url}/_stcore/health", cookie)
    await fetch(result, f"{user.url}/_stcore/host-config", cookie)
    token = cookie.partition("=")[2]
    stream = user.url.replace("http://", "ws://", 1) + "/_stcore/stream"
    try:
        async with connect(stream, subprotocols=["streamlit", token] if token else ["streamlit"],  # type: ignore[list-item]
                           additional_headers={"Cookie": cookie, "Origin": user.url} if cookie else {"Origin": user.url},
                           max_size=None, ping_interval=None, open_timeout=timeout_s) as ws:  # fmt: skip
            session = Session(ws, f"{user.url}/", result)
            receiver = asyncio.create_task(session.receive())
            try:
                await _open(session, user, result, timeout_s)
                result.open_s = time.perf_counter() - start
                step = "sign-in"
                await _sign_in(session, user, result, timeout_s)
                for link in json.loads(session.map_args).get("js_links", []) + json.loads(session.map_args).get("css_links", []):
                    await fetch(result, f"{user.url}{link}" if link.startswith("/") else link, cookie)
                await _filter_changes(session, rng, result, think_s=think_s, timeout_s=timeout_s)
                result.done = True
            finally:
                session.take_errors(step)  # what the app showed before a step failed
                session.closing = True
                await ws.close()
                await receiver
    except Exception as exc:  # a timeout or a closed websocket is an error of this user; the others go on
        result.errors.append(f"{step}: {type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}")
    return result


async def _filter_changes(session: Session, rng: random.Random, result: UserResult, *, think_s: tuple[float, float],
                          timeout_s: float) -> None:  # fmt: skip
    for label, pick, step in filter_steps(rng):
        await asyncio.sleep(rng.uniform(*think_s))
        await _choose(session, label, pick, result, step, timeout_s)


async def run_users(users: list[User], *, ramp_s: float, think_s: tuple[float, float], timeout_ms: float,
                    on_half_mapped: Callable[[], None] | None = None) -> list[UserResult]:  # fmt: skip
    """Run every user at once, each on its own websocket session; user ``i`` starts at ``i * ramp_s / len(users)``.

    Parameters
    ----------
    users
        The users.
    ramp_s
        Users arrive evenly over this many seconds (0: all at once).
    think_s
        Pause range between a user's steps.
    timeout_ms
        How long one step may take.
    on_half_mapped
        Called once (on the event loop: keep it short) when half the users have their first map, or all have
        finished: the benchmark starts the county writers then, so they write while users change filters.

    Returns
    -------
    list of UserResult
        One :class:`WsUserResult` per user, in order.
    """
    results = [WsUserResult(u.name, u.app) for u in users]

    async def one(i: int) -> UserResult:
        return await run_user(users[i], results[i], think_s=think_s, timeout_ms=timeout_ms)

    await staggered(results, one, ramp_s=ramp_s, on_half_mapped=on_half_mapped)
    return list(results)
