"""Ethics Commissioners and the questions servants send them: the /ask dialogue, the inbox, answers
and spam, and the daily raising of questions left unanswered.

Commissioners come from BOT_COMMISSIONER_IDS (every department) and from the database (added on
the command line, optionally per department). A question without a department (anonymous, or a
servant not on the roster) reaches every commissioner, so its routing reveals nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from bot import ask_views
from bot.ask import ANONYMOUS, ANSWERED, NAMED, OPEN, SPAM, AskPolicy, Quota, overdue_cutoff, problem, reference
from bot.locales import pick_language, t
from bot.quiz import StaleAction
from bot.replies import Outcome, Reply, callback_number
from bot.store import Question, Store
from bot.typed import is_stop
from bot.views import Context, no_buttons

COMMISSIONER_COMMANDS = ("inbox",)
TEXT, MODE, CONFIRM = "text", "mode", "confirm"  # the stages of the /ask dialogue
log = logging.getLogger(__name__)


class Commissioners:
    """Everything about questions to the Commissioner that the conversation delegates."""

    def __init__(
        self,
        store: Store,
        policy: AskPolicy,
        clock: Callable[[], datetime],
        default_language: str,
        local_day: Callable[[datetime], date],
    ):
        self.store, self.policy, self.clock, self.default_language = store, policy, clock, default_language
        self.local_day = local_day  # the calendar day in the configured time zone
        self.quota = Quota(policy.questions_per_day)

    # who is a commissioner --------------------------------------------------------------------------

    def all(self) -> dict[int, tuple[str, ...] | None]:
        """Every commissioner -> departments (None: all)."""
        found: dict[int, tuple[str, ...] | None] = {
            tid: deps or None for tid, deps in self.store.commissioners().items()
        }
        found.update({tid: None for tid in self.policy.commissioner_ids})
        return found

    def scope(self, telegram_id: int) -> tuple[str, ...] | None:
        """The commissioner's departments (None: all); KeyError for anyone else."""
        return self.all()[telegram_id]

    def is_commissioner(self, telegram_id: int) -> bool:
        return telegram_id in self.all()

    def recipients(self, question: Question) -> list[int]:
        """The commissioners of the question's department and those of every department."""
        return sorted(
            tid
            for tid, deps in self.all().items()
            if deps is None or question.department is None or question.department in deps
        )

    def _lang(self, telegram_id: int) -> str:
        return pick_language(self.store.language(telegram_id), default=self.default_language)

    def _handles(self, telegram_id: int, question: Question | None) -> Question:
        """The question, if this user is a commissioner who handles it; StaleAction otherwise."""
        if question is None or telegram_id not in self.recipients(question):
            raise StaleAction("question")
        return question

    # the servant's dialogue ---------------------------------------------------------------------------

    def start(self, ctx: Context) -> Outcome:
        """/ask: the invitation to write, or why not now (no commissioner, today's limit reached)."""
        if not self.all():
            return Outcome([Reply(t(ctx.lang, "ask_unavailable"))])
        if not self.quota.allows(ctx.telegram_id, ctx.today):
            return Outcome([Reply(t(ctx.lang, "ask_limit", limit=self.policy.questions_per_day))])
        self.store.save_draft(ctx.telegram_id, TEXT, None, None, self.clock())
        return Outcome([ask_views.intro(ctx.lang)])

    def typed(self, ctx: Context, text: str) -> Outcome | None:
        """Text while the dialogue waits for the question, or while a commissioner writes an answer;
        None when neither waits, so the text goes on to the quiz or the dialogue model."""
        draft = self.store.draft(ctx.telegram_id)
        if draft is not None and draft.stage == TEXT:
            return self._question_typed(ctx, text)
        question_id = self.store.answering(ctx.telegram_id)
        if question_id is not None and self.is_commissioner(ctx.telegram_id):
            return self._answer_typed(ctx, question_id, text)
        return None

    def leave(self, telegram_id: int) -> None:
        """Another command or button: text typed from now on is neither a question nor an answer."""
        draft = self.store.draft(telegram_id)
        if draft is not None and draft.stage == TEXT:
            self.store.drop_draft(telegram_id)
        self.store.stop_answer(telegram_id)

    @staticmethod
    def _refused(ctx: Context, text: str, leave: Callable[[int], object], cancelled: str) -> Outcome | None:
        """ "stop" leaves the step that waits for text; text without words or over the limit is refused
        (the step still waits); None when the text can be used."""
        if is_stop(text):
            leave(ctx.telegram_id)
            return Outcome([Reply(t(ctx.lang, cancelled))])
        refused = problem(text.strip())
        return None if refused is None else Outcome([ask_views.refusal(ctx.lang, refused, len(text.strip()))])

    def _question_typed(self, ctx: Context, text: str) -> Outcome:
        refused = self._refused(ctx, text, self.store.drop_draft, "ask_cancelled")
        if refused is not None:
            return refused
        draft = self.store.save_draft(ctx.telegram_id, MODE, text.strip(), None, self.clock())
        return Outcome([ask_views.mode_choice(ctx.lang, draft.nonce)])

    def button(self, ctx: Context, first_name: str | None, action: str, args: list[str]) -> Outcome:
        """ask:<named|anonymous|ok|no>:<nonce>, qa:<question> (answer), qs:<question> (spam);
        StaleAction for anything that does not fit the present state."""
        if action == "ask" and len(args) == 2:
            return self._ask_button(ctx, first_name, *args)
        if action in ("qa", "qs") and len(args) == 1:
            question = self._handles(ctx.telegram_id, self.store.question(callback_number(args[0])))
            return self._spam(ctx, question) if action == "qs" else self._answer_prompt(ctx, question)
        raise StaleAction(action)

    def _ask_button(self, ctx: Context, first_name: str | None, choice: str, nonce: str) -> Outcome:
        draft = self.store.draft(ctx.telegram_id)
        if draft is None or draft.nonce != nonce or draft.stage not in (MODE, CONFIRM):
            raise StaleAction(nonce)
        if choice == "no":
            self.store.drop_draft(ctx.telegram_id)
            return Outcome([Reply(t(ctx.lang, "ask_cancelled"))], edit=no_buttons())
        if choice in (NAMED, ANONYMOUS) and draft.stage == MODE:
            confirmed = self.store.save_draft(ctx.telegram_id, CONFIRM, draft.text, choice, self.clock())
            shown = self._as_question(ctx, first_name, draft.text, choice, reference(ctx.today.year, 0)[:-4] + "…")
            return Outcome([ask_views.preview(ctx.lang, shown, confirmed.nonce)], edit=no_buttons())
        if choice == "ok" and draft.stage == CONFIRM:
            return self._submit(ctx, first_name, nonce, draft.mode)
        raise StaleAction(choice)

    def _sender(self, ctx: Context, first_name: str | None) -> tuple[str | None, str | None]:
        """The name and department a named question carries: the roster's, else Telegram's name."""
        employee = self.store.employee_of(ctx.telegram_id)
        return (employee.full_name, employee.department) if employee else (first_name, None)

    def _as_question(self, ctx: Context, first_name: str | None, text: str, mode: str, ref: str) -> Question:
        name, department = self._sender(ctx, first_name) if mode == NAMED else (None, None)
        return Question(0, ref, mode, name, department, text, OPEN, ctx.today.isoformat(), None)

    def _submit(self, ctx: Context, first_name: str | None, nonce: str, mode: str) -> Outcome:
        if not self.quota.allows(ctx.telegram_id, ctx.today):
            self.store.drop_draft(ctx.telegram_id)
            return Outcome([Reply(t(ctx.lang, "ask_limit", limit=self.policy.questions_per_day))], edit=no_buttons())
        name, department = self._sender(ctx, first_name) if mode == NAMED else (None, None)
        question = self.store.submit_question(ctx.telegram_id, nonce, name, department, ctx.lang, ctx.today)
        if question is None:
            raise StaleAction(nonce)
        self.quota.take(ctx.telegram_id, ctx.today)
        recipients = self.recipients(question)
        log.info("question %s sent to %d commissioner(s)", question.ref, len(recipients))
        return Outcome(
            [Reply(t(ctx.lang, "ask_sent", ref=question.ref))],
            edit=no_buttons(),
            elsewhere=[(tid, ask_views.notice(self._lang(tid), question)) for tid in recipients],
        )

    # the commissioner's side ------------------------------------------------------------------------

    def inbox(self, ctx: Context) -> Outcome:
        """/inbox: the open questions this commissioner handles, oldest first."""
        if not self.is_commissioner(ctx.telegram_id):
            return Outcome([Reply(t(ctx.lang, "not_permitted"))])
        return Outcome(ask_views.inbox(ctx.lang, self.store.open_questions(self.scope(ctx.telegram_id))))

    def _answer_prompt(self, ctx: Context, question: Question) -> Outcome:
        if question.status != OPEN:
            raise StaleAction(question.ref)
        self.store.start_answer(ctx.telegram_id, question.id, self.clock())
        return Outcome([Reply(t(ctx.lang, "answer_prompt", ref=question.ref))])

    def _spam(self, ctx: Context, question: Question) -> Outcome:
        if question.status != OPEN:
            raise StaleAction(question.ref)
        self.store.close_question(question.id, SPAM, ctx.telegram_id, self.clock())
        log.info("question %s closed as spam", question.ref)
        return Outcome([Reply(t(ctx.lang, "question_spam", ref=question.ref))], edit=no_buttons())

    def _answer_typed(self, ctx: Context, question_id: int, text: str) -> Outcome:
        refused = self._refused(ctx, text, self.store.stop_answer, "answer_cancelled")
        if refused is not None:
            return refused
        text = text.strip()
        self.store.stop_answer(ctx.telegram_id)
        question = self.store.question(question_id)
        if question.status != OPEN:  # another commissioner answered or closed it meanwhile
            return Outcome([Reply(t(ctx.lang, "answer_too_late", ref=question.ref))])
        route = self.store.close_question(question_id, ANSWERED, ctx.telegram_id, self.clock(), text)
        if route is None:  # an anonymous sender's address outlived the retention period
            return Outcome([Reply(t(ctx.lang, "answer_undeliverable", ref=question.ref))])
        chat, language = route
        log.info("question %s answered", question.ref)
        frame = pick_language(self.store.language(chat), language, default=self.default_language)
        return Outcome(
            [Reply(t(ctx.lang, "answer_sent", ref=question.ref))],
            elsewhere=[(chat, ask_views.answer_for_servant(frame, question.ref, text))],
        )

    # daily and for coordinators -----------------------------------------------------------------------

    def raise_overdue(self, now: datetime) -> list[tuple[int, Reply]]:
        """Questions unanswered after the working days allowed, once each, to their commissioners; and
        anonymous reply addresses past the retention period forgotten."""
        today = self.local_day(now)
        forgotten = self.store.forget_reply_chats(today - timedelta(days=self.policy.anonymous_reply_days))
        overdue = self.store.open_questions(None, asked_by=overdue_cutoff(today), unraised=True)
        self.store.mark_raised([q.id for q in overdue], today)
        log.info("questions raised again: %d; anonymous reply addresses forgotten: %d", len(overdue), forgotten)
        return [(tid, ask_views.notice(self._lang(tid), q, raised=True)) for q in overdue for tid in self.recipients(q)]

    def counts_text(self, lang: str, scope: tuple[str, ...] | None) -> str:
        return ask_views.counts_text(lang, self.store.question_counts(scope))
