"""Letters for a print house: one file a letter in ARREARS_LETTER_DIR and ``manifest.csv``
(letter id, account, address, pages). This writes the rendered text (UTF-8); the PDF letters
adapter takes its place behind the same port."""

from __future__ import annotations

import csv
from pathlib import Path

from arrears.domain.outreach import OutboundMessage, SendResult

MANIFEST = "manifest.csv"


class LetterDirectory:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: OutboundMessage) -> SendResult:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{message.message_id}.txt"
            fresh = not path.exists()
            path.write_text(f"{message.subject}\n\n{message.text}\n\n{message.sender}\n", encoding="utf-8")
            if fresh:
                manifest = self.folder / MANIFEST
                new_file = not manifest.exists()
                with manifest.open("a", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle)
                    if new_file:
                        writer.writerow(["letter_id", "account_id", "address", "pages"])
                    writer.writerow([message.message_id, message.account_id, message.to, 1])
        except OSError as error:
            return SendResult.retryable(f"the letter could not be written ({type(error).__name__})")
        return SendResult.accepted(message.message_id)
