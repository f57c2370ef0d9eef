"""The load tool: many learners taking a quiz at once, from a process of its own.

``python -m bench.load_client PORT LEARNERS.json RESULT.json``: one thread per learner. Every learner
logs in and opens the quiz's lesson (not measured); then, as a class told "start now", they press
Start within ``ARRIVAL_SECONDS`` of each other and take the quiz as a person would, through the HTML
forms with their CSRF tokens: answer each page and send it, confirm, submit. A learner reads and
answers a page of four questions in ``THINK_SECONDS`` (fast: a real one takes longer). Every request's
latency is recorded; the answers each learner sent are written to RESULT.json so the benchmark can
count them in the database afterwards.
"""

from __future__ import annotations

import json
import random
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bench.client import Browser, Reply, csrf_token

ARRIVAL_SECONDS = 20.0  # the learners press Start spread over this time
THINK_SECONDS = (4.0, 12.0)  # to read and answer a page of four questions
_ATTEMPT = re.compile(r"/courses/quizzes/attempts/(\d+)/(\d+)$")


class QuizForm(HTMLParser):
    """The answer fields of an attempt page: radio groups, checkboxes, text inputs, selects, textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.radios: dict[str, list[str]] = {}
        self.checkboxes: dict[str, list[str]] = {}
        self.texts: list[str] = []
        self.numbers: list[str] = []  # numerical answers: a text that is not a number is refused
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name", "")
        if not name.startswith("q"):
            if tag == "option" and self._select is not None and found.get("value"):
                self.selects[self._select].append(found["value"])
            return
        if tag == "input" and found.get("type") == "radio":
            self.radios.setdefault(name, []).append(found.get("value", ""))
        elif tag == "input" and found.get("type") == "checkbox":
            self.checkboxes.setdefault(name, []).append(found.get("value", ""))
        elif tag == "input" and found.get("inputmode") == "decimal":
            self.numbers.append(name)
        elif tag in ("input", "textarea") and found.get("type", "text") in ("text", "number"):
            self.texts.append(name)
        elif tag == "select":
            self._select = name
            self.selects[name] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def answers(self, rng: random.Random) -> dict[str, Any]:
        """Something for every field, as a learner who answers everything would."""
        form: dict[str, Any] = {}
        for name, values in self.radios.items():
            form[name] = rng.choice(values)
        for name, values in self.checkboxes.items():
            form[name] = rng.sample(values, k=max(1, len(values) // 2))
        for name in self.texts:
            form[name] = rng.choice(["21", "3,5", "пароль", "Дія"])
        for name in self.numbers:
            form[name] = rng.choice(["21", "3,5", "25000", "0"])
        for name, values in self.selects.items():
            form[name] = rng.choice(values)
        return form


@dataclass
class Learner:
    email: str
    password: str
    lesson: str  # the quiz's lesson page, with the Start button
    start: str  # the start URL
    browser: Browser
    rng: random.Random
    latencies: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)  # "attempt/page" → the form's answers
    attempt: int | None = None
    token: str = ""

    def call(self, label: str, method: str, path: str, form: dict[str, Any] | None = None) -> Reply:
        reply = self.browser.request(method, path, form)
        self.latencies.append((label, reply.seconds))
        if reply.status >= 400:
            self.errors.append(f"{method} {path}: {reply.status}")
        return reply

    def prepare(self) -> None:
        """Log in and open the quiz's lesson (not measured)."""
        page = self.browser.request("GET", "/login")
        form = {"email": self.email, "password": self.password, "csrf_token": csrf_token(page.body)}
        reply = self.browser.request("POST", "/login", form)
        if reply.status != 302:
            raise RuntimeError(f"{self.email} could not log in: {reply.status}")
        lesson = self.browser.request("GET", self.lesson)
        if lesson.status != 200:
            raise RuntimeError(f"{self.email}: the quiz lesson answered {lesson.status}")
        self.token = csrf_token(lesson.body)

    def take_quiz(self) -> None:
        time.sleep(self.rng.uniform(0, ARRIVAL_SECONDS))
        reply = self.call("start", "POST", self.start, {"csrf_token": self.token})
        location = reply.header("Location") or ""
        while (match := _ATTEMPT.search(location)) is not None:
            self.attempt = int(match[1])
            page = self.call("page", "GET", location)
            if page.status != 200:
                return
            fields = QuizForm()
            fields.feed(page.body.decode())
            answers = fields.answers(self.rng)
            self.sent[f"{match[1]}/{match[2]}"] = answers
            time.sleep(self.rng.uniform(*THINK_SECONDS))
            go = "next" if b'value="next"' in page.body else "finish"
            form = {**answers, "csrf_token": csrf_token(page.body), "go": go}
            reply = self.call("answers", "POST", location, form)
            location = reply.header("Location") or ""
        if not location.endswith("/finish"):
            self.errors.append(f"the last page did not lead to the confirmation: {location!r}")
            return
        confirm = self.call("confirm", "GET", location)
        reply = self.call("submit", "POST", location, {"csrf_token": csrf_token(confirm.body)})
        if reply.status != 302:
            self.errors.append(f"submitting answered {reply.status}")


def run(port: int, learners: list[dict[str, str]], seed: int = 2026) -> dict[str, Any]:
    people = [
        Learner(entry["email"], entry["password"], entry["lesson"], entry["start"], Browser(port),
                random.Random(seed + index))
        for index, entry in enumerate(learners)
    ]  # fmt: skip
    ready = threading.Barrier(len(people) + 1)
    failures: list[str] = []

    def one(learner: Learner) -> None:
        try:
            learner.prepare()
        except Exception as error:  # reported; that learner takes no part
            failures.append(str(error))
            ready.wait()
            return
        ready.wait()
        try:
            learner.take_quiz()
        except Exception as error:  # a dropped connection is an error to report
            learner.errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=one, args=(learner,)) for learner in people]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "failures": failures,
        "learners": [
            {
                "email": learner.email,
                "attempt": learner.attempt,
                "latencies": learner.latencies,
                "errors": learner.errors,
                "sent": learner.sent,
            }
            for learner in people
        ],
    }


def main() -> int:
    port, learners_file, result_file = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    result = run(port, json.loads(learners_file.read_text()))
    result_file.write_text(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
