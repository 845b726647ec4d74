"""Feedback on each module: a 1–5 rating after the summary, an optional short comment, and the
figures coordinators read (count, mean, distribution, latest comments without names)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot import typed
from bot.content import Bank
from bot.locales import count, t
from bot.quiz import StaleAction
from bot.replies import Button, Edit, Outcome, Reply, callback, callback_number
from bot.store import ModuleRatings, Store

RATE, SKIP = "rate", "rskip"  # button actions: rate:<session>:<1-5>, rskip:<session>
RATINGS = range(1, 6)
COMMENT_LIMIT = 500
CHAT_COMMENTS, CHAT_COMMENT_LENGTH = 2, 150  # per module in /report, so the message stays within Telegram's limit
_SKIP = {"skip", "no", "none", "пропустить", "пропуск", "нет", "жоқ", "жок", "өткізу", "откизу", "өткіземін"}


def is_skip(text: str) -> bool:
    """A short reply that declines the comment ("skip", "нет", "жоқ") or asks to stop."""
    tokens = text.lower().split()
    return typed.is_stop(text) or (0 < len(tokens) <= 2 and any(token.strip(".!") in _SKIP for token in tokens))


def rating_prompt(session_id: int, lang: str, chosen: int | None = None) -> Reply:
    """ "How useful was this module?" with a button per score; the chosen one marked."""
    text = t(lang, "rate_ask") + (f"\n{t(lang, 'rate_yours', rating=chosen)}" if chosen else "")
    return Reply(
        text, (tuple(Button(f"✅ {n}" if n == chosen else str(n), callback(RATE, session_id, n)) for n in RATINGS),)
    )


@dataclass(frozen=True)
class Summary:
    """One module's ratings as a coordinator reads them."""

    ratings: ModuleRatings

    @property
    def total(self) -> int:
        return sum(self.ratings.distribution.values())

    @property
    def mean(self) -> float:
        return sum(n * k for n, k in self.ratings.distribution.items()) / self.total


def _shortened(comment: str, length: int) -> str:
    return comment if len(comment) <= length else comment[: length - 1].rstrip() + "…"


def feedback_text(ratings: list[ModuleRatings], bank: Bank, lang: str, length: int = COMMENT_LIMIT) -> str:
    """Per module: ratings, mean, distribution 1–5 and the latest comments (up to `length` characters
    each), without names."""
    if not ratings:
        return t(lang, "feedback_empty")
    lines = [t(lang, "feedback_title")]
    for module in ratings:
        summary = Summary(module)
        title = (
            bank.modules[module.module_id].short_title[lang] if module.module_id in bank.modules else module.module_id
        )
        spread = " · ".join(f"{n}★ {module.distribution[n]}" for n in RATINGS)
        lines += [
            "",
            t(
                lang,
                "feedback_module",
                title=title,
                ratings=count(lang, "rating", summary.total),
                mean=f"{summary.mean:.1f}",
            ),
            f"  {spread}",
        ]
        lines += [f"  «{_shortened(comment, length)}»" for comment in module.comments]
    return "\n".join(lines)


class FeedbackFlow:
    """The rating and comment dialogue after a module, kept in the store so a restart loses nothing."""

    def __init__(self, store: Store, clock: Callable[[], datetime]):
        self.store, self.clock = store, clock

    def press(self, telegram_id: int, lang: str, action: str, args: list[str]) -> Outcome:
        """A rating (or "skip the comment") button; StaleAction or ValueError for anything stale or forged."""
        if action == SKIP and len(args) == 1:
            if self.store.awaited_comment(telegram_id) != callback_number(args[0]):
                raise StaleAction(args[0])
            return self.comment(telegram_id, lang, None)
        if len(args) != 2:
            raise ValueError(args)
        session_id, rating = map(callback_number, args)
        module_id = self.store.rateable(telegram_id, session_id)
        if rating not in RATINGS or module_id is None:
            raise StaleAction(str(session_id))
        comment = self.store.rate(telegram_id, session_id, module_id, rating, self.clock())
        prompt = rating_prompt(session_id, lang, rating)
        edit = Edit(prompt.text, prompt.buttons)
        if comment is not None:
            return Outcome([Reply(t(lang, "rate_changed", rating=rating))], edit=edit)
        ask = Reply(
            t(lang, "comment_ask", limit=count(lang, "character", COMMENT_LIMIT)),
            ((Button(t(lang, "btn_skip"), callback(SKIP, session_id)),),),
        )
        return Outcome([ask], edit=edit)

    def typed(self, telegram_id: int, lang: str, text: str) -> Outcome | None:
        """Typed text while a comment is awaited: the comment, or "skip"; None when none is awaited."""
        if self.store.awaited_comment(telegram_id) is None:
            return None
        if is_skip(text):
            return self.comment(telegram_id, lang, None)
        if len(text) > COMMENT_LIMIT:
            return Outcome(
                [
                    Reply(
                        t(
                            lang,
                            "comment_too_long",
                            length=count(lang, "character", len(text)),
                            limit=count(lang, "character", COMMENT_LIMIT),
                        )
                    )
                ]
            )
        return self.comment(telegram_id, lang, text.strip())

    def moved_on(self, telegram_id: int) -> None:
        """Any other command or button: the servant has gone on, so later text is no comment."""
        self.store.end_comment_wait(telegram_id, None, self.clock())

    def comment(self, telegram_id: int, lang: str, text: str | None) -> Outcome:
        """Keep the comment (None: skipped) and thank the servant."""
        self.store.end_comment_wait(telegram_id, text, self.clock())
        return Outcome([Reply(t(lang, "comment_thanks" if text else "comment_skipped"))])
