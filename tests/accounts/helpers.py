"""Helpers of the accounts tests: logging in through the real forms, and codes from a TOTP device."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"


def post_login(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def code(device: TOTPDevice, *, fresh: bool = True) -> str:
    """The device's current code. With fresh, the device forgets the last code it accepted, so a test may log in
    twice within one 30-second step (replay protection itself is tested on its own)."""
    if fresh:
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor on through the pages, as the person would. Returns the device and the recovery codes."""
    client.get(reverse("accounts:two-factor-enrol"))
    device = TOTPDevice.objects.latest("id")
    response = client.post(reverse("accounts:two-factor-enrol"), {"token": code(device)})
    assert response.status_code == 200, response.content.decode()[:2000]
    return device, response.context["codes"]
