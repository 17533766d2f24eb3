"""The webhook goes to the address that was checked, not to a second DNS answer."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from app.notifications import service as notifications
from app.webhooks import WebhookRefused, resolve_target


def _answers(monkeypatch: pytest.MonkeyPatch, *rounds: list[str]) -> list[str]:
    """Stub DNS: the n-th lookup answers the n-th list of addresses; returns the hosts asked."""
    asked: list[str] = []

    def getaddrinfo(host: str, port: int, *args: Any, **kw: Any) -> list[Any]:
        asked.append(host)
        answer = rounds[min(len(asked), len(rounds)) - 1]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answer
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_the_checked_address_is_the_one_connected_to(monkeypatch: pytest.MonkeyPatch) -> None:
    _answers(monkeypatch, ["93.184.215.14"])
    target = resolve_target("https://robot.example.com/send?key=abc", allow_private=False)
    assert target.url == "https://93.184.215.14/send?key=abc"
    assert target.headers == {"Host": "robot.example.com"}
    assert target.extensions == {"sni_hostname": "robot.example.com"}  # the certificate's name


def test_a_port_and_an_ipv6_answer_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    _answers(monkeypatch, ["2606:4700::6810:84e5"])
    target = resolve_target("https://robot.example.com:8443/hook", allow_private=False)
    assert target.url == "https://[2606:4700::6810:84e5]:8443/hook"
    assert target.headers == {"Host": "robot.example.com:8443"}


@pytest.mark.parametrize("answer", [["127.0.0.1"], ["93.184.215.14", "10.0.0.8"], ["::1"]])
def test_any_private_answer_is_refused(monkeypatch: pytest.MonkeyPatch, answer: list[str]) -> None:
    _answers(monkeypatch, answer)
    with pytest.raises(WebhookRefused, match="private"):
        resolve_target("https://robot.example.com/hook", allow_private=False)


def test_a_post_looks_up_once_and_a_rebinding_answer_is_never_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first lookup is public; any later one would point at the office network.
    asked = _answers(monkeypatch, ["93.184.215.14"], ["10.0.0.8"])
    sent: list[httpx.Request] = []

    def send(self: httpx.Client, request: httpx.Request, **kw: Any) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"errcode": 0}, request=request)

    monkeypatch.setattr(httpx.Client, "send", send)
    error = notifications._post(
        "https://robot.example.com/send?key=abc",
        {"msgtype": "text"},
        notifications.DeliveryPolicy(allow_private=False),
    )
    assert error is None
    assert asked == ["robot.example.com"]
    [request] = sent
    assert request.url.host == "93.184.215.14"
    assert request.headers["Host"] == "robot.example.com"
    assert request.extensions["sni_hostname"] == "robot.example.com"


def test_with_private_hosts_allowed_the_url_is_used_as_typed() -> None:
    target = resolve_target("http://robot.office.lan:8080/hook", allow_private=True)
    assert target.url == "http://robot.office.lan:8080/hook"
    assert target.headers == {}
