"""A gate worker process: one shard of the plan's customers, judged pass after pass.

Started by ``gate_runner.GateRunner`` as ``python -m arrears.planning.gate_worker`` (a fresh
interpreter: it shares no memory with the planner, and does not re-run the caller's main
module). It reads pickled requests from stdin and writes one pickled answer per request to
stdout: ``("start", path, agencies)`` -> None, ``("histories", recent)`` -> None (customers'
histories sent ahead of their rows), ``("judge", attempts, recent)`` -> Verdicts,
``("stop",)`` -> exits. A failure is answered with ``("error", traceback text)``, personal data
in it masked (``logs.scrub``): the planner shows it.
"""

from __future__ import annotations

import gc
import pickle
import sys
import traceback
from typing import Any, BinaryIO

from arrears.logs import scrub
from arrears.planning.gate_runner import ERROR, Shard, WorkerFailed


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    gc.disable()  # one plan's shard: plain values, no reference cycles; freed when the worker exits
    shard: Shard | None = None
    while True:
        try:
            message: tuple[Any, ...] = pickle.load(requests)
        except EOFError:
            return
        if message[0] == "stop":
            return
        try:
            if message[0] == "start":
                shard = Shard(message[1], message[2])
                answer: Any = None
            elif message[0] == "histories" and shard is not None:
                shard.add_histories(message[1])
                answer = None
            elif message[0] == "judge" and shard is not None:
                shard.add_histories(message[2])
                answer = shard.judge(message[1])
            else:
                raise WorkerFailed(f"unexpected request {message[0]!r}")
        except Exception:
            answer = (ERROR, scrub(traceback.format_exc()))  # the planner prints it
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
