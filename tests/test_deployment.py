"""The deployment: the compose file, Caddy's configuration, and `doorstep serve` on a network.

The compose file is checked by Compose itself (`docker compose config`, or the standalone
`docker-compose`; no Docker engine is needed) and the Caddyfile by `caddy validate`. Both tools
are installed by scripts/setup.sh for the test setup; CI fails without them, elsewhere they skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from app import cli as cli_module
from app.config import DEFAULT_PUBLIC_BASE_URL, PROJECT_ROOT, get_settings

DEPLOY_ENV = {
    "DOORSTEP_PUBLIC_BASE_URL": "https://192.168.1.20",
    "DOORSTEP_SECRET_KEY": "0" * 64,
    "POSTGRES_PASSWORD": "5f3a9c1e7b2d4068a1c3e5f7",
}


def _missing(tool: str) -> None:
    message = f"{tool} is not installed (scripts/setup.sh installs it with DOORSTEP_SETUP=test)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _compose_command() -> list[str]:
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    _missing("docker compose (or docker-compose)")
    raise AssertionError("unreachable")


def _clean_env(extra: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The caller's environment without any DOORSTEP_/POSTGRES_ setting, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DOORSTEP_", "POSTGRES_")) and k != "COMPOSE_FILE"
    }
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    env.update(extra)
    return env


def compose_config(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`docker compose config` of the project's compose file, without any .env file."""
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    return subprocess.run(
        [
            *_compose_command(),
            "--project-directory",
            str(PROJECT_ROOT),
            "--env-file",
            str(empty_env_file),
            "-f",
            str(PROJECT_ROOT / "docker-compose.yml"),
            "config",
        ],
        capture_output=True,
        text=True,
        env=_clean_env(env, tmp_path),
        check=False,
        timeout=120,
    )


class TestCompose:
    @pytest.fixture
    def config(self, tmp_path: Path) -> dict[str, Any]:
        result = compose_config(DEPLOY_ENV, tmp_path)
        assert result.returncode == 0, result.stderr
        parsed: dict[str, Any] = yaml.safe_load(result.stdout)
        return parsed

    def test_caddy_terminates_tls_in_front_of_the_api_with_several_workers(
        self, config: dict[str, Any]
    ) -> None:
        services = config["services"]
        assert {"caddy", "api", "db", "worker", "migrate"} <= set(services)
        caddy = services["caddy"]
        assert caddy["image"].startswith("caddy:")
        published = {str(p["published"]) if isinstance(p, dict) else p for p in caddy["ports"]}
        assert {"80", "443"} <= {p.split(":")[0] for p in published}
        assert any(
            v.endswith(":/etc/caddy/Caddyfile:ro") or "Caddyfile" in str(v)
            for v in caddy["volumes"]
        )
        api = services["api"]
        assert "ports" not in api, "only Caddy is reachable from outside"
        command = api["command"]
        assert int(command[command.index("--workers") + 1]) > 1
        assert "--proxy-headers" in command

    def test_passwords_and_the_public_address_come_from_the_environment(
        self, config: dict[str, Any]
    ) -> None:
        services = config["services"]
        password = DEPLOY_ENV["POSTGRES_PASSWORD"]
        assert services["db"]["environment"]["POSTGRES_PASSWORD"] == password
        for name in ("api", "worker", "migrate"):
            env = services[name]["environment"]
            assert f":{password}@db:" in env["DOORSTEP_DATABASE_URL"]
            assert env["DOORSTEP_SECRET_KEY"] == DEPLOY_ENV["DOORSTEP_SECRET_KEY"]
            assert env["DOORSTEP_PUBLIC_BASE_URL"] == "https://192.168.1.20"
        assert services["caddy"]["environment"]["DOORSTEP_PUBLIC_BASE_URL"] == (
            "https://192.168.1.20"
        )
        text = (PROJECT_ROOT / "docker-compose.yml").read_text()
        assert "doorstep:doorstep@" not in text
        assert "POSTGRES_PASSWORD: doorstep" not in text

    @pytest.mark.parametrize("name", sorted(DEPLOY_ENV))
    def test_each_required_setting_missing_is_named(self, name: str, tmp_path: Path) -> None:
        env = {k: v for k, v in DEPLOY_ENV.items() if k != name}
        result = compose_config(env, tmp_path)
        assert result.returncode != 0
        assert name in result.stderr


class TestCaddy:
    def _validate(self, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
        if not shutil.which("caddy"):
            _missing("caddy")
        return subprocess.run(
            [
                "caddy",
                "validate",
                "--config",
                str(PROJECT_ROOT / "deploy" / "Caddyfile"),
                "--adapter",
                "caddyfile",
            ],
            capture_output=True,
            text=True,
            env=_clean_env(env, tmp_path),
            check=False,
            timeout=120,
        )

    @pytest.mark.parametrize(
        "env",
        [
            {"DOORSTEP_PUBLIC_BASE_URL": "https://192.168.1.20"},
            {"DOORSTEP_PUBLIC_BASE_URL": "https://doorstep.example.org:8443"},
            {
                "DOORSTEP_PUBLIC_BASE_URL": "https://doorstep.example.org",
                "DOORSTEP_TLS": "ops@example.org",
            },
        ],
        ids=["lan-ip-local-ca", "domain-local-ca", "domain-acme"],
    )
    def test_the_caddyfile_is_valid_for_a_public_address(
        self, env: dict[str, str], tmp_path: Path
    ) -> None:
        result = self._validate(tmp_path, **env)
        assert result.returncode == 0, result.stderr
        assert "Valid configuration" in result.stdout + result.stderr

    def test_without_the_public_address_caddy_refuses_to_start(self, tmp_path: Path) -> None:
        assert self._validate(tmp_path).returncode != 0


class TestDocumented:
    def test_env_example_and_readme_name_the_public_address(self) -> None:
        example = (PROJECT_ROOT / ".env.example").read_text()
        readme = (PROJECT_ROOT / "README.md").read_text()
        for name in ("DOORSTEP_PUBLIC_BASE_URL", "POSTGRES_PASSWORD", "DOORSTEP_SECRET_KEY"):
            assert name in example
            assert name in readme
        assert "doorstep-ca.crt" in readme
        assert "--ssl-certfile" in readme
        assert "--host 0.0.0.0" in readme


class TestServe:
    @pytest.fixture
    def served(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
        calls: list[dict[str, Any]] = []
        import uvicorn

        monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
        monkeypatch.delenv("DOORSTEP_PUBLIC_BASE_URL", raising=False)
        get_settings.cache_clear()
        yield calls
        get_settings.cache_clear()

    def test_serving_the_network_with_the_default_public_address_warns(
        self, served: list[dict[str, Any]]
    ) -> None:
        result = CliRunner().invoke(cli_module.cli, ["serve", "--host", "0.0.0.0", "--no-migrate"])
        assert result.exit_code == 0, result.output
        assert "DOORSTEP_PUBLIC_BASE_URL" in result.output
        assert DEFAULT_PUBLIC_BASE_URL in result.output
        assert served[0]["host"] == "0.0.0.0"

    def test_loopback_or_a_set_public_address_does_not_warn(
        self, served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        result = CliRunner().invoke(cli_module.cli, ["serve", "--no-migrate"])
        assert result.exit_code == 0
        assert "DOORSTEP_PUBLIC_BASE_URL" not in result.output
        monkeypatch.setenv("DOORSTEP_PUBLIC_BASE_URL", "https://192.168.1.20:8443")
        get_settings.cache_clear()
        result = CliRunner().invoke(cli_module.cli, ["serve", "--host", "0.0.0.0", "--no-migrate"])
        assert result.exit_code == 0
        assert "DOORSTEP_PUBLIC_BASE_URL" not in result.output

    def test_certificate_and_key_are_passed_to_uvicorn(
        self, served: list[dict[str, Any]], tmp_path: Path
    ) -> None:
        cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
        cert.write_text("cert")
        key.write_text("key")
        result = CliRunner().invoke(
            cli_module.cli,
            ["serve", "--no-migrate", "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
        )
        assert result.exit_code == 0, result.output
        assert "https://127.0.0.1:8000/" in result.output
        assert served[0]["ssl_certfile"] == str(cert)
        assert served[0]["ssl_keyfile"] == str(key)

    def test_a_certificate_without_its_key_is_refused(
        self, served: list[dict[str, Any]], tmp_path: Path
    ) -> None:
        cert = tmp_path / "cert.pem"
        cert.write_text("cert")
        result = CliRunner().invoke(
            cli_module.cli, ["serve", "--no-migrate", "--ssl-certfile", str(cert)]
        )
        assert result.exit_code != 0
        assert served == []
