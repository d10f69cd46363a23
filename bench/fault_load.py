"""The clients of a fault run: posting (a failed post is retried with the same form), voting, approving, searching.

Built on bench/load_search.py's Client (cookies, TOTP sign-in of moderators). Every answer is sorted: ok, refused
(4xx), "503 retry" (a 503 with Retry-After: the clean refusal a fault may cause), other 5xx (a 500 page or a 503
without Retry-After: never acceptable), timeout, connection error. A post that fails for the server's sake is sent
again with the same client_token after Retry-After, as a browser's retry would, so a comment stored by a request
whose answer was lost must come back as the same comment, never as a second one.
"""

import random
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fault_stack import PASSWORD  # noqa: E402
from bench.load_search import (  # noqa: E402
    CLIENT_TOKEN_RE,
    MARK,
    POSTED_RE,
    SECTION_RE,
    TIMEOUT,
    TOKEN_RE,
    WORDS,
    Client,
)

PENDING_RE = re.compile(r'name="ids" value="(\d+:\d+)"')
VOTE_RE = re.compile(r'action="(/ru/comments/\d+/vote)"')
OUTCOMES = ("ok", "4xx", "503 retry", "5xx", "timeout", "connection")
RETRIES = 12  # a post is given up after this many failed sends (about 20 s with Retry-After capped at 2 s)


class FaultClient(Client):
    """A Client that also keeps the Retry-After of the last answer (load_search.Client records it)."""

    retry_after: str | None = None


def roles(clients: int) -> dict[str, int]:
    """Split the clients: half post, one or two approve, a few vote, the rest search."""
    posters = max(1, clients // 2)
    moderators = 2 if clients >= 8 else 1
    voters = max(1, (clients - posters - moderators) // 2)
    return {"post": posters, "approve": moderators, "vote": voters,
            "search": max(1, clients - posters - moderators - voters)}  # fmt: skip


class Load:
    """Run the clients over several hosts (client i talks to host i mod n) until stopped; keep every figure."""

    def __init__(self, bases: list[str], clients: int):
        self.bases = bases
        self.roles = roles(clients)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.failures: list[str] = []
        self.posted: dict[str, int] = {}  # body -> comment id, for each comment the server said it stored
        self.gave_up: set[str] = set()
        self.commented: set[str] = set()  # section pages with a load comment: where voters find something to vote on
        self.resent = 0  # posts sent again with the same form
        self.started = self.elapsed = 0.0
        self._next = 0

    def _client(self) -> FaultClient:
        with self.lock:
            base = self.bases[self._next % len(self.bases)]
            self._next += 1
        return FaultClient(base)

    def record(self, kind: str, status: int | str, retry_after: str | None) -> str:
        if isinstance(status, str):
            result = status
        elif status == 503 and retry_after:
            result = "503 retry"
        else:
            result = "5xx" if status >= 500 else "4xx" if status >= 400 else "ok"
        with self.lock:
            self.counts[kind][result] += 1
            if result != "ok":
                self.failures.append(f"{kind} {status}")
        return result

    def get(self, client: FaultClient, kind: str, path: str) -> str:
        status, _, page = client.get(path)
        result = self.record(kind, status, client.retry_after)
        if result == "503 retry":
            time.sleep(min(float(client.retry_after), 2.0))  # as asked (capped: the run is short)
        return page if result == "ok" else ""

    def poster(self, n: int) -> None:
        client = self._client()
        client.login(f"load{n}@example.kz", PASSWORD)
        sections = SECTION_RE.findall(client.get("/ru/laws/public-discussion/")[2])
        rng = random.Random(n)
        sequence = 0
        while not self.stop.is_set():
            path = rng.choice(sections)
            page = self.get(client, "section page", path)
            match, token = TOKEN_RE.search(page), CLIENT_TOKEN_RE.search(page)
            if not (match and token):
                time.sleep(0.5)
                continue
            sequence += 1
            text = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {MARK} {n}-{sequence}"
            form = {"csrf_token": match.group(1), "client_token": token.group(1), "stance": "support", "body": text,
                    "lang": "auto"}  # fmt: skip
            for attempt in range(RETRIES):
                status, location, _ = client.post(path + "comments", form)
                stored = POSTED_RE.search(location) if status == 302 else None
                if status == 302 and not stored:
                    status = f"{status} not to a comment"
                result = self.record("post comment", status, client.retry_after)
                if stored:
                    with self.lock:
                        self.posted[text] = int(stored.group(1))
                        self.commented.add(path)
                    break
                if result == "4xx":
                    break  # refused: sending it again would be refused again
                with self.lock:
                    self.resent += 1
                time.sleep(min(float(client.retry_after or 1), 2.0) if attempt < RETRIES - 1 else 0)
            else:
                with self.lock:
                    self.gave_up.add(text)

    def voter(self, n: int) -> None:
        client = self._client()
        client.login(f"voter{n}@example.kz", PASSWORD)
        sections = SECTION_RE.findall(client.get("/ru/laws/public-discussion/")[2])
        rng = random.Random(500 + n)
        while not self.stop.is_set():
            with self.lock:
                commented = sorted(self.commented)
            page = self.get(client, "section page", rng.choice(commented or sections))
            forms, match = VOTE_RE.findall(page), TOKEN_RE.search(page)
            if not (forms and match):
                time.sleep(0.2)
                continue
            form = {"csrf_token": match.group(1), "value": rng.choice(["1", "-1"])}
            status, _, _ = client.post(rng.choice(forms), form)
            self.record("vote", status, client.retry_after)

    def moderator(self, n: int) -> None:
        client = self._client()
        client.login(f"mod{n}@example.kz", PASSWORD)
        share = self.roles["approve"]
        while not self.stop.is_set():
            page = self.get(client, "queue page", "/ru/moderation/pending")
            ids, match = PENDING_RE.findall(page)[n::share][:10], TOKEN_RE.search(page)
            if ids and match:
                status, _, _ = client.post(
                    "/ru/moderation/bulk", {"csrf_token": match.group(1), "ids": ids, "action": "approve"}
                )
                self.record("approve", status, client.retry_after)
            else:
                time.sleep(0.2)

    def searcher(self, n: int) -> None:
        client = self._client()
        rng = random.Random(1000 + n)
        while not self.stop.is_set():
            query = " ".join(rng.sample(WORDS, rng.randint(1, 2)))
            self.get(client, "search", "/ru/search/?" + urllib.parse.urlencode({"q": query}))

    def run(self, seconds: float, during=None) -> None:
        """Run the clients for `seconds`; `during(load)` runs meanwhile in this thread (the fault)."""
        threads = []
        for role, target in (("post", self.poster), ("vote", self.voter), ("approve", self.moderator),
                             ("search", self.searcher)):  # fmt: skip
            threads += [threading.Thread(target=target, args=(n,), daemon=True) for n in range(self.roles[role])]
        self.started = time.monotonic()
        for thread in threads:
            thread.start()
        if during:
            during(self)
        time.sleep(max(0.0, seconds - (time.monotonic() - self.started)))
        self.stop.set()
        for thread in threads:
            # A post being retried finishes its retries: that is the point of them.
            thread.join(TIMEOUT + RETRIES * 3)
        self.elapsed = time.monotonic() - self.started

    def count(self, outcome: str) -> int:
        return sum(by_outcome[outcome] for by_outcome in self.counts.values())

    def report(self) -> None:
        roles = ", ".join(f"{n} {role}" for role, n in self.roles.items())
        print(f"{len(self.bases)} host(s), clients: {roles}; {self.elapsed:.0f} s")
        print(f"  {'':14} {'requests':>8} {'/s':>6} " + " ".join(f"{name:>10}" for name in OUTCOMES))
        for kind, by_outcome in sorted(self.counts.items()):
            total = sum(by_outcome.values())
            print(
                f"  {kind:14} {total:8d} {total / max(self.elapsed, 0.001):6.1f} "
                + " ".join(f"{by_outcome[name]:10d}" for name in OUTCOMES)
            )
        print(f"posts sent again with the same form: {self.resent}; given up: {len(self.gave_up)}")
        for line in sorted(set(self.failures))[:8]:
            print("  not ok:", line)

    def problems(self, allowed: tuple[str, ...] = ()) -> list[str]:
        """Reasons to fail from the answers alone: any 5xx page, and any other non-ok outcome not allowed here."""
        reasons = []
        for outcome in OUTCOMES[1:]:
            n = self.count(outcome)
            if n and (outcome == "5xx" or outcome not in allowed):
                reasons.append(f"{n} answers {outcome}")
        if self.gave_up:
            reasons.append(f"{len(self.gave_up)} posts given up")
        if not self.posted:
            reasons.append("no comment was posted")
        return reasons
