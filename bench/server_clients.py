"""The simulated users of the many-users benchmark: real headless Chromium pages driven together (Playwright, asyncio).

Each user gets its own browser context (its own cookies and Streamlit
session) and does what a planner does:

1. opens the app (``page.goto`` until the sign-in form is there: ``open_s``);
2. signs in with a viewer account (name, password, 登录) and waits for the
   dashboard's folium map drawn with its six counties and parks
   (``first_map_s``: from the click on 登录 to that map in the map iframe;
   ``open_s + first_map_s`` is a visit from nothing to the map);
3. changes filters a few times, a pause of ``think_s`` between: the county
   (a county, then back to the whole city) and the choropleth measure, each
   timed as :mod:`bench.browser` times a redraw (the option's click until a
   new map, or a new overlay group on the kept map, is drawn with paths).

Errors counted per user: uncaught exceptions in the page, console errors,
failed requests, HTTP responses of 500 or more, requests to another host,
Streamlit error boxes (``stException``, ``stAlertContentError``) after each
step, and a step that did not finish within the timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.browser import APP_BUSY, CHROMIUM_ARGS, LOCAL_PREFIXES, MAP_FRAME, MARK_OLD_MAPS, NEW_MAP_DRAWN

COUNTY_STROKE = "#37474f"  # layers.counties: a county's outline on the city view
FIRST_MAP_DRAWN = """([sel, stroke]) => [...document.querySelectorAll(sel)].some(f => {
  const d = f.contentWindow && f.contentWindow.document;
  if (!d || !f.contentWindow.map_div) { return false; }
  const paths = d.querySelectorAll('path.leaflet-interactive');
  return d.querySelectorAll(`path.leaflet-interactive[stroke='${stroke}']`).length >= 6 && paths.length > 6;
})"""
# start watching for the new map on every animation frame; return the page clock (ms) at the start
WATCH_REDRAW = f"""sel => {{ const drawn = {NEW_MAP_DRAWN}; window.__benchDrawnAt = null;
  const look = () => {{ if (drawn(sel)) {{ window.__benchDrawnAt = performance.now(); }} else {{ requestAnimationFrame(look); }} }};
  requestAnimationFrame(look); return performance.now(); }}"""
ERROR_BOXES = "[data-testid='stException'], [data-testid='stAlertContentError']"
SIDEBAR_BOX = "[data-testid='stSidebar'] [data-testid='stSelectbox']"
COUNTY_LABEL, MEASURE_LABEL = "区县", "分级设色指标"
SIGN_IN = "登录"
RETRIES = 2  # a pick lost to a concurrent rerun is made again, at most this many times
OPTION_CLICK_MS = 10_000  # an option that cannot be clicked this long was redrawn away: the pick is made again
TAKEN_CHECK_MS = 5000  # within this the box must show the pick (or the new map be there), else it was lost


@dataclass(frozen=True)
class User:
    """One simulated user: its account, which app it opens, and its seed (county and measure choices, pauses)."""

    name: str
    password: str
    url: str
    app: int
    seed: int


@dataclass
class UserResult:
    """What one user measured (seconds) and the errors it met."""

    name: str
    app: int
    started_s: float = 0.0  # since the benchmark's users were released
    open_s: float | None = None
    first_map_s: float | None = None
    redraws: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)  # steps whose pick was lost to a rerun and made again
    done: bool = False


def _record_errors(page: Any, result: UserResult) -> None:
    def on_console(message: Any) -> None:
        if message.type == "error":
            result.errors.append(f"console: {message.text[:300]}")

    def on_failed(request: Any) -> None:
        result.errors.append(f"request failed: {request.url[:200]} ({request.failure})")

    def on_response(response: Any) -> None:
        if response.status >= 500:
            result.errors.append(f"HTTP {response.status}: {response.url[:200]}")

    def on_request(request: Any) -> None:
        if not request.url.startswith(LOCAL_PREFIXES):
            result.errors.append(f"request to another host: {request.url[:200]}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: result.errors.append(f"page exception: {str(exc)[:300]}"))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("request", on_request)


async def _wait_idle(page: Any, timeout_ms: float) -> None:
    for _ in range(2):
        await page.wait_for_function(f"() => !({APP_BUSY})()", timeout=timeout_ms)
        await page.wait_for_timeout(300)


async def _check_boxes(page: Any, result: UserResult, step: str) -> None:
    boxes = page.locator(ERROR_BOXES)
    for i in range(await boxes.count()):
        result.errors.append(f"error box after {step}: {(await boxes.nth(i).inner_text())[:300]}")


async def _sign_in(page: Any, user: User, result: UserResult, timeout_ms: float) -> None:
    start = time.perf_counter()
    await page.goto(user.url, wait_until="commit", timeout=timeout_ms)
    name_box = page.locator("input[aria-label='账户名']")
    await name_box.wait_for(state="visible", timeout=timeout_ms)
    result.open_s = time.perf_counter() - start
    await name_box.fill(user.name)
    await page.locator("input[aria-label='密码']").fill(user.password)
    start = time.perf_counter()
    await page.get_by_role("button", name=SIGN_IN, exact=True).click()
    await page.wait_for_function(FIRST_MAP_DRAWN, arg=[MAP_FRAME, COUNTY_STROKE], polling="raf", timeout=timeout_ms)
    result.first_map_s = time.perf_counter() - start
    await _wait_idle(page, timeout_ms)
    await _check_boxes(page, result, "sign-in")


async def _shows(box: Any, wanted: str) -> bool:
    inputs = box.locator("input")
    return bool(await inputs.count()) and await inputs.first.input_value() == wanted


async def _taken(page: Any, box: Any, wanted: str) -> bool:
    """Whether a pick took: within :data:`TAKEN_CHECK_MS` the box shows it or the new map is there."""
    deadline = time.perf_counter() + TAKEN_CHECK_MS / 1000
    while time.perf_counter() < deadline:
        if await page.evaluate("() => window.__benchDrawnAt !== null") or await _shows(box, wanted):
            return True
        await page.wait_for_timeout(250)
    return False


async def _choose(page: Any, label: str, pick: Any, result: UserResult, step: str, timeout_ms: float) -> None:
    """Open the sidebar select box ``label``, pick an option (``pick(options) -> index``) and time the redraw.

    The time is taken in the page: from just before the click to the first animation frame in which the
    new map (or a new overlay group on the kept map) is there with paths (:data:`WATCH_REDRAW`). A pick
    can be lost when a rerun redraws the sidebar between the box opening and the click (five seconds later
    the box still shows the old value and no new map came): it is made again, at most :data:`RETRIES` times,
    counted in ``result.retried``, and timed from the click that took.
    """
    box = page.locator(SIDEBAR_BOX).filter(has_text=label).first
    clicked_at = 0.0
    for attempt in range(RETRIES + 1):
        await box.click(timeout=timeout_ms)  # under load the sidebar can be busy for longer than Playwright's 30 s
        options = page.get_by_role("option")
        await options.first.wait_for(state="visible", timeout=timeout_ms)
        names = [text.strip() for text in await options.all_inner_texts()]
        wanted = names[pick(names)]
        if attempt and await _shows(box, wanted):  # the earlier pick took after all: keep its watcher and its time
            await page.keyboard.press("Escape")
            break
        if await page.evaluate(MARK_OLD_MAPS, MAP_FRAME) < 1:
            result.errors.append(f"no Leaflet map before {step}")
        clicked_at = await page.evaluate(WATCH_REDRAW, MAP_FRAME)
        try:
            await options.nth(names.index(wanted)).click(timeout=OPTION_CLICK_MS)
        except PlaywrightTimeout:  # the list was redrawn away under the pointer: a lost pick
            if attempt == RETRIES:
                raise
            result.retried.append(step)
            await page.keyboard.press("Escape")
            continue
        if await _taken(page, box, wanted) or attempt == RETRIES:
            break
        result.retried.append(step)
        await _wait_idle(page, timeout_ms)
    await page.wait_for_function("() => window.__benchDrawnAt !== null", polling=200, timeout=timeout_ms)
    drawn_at = await page.evaluate("() => window.__benchDrawnAt")
    result.redraws.append((step, (drawn_at - clicked_at) / 1000))
    await _wait_idle(page, timeout_ms)
    await _check_boxes(page, result, step)


Pick = Callable[[list[str]], int]  # the options' texts -> the index chosen


def filter_steps(rng: random.Random) -> list[tuple[str, Pick, str]]:
    """The four filter changes a user makes, drawn from ``rng`` (the same seed gives the same choices, whichever client).

    Returns
    -------
    list of (str, callable, str)
        The box's label, which option to choose among the texts shown, and the step's name: a county, another
        choropleth measure, back to the whole city, back to the default measure.
    """
    county_pick = 1 + rng.randrange(6)  # option 0 is the whole city
    measure_pick = rng.randrange(1, 5)  # option 0 is the default measure
    return [
        (COUNTY_LABEL, lambda names: county_pick, "county"),
        (MEASURE_LABEL, lambda names: measure_pick % len(names), "measure"),
        (COUNTY_LABEL, lambda names: 0, "city"),
        (MEASURE_LABEL, lambda names: 0, "measure_back"),
    ]


async def staggered(results: Sequence[UserResult], one: Callable[[int], Awaitable[UserResult]], *, ramp_s: float,
                    on_half_mapped: Callable[[], None] | None) -> None:  # fmt: skip
    """Run ``one(i)`` for every user, user ``i`` starting at ``i * ramp_s / len(results)``; wait for all.

    ``results[i].started_s`` is set when user ``i`` starts; ``on_half_mapped`` (if given) is called once,
    on the event loop, when half the users have their first map or all have finished.
    """
    released = time.perf_counter()

    async def start(i: int) -> UserResult:
        await asyncio.sleep(i * ramp_s / max(len(results), 1))
        results[i].started_s = time.perf_counter() - released
        return await one(i)

    tasks = [asyncio.create_task(start(i)) for i in range(len(results))]
    while on_half_mapped is not None and not all(t.done() for t in tasks):
        if 2 * sum(r.first_map_s is not None for r in results) >= len(results):
            break
        await asyncio.sleep(0.2)
    if on_half_mapped is not None:
        on_half_mapped()
    await asyncio.gather(*tasks)


async def run_user(browser: Any, user: User, result: UserResult, *, think_s: tuple[float, float], timeout_ms: float,
                   failures: Path | None = None) -> UserResult:  # fmt: skip
    """Drive one user through sign-in, first map and four filter changes in a new browser context.

    Parameters
    ----------
    browser
        A Playwright (async) Chromium browser.
    user
        Who, where and with which seed.
    result
        Filled in as the user goes (so others can watch its progress).
    think_s
        The pause between steps is drawn uniformly from this range (seconds).
    timeout_ms
        How long one step may take.
    failures
        Where a screenshot of the page is saved when a step fails (None: no screenshot).

    Returns
    -------
    UserResult
        ``result``: timings and errors (a timeout or crash is one error; what was measured before it is kept).
    """
    rng = random.Random(user.seed)
    context = await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page, step = None, "sign-in"
    try:
        page = await context.new_page()
        _record_errors(page, result)
        await _sign_in(page, user, result, timeout_ms)
        for label, pick, step in filter_steps(rng):
            await asyncio.sleep(rng.uniform(*think_s))
            await _choose(page, label, pick, result, step, timeout_ms)
        result.done = True
    except Exception as exc:  # a timeout or a crash is an error of this user; the others go on
        result.errors.append(f"{step}: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
        if page is not None and failures is not None:
            with contextlib.suppress(Exception):
                failures.mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=str(failures / f"bench_server_failed_{user.name}_{step}.png"), full_page=True)
    finally:
        await context.close()
    return result


async def run_users(users: list[User], *, ramp_s: float, think_s: tuple[float, float], timeout_ms: float,
                    browsers: int = 1, on_half_mapped: Callable[[], None] | None = None,
                    failures: Path | None = None) -> list[UserResult]:  # fmt: skip
    """Run every user at once in ``browsers`` Chromium processes; user ``i`` starts at ``i * ramp_s / len(users)``.

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
    browsers
        Chromium processes the users are spread over.
    on_half_mapped
        Called once (on the event loop: keep it short) when half the users have their first map, or all have
        finished: the benchmark starts the county writers then, so they write while users change filters.
    failures
        Where screenshots of failed steps go (None: none).

    Returns
    -------
    list of UserResult
        One per user, in order.
    """
    from playwright.async_api import async_playwright

    from bench.appserver import CHROMIUM

    results = [UserResult(u.name, u.app) for u in users]
    async with async_playwright() as p:
        launched = [await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS) for _ in range(browsers)]
        try:

            async def one(i: int) -> UserResult:
                return await run_user(
                    launched[i % browsers], users[i], results[i], think_s=think_s, timeout_ms=timeout_ms, failures=failures
                )

            await staggered(results, one, ramp_s=ramp_s, on_half_mapped=on_half_mapped)
            return results
        finally:
            for browser in launched:
                await browser.close()
