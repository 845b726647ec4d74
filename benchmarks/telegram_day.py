"""A training day through Telegram: button presses of one user, bursts of many users pressing at the
same instant, typed questions through the real Rasa server, a slow Rasa, start-up and memory.

Each bot runs in its own process polling its own loopback Bot API stand-in with the same
python-telegram-bot settings: this bot (`python -m bot run`) and a bare echo bot
(benchmarks/echo_bot.py) as the baseline. A latency runs from pushing the update to the stand-in
receiving the bot's reply (the edit of the pressed message, or the answer to a typed text).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import Row, detail, group_peak_kb, ms, p50_p95, peak_kb
from benchmarks.rasa_side import SlowRasa, typed_questions
from benchmarks.stand import BotProcess, Press, Replies, buttons_of, python
from bot.locales import t
from tests.bot_api_stub import Call
from tests.rasa_server import RasaServer

EDIT = ("editMessageText",)
TEXT_REPLY = ("sendMessage", "editMessageText")
LIMITER_EMPTY = 1.5  # seconds for AIORateLimiter's bucket (30 at once, 30 a second) to drain
PRESS_GAP = 0.04  # between one user's presses: under 30 a second, so the limiter never holds one
TARGET_RATIO, TARGET_PRESS_P95 = 1.5, 0.020
TARGET_TYPED_P95 = 0.100
TARGET_BURST_RATE, TARGET_CALLS, TARGET_BURST_P95 = 26, 1.1, 3.5
TARGET_SLOW_EXTRA = 0.100


class EchoBot(BotProcess):
    """The bare python-telegram-bot echo bot: each user has its message with the one button."""

    def __init__(self, directory: Path) -> None:
        super().__init__("echo", python(str(Path(__file__).with_name("echo_bot.py"))), directory)

    def ready(self, users: list[int]) -> list[Press]:
        markup = {"inline_keyboard": [[{"text": "Press", "callback_data": "press"}]]}
        return [Press(u, "press", self.api.earlier_message(u, "Press the button", markup)) for u in users]


class QuizBot(BotProcess):
    """This bot; a user made ready is on the first question of the onboarding quiz."""

    def __init__(self, name: str, directory: Path, rasa_url: str, rasa_token: str = "") -> None:
        env = {"RASA_URL": rasa_url, "RASA_AUTH_TOKEN": rasa_token}
        super().__init__(name, python("-m", "bot", "run"), directory, env)

    def ready(self, users: list[int]) -> list[Press]:
        """Every user opens the quiz (all at once, through the limiter), then the answer to press."""
        replies = Replies(self)
        for user in users:
            self.push_press(Press(user, "go:onboarding", self.api.earlier_message(user, "Menu")))
        replies.first_to(set(users), TEXT_REPLY)
        time.sleep(LIMITER_EMPTY)
        presses = []
        for user in users:
            question = self.shown(user, lambda m: any(b.startswith("ans:") for b in buttons_of(m)))
            answers = [b for b in buttons_of(question) if b.startswith("ans:")]
            presses.append(Press(user, answers[user % len(answers)], question))
        return presses


def one_at_a_time(bot: BotProcess, presses: list[Press]) -> list[float]:
    """Latencies of presses made one after another, each after the previous one's reply."""
    latencies = []
    for press in presses:
        replies = Replies(bot)
        pushed = bot.push_press(press)
        latencies.append(replies.first_to({press.user_id}, EDIT)[press.user_id].at - pushed)
        time.sleep(PRESS_GAP)
    return latencies


def _interleaved(bots: list[BotProcess], blocks: int, block: int, warm_up: int) -> dict[str, list[float]]:
    """Press latencies of each bot, in alternating blocks so that the machine's noise hits all alike."""
    ready = {bot.name: bot.ready(bot.new_users(warm_up + blocks * block)) for bot in bots}
    time.sleep(LIMITER_EMPTY)
    latencies: dict[str, list[float]] = {bot.name: [] for bot in bots}
    for bot in bots:
        one_at_a_time(bot, ready[bot.name][:warm_up])
    for number in range(blocks):
        for bot in bots:
            start = warm_up + number * block
            latencies[bot.name] += one_at_a_time(bot, ready[bot.name][start : start + block])
    return latencies


def press_comparison(echo: EchoBot, quiz: QuizBot, blocks: int = 12, block: int = 25) -> list[Row]:
    latencies = _interleaved([echo, quiz], blocks, block, warm_up=20)
    (bare50, bare95), (our50, our95) = p50_p95(latencies[echo.name]), p50_p95(latencies[quiz.name])
    ratio50, ratio95 = our50 / bare50, our95 / bare95
    detail(
        f"button press, one user, {len(latencies[quiz.name])} presses each after 20 warm-up: bare echo bot p50 "
        f"{ms(bare50)}, p95 {ms(bare95)}; this bot (answerCallbackQuery + editMessageText) p50 {ms(our50)}, "
        f"p95 {ms(our95)}; ratio {ratio50:.2f}x at p50, {ratio95:.2f}x at p95"
    )
    return [
        Row("button press, one user: bare python-telegram-bot echo bot, p50 / p95", f"{ms(bare50)} / {ms(bare95)}"),
        Row(
            "button press, one user: this bot (quiz answer), p50 / p95",
            f"{ms(our50)} / {ms(our95)}",
            f"p95 ≤ {ms(TARGET_PRESS_P95)}",
            our95 <= TARGET_PRESS_P95,
        ),
        Row(
            "button press: this bot / bare, at p50 / p95",
            f"{ratio50:.2f}× / {ratio95:.2f}×",
            f"≤ {TARGET_RATIO}×",
            max(ratio50, ratio95) <= TARGET_RATIO,
        ),
    ]


@dataclass(frozen=True)
class Burst:
    """One burst: every user presses at the same instant."""

    waits: list[float]  # from the burst to each user's reply
    calls: Counter[str]  # every call the burst caused, by method
    message_calls: int  # calls with a chat_id: what AIORateLimiter's overall 30-a-second limit counts

    @property
    def rate(self) -> float:
        """Presses per second: users over the time until the last one's reply."""
        return len(self.waits) / max(self.waits)


@dataclass(frozen=True)
class Bursts:
    """Repeated bursts of one size by one bot; each figure is the median over the repetitions."""

    runs: list[Burst]

    @property
    def rate(self) -> float:
        return statistics.median(run.rate for run in self.runs)

    @property
    def waits(self) -> tuple[float, float]:
        """The medians of each run's p50 and p95 wait."""
        each = [p50_p95(run.waits) for run in self.runs]
        return statistics.median(p50 for p50, _ in each), statistics.median(p95 for _, p95 in each)

    @property
    def per_press(self) -> float:
        return sum(run.message_calls for run in self.runs) / sum(len(run.waits) for run in self.runs)

    def line(self) -> str:
        p50, p95 = self.waits
        rates = ", ".join(f"{run.rate:.1f}" for run in self.runs)
        return (
            f"{self.rate:.1f} presses/s (runs: {rates}); wait p50 {p50:.2f} s, p95 {p95:.2f} s; "
            f"{self.per_press:.2f} message calls per press"
        )


def burst(bot: BotProcess, users: int) -> Burst:
    """`users` users, each ready to press, all pressing at the same instant."""
    presses = bot.ready(bot.new_users(users))
    replies = Replies(bot)
    start = time.monotonic()
    for press in presses:
        bot.push_press(press)
    edits = replies.first_to({p.user_id for p in presses}, EDIT)
    bot.api.settle(quiet=1.0, timeout=30)  # anything the presses still cause
    caused = replies.since()
    limited = sum("chat_id" in call.params for call in caused)
    return Burst([call.at - start for call in edits.values()], Counter(call.method for call in caused), limited)


def bursts(echo: EchoBot, quiz: QuizBot, sizes: tuple[int, ...] = (100, 300), repeats: int = 3) -> list[Row]:
    """Bursts of each size, the two bots taking turns so that the machine's noise hits both alike."""
    rows = []
    for users in sizes:
        runs: dict[str, list[Burst]] = {echo.name: [], quiz.name: []}
        for _ in range(repeats):
            for bot in (echo, quiz):
                runs[bot.name].append(burst(bot, users))
        bare, ours = Bursts(runs[echo.name]), Bursts(runs[quiz.name])
        calls = ", ".join(f"{method} {n}" for method, n in sorted(sum((r.calls for r in ours.runs), Counter()).items()))
        detail(
            f"burst of {users} users, medians of {repeats} runs: bare echo bot {bare.line()}; "
            f"this bot {ours.line()} (all calls of this bot's runs: {calls})"
        )
        (p50, p95), targeted = ours.waits, users == 100
        rows += [
            Row(f"{users} users pressing at once: bare echo bot", bare.line()),
            Row(
                f"{users} users pressing at once: this bot, presses per second",
                f"{ours.rate:.1f}",
                f"≥ {TARGET_BURST_RATE}" if targeted else "",
                ours.rate >= TARGET_BURST_RATE if targeted else None,
            ),
            Row(
                f"{users} users pressing at once: this bot, wait p50 / p95",
                f"{p50:.2f} s / {p95:.2f} s",
                f"p95 ≤ {TARGET_BURST_P95} s" if targeted else "",
                p95 <= TARGET_BURST_P95 if targeted else None,
            ),
            Row(
                f"{users} users pressing at once: this bot, message calls per press (calls with a chat_id)",
                f"{ours.per_press:.2f}",
                f"≤ {TARGET_CALLS}" if targeted else "",
                ours.per_press <= TARGET_CALLS if targeted else None,
            ),
        ]
    return rows


def _ask(bot: BotProcess, user: int, text: str, language: str) -> tuple[float, Call]:
    """Type `text`; the moment it was sent and the bot's reply."""
    replies = Replies(bot)
    pushed = bot.push_text(user, text, language)
    return pushed, replies.first_to({user}, TEXT_REPLY)[user]


def cold_start(quiz: QuizBot, rasa: RasaServer) -> list[Row]:
    """The bot and Rasa started at the same moment; a press and typed questions from that moment on
    (a new user every half second, so that no one waits on their own earlier question)."""
    rasa_thread = threading.Thread(target=rasa.start, daemon=True)
    button_user, *_ = quiz.new_users(1)
    menu = quiz.api.earlier_message(button_user, "Menu")
    quiz.start()
    rasa_thread.start()
    origin = quiz.started_at
    replies = Replies(quiz)
    quiz.push_press(Press(button_user, "go:onboarding", menu))
    pressed = replies.first_to({button_user}, TEXT_REPLY)[button_user].at - origin
    unavailable = t("en", "say_unavailable")
    typists: list[int] = []
    understood = None
    while understood is None and time.monotonic() - origin < 600:
        user, *_ = quiz.new_users(1)
        typists.append(user)
        quiz.push_text(user, "can I accept flowers from a citizen?", "en")
        found = _text_replies(replies, set(typists), 0.5)
        understood = next((call.at for call in found if call.params["text"] != unavailable), None)
    rasa_thread.join()
    if understood is None:
        raise RuntimeError("Rasa did not answer within 10 minutes of the start")
    detail(
        f"start-up: first answered button {pressed:.2f} s after `python -m bot run` started; first typed "
        f"question answered by Rasa (started at the same moment, cold) {understood - origin:.1f} s "
        f"({len(typists)} tries, one every 0.5 s)"
    )
    return [
        Row("start to the first answered button (`python -m bot run` started)", f"{pressed:.2f} s"),
        Row(
            "start to the first typed question answered by Rasa (started together, cold)",
            f"{understood - origin:.1f} s",
        ),
    ]


def _text_replies(replies: Replies, chats: set[int], wait: float) -> list[Call]:
    """Text replies to `chats` since the mark, after waiting `wait` seconds."""
    time.sleep(wait)
    return [c for c in replies.since() if c.method in TEXT_REPLY and int(c.params.get("chat_id", 0)) in chats]


def typed_text(quiz: QuizBot, rasa: RasaServer, per_language: int = 50) -> list[Row]:
    """Questions from the held-out sets, one at a time, each user in their own language."""
    users = dict(zip(("kk", "ru", "en"), quiz.new_users(3)))
    for language, user in users.items():  # warm-up, one each
        _ask(quiz, user, "hello", language)
    latencies = []
    for language, text in typed_questions(per_language):
        pushed, reply = _ask(quiz, users[language], text, language)
        if reply.params["text"] == t(language, "say_unavailable"):
            raise RuntimeError("Rasa did not answer a typed question in time")
        latencies.append(reply.at - pushed)
        time.sleep(PRESS_GAP)
    p50, p95 = p50_p95(latencies)
    rasa_kb, processes = group_peak_kb(rasa.process.pid)
    detail(
        f"typed question through the real Rasa server, {len(latencies)} held-out questions in kk/ru/en: "
        f"p50 {ms(p50)}, p95 {ms(p95)}; Rasa's peak memory {rasa_kb / 1024:.0f} MB ({processes} process(es))"
    )
    return [
        Row(
            "typed question through the real Rasa server (kk/ru/en), p50 / p95",
            f"{ms(p50)} / {ms(p95)}",
            f"p95 ≤ {ms(TARGET_TYPED_P95)}",
            p95 <= TARGET_TYPED_P95,
        ),
        Row("peak memory of the Rasa server after the typed questions (VmHWM)", f"{rasa_kb / 1024:.0f} MB"),
    ]


def _keep_typing(bot: BotProcess, user: int, typing: threading.Event) -> None:
    """One user's typed question always waiting on Rasa: the next as soon as the last is answered."""
    while typing.is_set():
        _ask(bot, user, "can I accept flowers from a citizen?", "en")


def slow_rasa(directory: Path, blocks: int = 6, block: int = 25) -> list[Row]:
    """Other users' presses while one user's typed text waits on a Rasa that takes 1.8 s, against the
    same presses with no text waiting, in alternating blocks."""
    rasa = SlowRasa(1.8)
    quiz = QuizBot("slow-rasa", directory, rasa.url).start()
    try:
        quiz.wait_polling()
        typist, *_ = quiz.new_users(1)
        presses = quiz.ready(quiz.new_users(20 + 2 * blocks * block))
        one_at_a_time(quiz, presses[:20])
        quiet, held = [], []
        for number in range(blocks):
            start = 20 + 2 * number * block
            quiet += one_at_a_time(quiz, presses[start : start + block])
            typing = threading.Event()
            typing.set()
            thread = threading.Thread(target=_keep_typing, args=(quiz, typist, typing))
            thread.start()
            while not rasa.pending:
                time.sleep(0.005)
            for press in presses[start + block : start + 2 * block]:
                replies = Replies(quiz)
                pushed = quiz.push_press(press)
                held.append((pushed, replies.first_to({press.user_id}, EDIT)[press.user_id].at - pushed))
                time.sleep(PRESS_GAP)
            typing.clear()
            thread.join()
    finally:
        quiz.stop()
        rasa.stop()
    during = [latency for pushed, latency in held if rasa.holding(pushed)]
    (q50, q95), (h50, h95) = p50_p95(quiet), p50_p95(during)
    detail(
        f"slow Rasa (1.8 s): {len(during)} of {len(held)} presses came while a typed text waited (only those "
        f"counted): p50 {ms(h50)}, p95 {ms(h95)}; the same presses with no text waiting: p50 {ms(q50)}, "
        f"p95 {ms(q95)}; {len(rasa.held)} texts held"
    )
    return [
        Row(
            "button press while another user's text waits 1.8 s on Rasa, p50 / p95 (without: p50 / p95)",
            f"{ms(h50)} / {ms(h95)} (without: {ms(q50)} / {ms(q95)})",
        ),
        Row(
            "extra delay from the slow text, at p50 / p95",
            f"{ms(h50 - q50)} / {ms(h95 - q95)}",
            f"≤ {ms(TARGET_SLOW_EXTRA)}",
            max(h50 - q50, h95 - q95) <= TARGET_SLOW_EXTRA,
        ),
    ]


def telegram_day(directory: Path) -> list[Row]:
    """Every Telegram figure: this bot and Rasa started cold together, typed questions, then presses
    and bursts beside the bare echo bot, this bot's memory, and the slow-Rasa run."""
    RasaServer.train()  # a no-op when the model is up to date with dialogues/ and config.yml
    rasa = RasaServer(directory / "rasa.log")
    quiz, echo = QuizBot("bot", directory, rasa.url, rasa.token), EchoBot(directory)
    try:
        try:
            rows = cold_start(quiz, rasa) + typed_text(quiz, rasa)
        finally:
            rasa.stop()  # its memory and processor are not needed for the rest
        echo.start().wait_polling()
        rows += press_comparison(echo, quiz) + bursts(echo, quiz)
        bot_kb = peak_kb(quiz.pid)
    finally:
        echo.stop()
        quiz.stop()
    detail(f"peak memory of the bot process (VmHWM) over all of the above: {bot_kb / 1024:.0f} MB")
    rows.append(Row("peak memory of the bot process (VmHWM), the 300-user burst included", f"{bot_kb / 1024:.0f} MB"))
    return rows + slow_rasa(directory)
