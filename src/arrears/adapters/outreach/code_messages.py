"""One-time codes of the customer's page, sent through the outreach channels: an SMS through the
HTTP gateway (outreach-v1), an e-mail through SMTP. The code's id is the message id, so a
gateway drops a duplicate."""

from __future__ import annotations

from typing import Protocol

from arrears.domain.outreach import OutboundMessage, SendResult


class ChannelSender(Protocol):
    def send(self, message: OutboundMessage) -> SendResult: ...


class CodeMessages:
    def __init__(self, senders: dict[str, ChannelSender], sender_name: str) -> None:
        self.senders, self.sender_name = senders, sender_name

    def send(self, channel: str, to: str, text: str, message_id: str, subject: str) -> bool:
        sender = self.senders.get(channel)
        if sender is None:
            return False
        result = sender.send(OutboundMessage(message_id, channel, "", to, text,
                                             subject if channel == "email" else "", self.sender_name))
        return result.status == "accepted"
