"""The data page in a browser: a planner uploads a messy GBK register and commits it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.crs import wgs84_to_gcj02
from tests.browser.conftest import MAP_FRAME, Recorder, _prepare_store, running_app

pytestmark = pytest.mark.browser
TIMEOUT_MS = 90_000
# Three good parks in 柯桥区 (WGS-84 positions converted to GCJ-02, as Amap gives them) and one bad row.
GOOD = [("测试纺织小微企业园", 120.47, 30.07), ("测试印染小微企业园", 120.50, 30.10), ("测试电商小微企业园", 120.44, 30.05)]


def _register_csv(path: Path) -> Path:
    lines = ["柯桥区小微企业园台账（测试）", "园区名称,所在区县,建设状态,建筑面积(万平方米),占地面积(亩),竣工日期,经度,纬度"]
    for name, lon, lat in GOOD:
        gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
        lines.append(f"{name},柯桥,已建成,12.5,60,2022年3月,{gcj_lon:.6f},{gcj_lat:.6f}")
    lines.append("坏行小微企业园,柯桥区,已建成,很多,60,2022-03-01,120.48,30.08")
    lines.append(",,,,,,,")
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


@pytest.fixture
def fresh_app(tmp_path: Path, small_sample_dir: Path) -> Iterator[str]:
    _prepare_store(tmp_path / "parkmap.gpkg", small_sample_dir)
    with running_app(tmp_path, log_name="server_data_page.log") as url:
        yield url


def test_upload_check_and_save_a_register(fresh_app: str, page: tuple[object, Recorder], tmp_path: Path) -> None:
    pg, rec = page
    pg.goto(f"{fresh_app}/data")
    pg.get_by_text("导入数据", exact=True).wait_for(timeout=TIMEOUT_MS)
    pg.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(_register_csv(tmp_path / "柯桥台账.csv")))
    pg.get_by_text("GCJ-02（高德、腾讯地图坐标）", exact=True).click()  # the datum is confirmed on every upload
    pg.get_by_text("拒绝", exact=True).wait_for(timeout=TIMEOUT_MS)
    metrics = pg.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert metrics[:4] == ["4", "3", "1", "1"]  # rows, accepted, rejected, blank
    assert pg.get_by_text("下载被拒绝的行及原因").count() == 1
    pg.get_by_role("button", name="保存 3 行到数据库").click()
    pg.get_by_text("已保存为快照").wait_for(timeout=TIMEOUT_MS)
    pg.goto(fresh_app)
    pg.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive").first.wait_for(timeout=TIMEOUT_MS)
    pg.get_by_text("数据：柯桥台账.csv").wait_for(timeout=TIMEOUT_MS)
    assert pg.get_by_text("当前显示的是程序生成的合成示例数据").count() == 0
    assert rec.external == []
