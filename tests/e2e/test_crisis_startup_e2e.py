"""`python -m bot` as a real process refuses a malformed crisis dataset in one clear line."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_smoke_e2e import _env, _run
from tests.unit.test_crisis_data import broken_copy


async def test_malformed_helplines_stop_start_up_with_one_line_and_status_2(tmp_path: Path) -> None:
    """A malformed helplines.yaml stops start-up before the database, naming the entry."""
    folder = broken_copy(
        tmp_path,
        "helplines.yaml",
        "text_instructions: WhatsApp 800",
        "text_instruction: WhatsApp 800",
    )
    env = _env(
        tmp_path,
        DISCORD_TOKEN="not-a-real-token",
        HEARTH_CRISIS_DATA_DIR=str(folder),
        # Nothing listens there: should the check ever let start-up through, it fails locally.
        HEARTH_DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
        HEARTH_DISCORD_GATEWAY_URL="ws://127.0.0.1:9/gateway",
    )
    code, output = await _run(env, tmp_path)
    assert code == 2
    [line] = output.strip().splitlines()
    assert line == (
        "hearth: data error: helplines.yaml: countries[0] (AE) service 'National Mental Support "
        "Line (800-HOPE)': unknown key 'text_instruction' (did you mean 'text_instructions'?)"
    )
    assert not (tmp_path / "data" / "hearth.db").exists()
