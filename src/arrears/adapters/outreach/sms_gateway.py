"""The HTTP SMS gateway of outreach-v1: one JSON ``POST`` a message, bearer token optional.

A 2xx answer with a ``provider_id`` is accepted; a 4xx is rejected (not retried); a 5xx, a 2xx
without a provider id, or no answer in time is retried (the message id lets the gateway drop
a duplicate)."""

from __future__ import annotations

import httpx

from arrears.domain.outreach import OutboundMessage, SendResult


class SmsGateway:
    def __init__(self, url: str, token: str | None = None, *, timeout: float = 10.0,
                 client: httpx.Client | None = None) -> None:
        self.url = url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = client or httpx.Client(timeout=timeout, headers=headers)

    def send(self, message: OutboundMessage) -> SendResult:
        body = {"message_id": message.message_id, "to": message.to, "text": message.text, "sender": message.sender}
        try:
            answer = self.client.post(self.url, json=body)
        except httpx.TimeoutException:
            return SendResult.retryable("the SMS gateway did not answer in time")
        except httpx.HTTPError as error:
            return SendResult.retryable(f"the SMS gateway could not be reached ({type(error).__name__})")
        if 400 <= answer.status_code < 500:
            return SendResult.rejected(f"the SMS gateway refused the message: HTTP {answer.status_code}"
                                       f" {_short(answer.text)}".rstrip())
        if not answer.is_success:
            return SendResult.retryable(f"the SMS gateway answered HTTP {answer.status_code}")
        try:
            provider_id = answer.json().get("provider_id")
        except (ValueError, AttributeError):
            provider_id = None
        if not isinstance(provider_id, str) or not provider_id:
            return SendResult.retryable(f"the SMS gateway answered HTTP {answer.status_code} without a provider_id")
        return SendResult.accepted(provider_id)

    def close(self) -> None:
        self.client.close()


def _short(text: str) -> str:
    return " ".join(text.split())[:200]
