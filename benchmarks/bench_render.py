"""What rendering a message and writing a letter cost: N SMS rendered and screened through the
template renderer (distinct facts, so the screening's cache does not help), and M letters written as
PDF with the manifest.

    PYTHONPATH=src python benchmarks/bench_render.py --messages 10000 --letters 200
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime

from arrears.adapters.memory_templates import MemoryTemplatesUnitOfWork
from arrears.adapters.outreach.letters import PdfLetterSender
from arrears.services.outreach.templates import MessageFacts, TemplateRenderer
from arrears.services.outreach.templates.handlers import seed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--letters", type=int, default=200)
    args = parser.parse_args()
    uow = MemoryTemplatesUnitOfWork()
    seed(uow, datetime.now(UTC))
    renderer = TemplateRenderer(lambda: uow)
    facts = [MessageFacts(f"张{i % 97}*", "CN", f"{i:04d}"[-4:], 100_000 + i * 37, "CNY", "甲银行信用卡中心",
                          agency="乙信息咨询公司" if i % 3 == 0 else None, agent_id=f"A{i % 50:03d}")
             for i in range(args.messages)]
    start = time.perf_counter()
    for f in facts:
        renderer.render("reminder", "sms", "zh", f)
    sms = time.perf_counter() - start
    print(f"sms rendered and screened: {args.messages} in {sms:.2f} s = {args.messages / sms:,.0f}/s "
          f"({sms / args.messages * 1e3:.3f} ms each)")
    with tempfile.TemporaryDirectory() as folder:
        sender = PdfLetterSender(folder)
        start = time.perf_counter()
        for i in range(args.letters):
            letter = renderer.render("collection_letter", "letter", "zh", facts[i % len(facts)])
            sender.write_letter(f"L{i:06d}", f"A{i:06d}", "上海市浦东新区某路1号\n张*（收）", letter)
        pdf = time.perf_counter() - start
    print(f"letters rendered and written as PDF: {args.letters} in {pdf:.2f} s = {args.letters / pdf:,.0f}/s "
          f"({pdf / args.letters * 1e3:.1f} ms each)")


if __name__ == "__main__":
    main()
