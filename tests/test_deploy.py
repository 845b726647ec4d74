"""The systemd units in deploy/ are valid (`systemd-analyze verify`, where it exists) and keep the
promises the README makes: restart on failure, token from an environment file, private umask,
nightly backup timer; Rasa's auth token never on its command line."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.config import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted(p.name for p in DEPLOY.iterdir() if p.suffix in (".service", ".timer"))


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_every_unit(tmp_path):
    for name in UNITS:  # installed in /opt/ethics-bot; here the checkout stands in for it
        (tmp_path / name).write_text((DEPLOY / name).read_text().replace("/opt/ethics-bot", str(ROOT)))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *UNITS], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_the_bot_and_rasa_restart_on_failure_with_a_private_umask_and_the_token_from_a_file():
    assert UNITS == ["ethics-backup.service", "ethics-backup.timer", "ethics-bot.service", "ethics-rasa.service"]
    for name in ("ethics-bot.service", "ethics-rasa.service"):
        service = _unit(name)["Service"]
        assert service["Restart"] == "on-failure" and service["UMask"] == "0077"
        assert service["EnvironmentFile"] == "/etc/ethics-bot/env"
        assert "TOKEN" not in service["ExecStart"]
    assert _unit("ethics-bot.service")["Service"]["ExecStart"].endswith("-m bot run")
    backup = _unit("ethics-backup.service")["Service"]
    assert "-m bot backup" in backup["ExecStart"] and backup["UMask"] == "0077"
    assert _unit("ethics-backup.timer")["Timer"]["OnCalendar"] == "*-*-* 02:30:00"


def _command_lines() -> list[bytes]:
    """Every process's command line, as `ps` shows them to any user."""
    lines = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(path.read_bytes())
        except OSError:  # the process ended meanwhile
            pass
    return lines


@pytest.mark.rasa
def test_rasa_is_served_without_its_auth_token_on_the_command_line(rasa_server):
    command_lines = _command_lines()
    serving = [c for c in command_lines if rasa_server.url.rsplit(":", 1)[1].encode() in c and b"rasa" in c]
    assert serving and not any(rasa_server.token.encode() in c for c in serving)
